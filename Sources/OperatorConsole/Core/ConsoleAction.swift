import CareModel

/// What an operator asks the server to do to a call, one per action route.
public enum ConsoleAction: Hashable, Sendable {
    case claim
    case release
    case note(String)
    case startCallback
    case dispatch(ResponderAssignment)
    case updateResponder(id: Int, status: ResponderStatus)
    case resolve(CallOutcome, note: String)
    case followUp(note: String, reachedElder: Bool)
    case reopen(reason: String)

    public var kind: CallActionKind {
        switch self {
        case .claim: .claim
        case .release: .release
        case .note: .note
        case .startCallback: .startCallback
        case .dispatch: .dispatch
        case .updateResponder: .updateResponder
        case .resolve: .resolve
        case .followUp: .recordFollowUp
        case .reopen: .reopen
        }
    }

    /// The route under `/v1/calls/{id}/`: the kind's, with the responder's id for progress.
    public var pathSuffix: String {
        // Every console action is an operator's, and every operator's action has a route.
        guard let segment = kind.pathSegment else { preconditionFailure("\(kind) has no route") }
        if case .updateResponder(let id, _) = self { return segment + "/\(id)" }
        return segment
    }

    /// Whether the request carries the version of the call the operator saw (not for notes).
    public var sendsVersion: Bool { kind.isVersioned }

    /// What the status line says while it is in flight: "claiming".
    public var progressive: String {
        switch self {
        case .claim: "claiming"
        case .release: "releasing"
        case .note: "saving the note"
        case .startCallback: "starting the callback"
        case .dispatch(let who): "dispatching \(who.name)"
        case .updateResponder: "updating the responder"
        case .resolve: "resolving"
        case .followUp: "recording the follow-up"
        case .reopen: "reopening"
        }
    }
}

/// One action on one call, with the version of the call the operator was looking at.
///
/// ```swift
/// let request = ActionRequest(callId: 4812, action: .resolve(.handledByPhone, note: "Pressed by mistake"), version: 3)
/// request.path   // "/v1/calls/4812/resolve"
/// request.body   // {"version":3,"outcome":"handled_by_phone","note":"Pressed by mistake"}
/// ```
public struct ActionRequest: Hashable, Sendable {
    public var callId: Int64
    public var action: ConsoleAction
    public var version: Int

    public init(callId: Int64, action: ConsoleAction, version: Int) {
        self.callId = callId; self.action = action; self.version = version
    }

    public var path: String { "/v1/calls/\(callId)/\(action.pathSuffix)" }

    public var body: CallActionRequest {
        var body = CallActionRequest(version: action.sendsVersion ? version : nil)
        switch action {
        case .claim, .release, .startCallback: break
        case .note(let text): body.note = text
        case .dispatch(let who): body.responders = [who]
        case .updateResponder(_, let status): body.status = status
        case .resolve(let outcome, let note): body.outcome = outcome; body.note = note
        case .followUp(let note, let reached): body.note = note; body.reachedElder = reached
        case .reopen(let reason): body.reason = reason
        }
        return body
    }
}
