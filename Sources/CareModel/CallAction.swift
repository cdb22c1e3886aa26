/// The name of a ``CallAction``: what the timeline stores in its `action` column and what the
/// console and 409 answers list as allowed.
public enum CallActionKind: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case claim
    case release
    case note
    case startCallback = "start_callback"
    case dispatch
    case updateResponder = "update_responder"
    case resolve
    case recordFollowUp = "record_follow_up"
    case close
    case reopen
    /// Taken by the platform when a deadline passes; never by a person.
    case escalate

    /// The platform's own actions. The API refuses them in request bodies.
    public var isSystemOnly: Bool { self == .escalate }

    public var description: String { rawValue }

    /// The action's route under `/v1/calls/{id}/`, for the API that serves it and the console
    /// that calls it; `update_responder`'s continues with the responder's id
    /// (`responders/{responderId}`). Nil for the platform's own actions, which have no route.
    public var pathSegment: String? {
        switch self {
        case .claim: "claim"
        case .release: "release"
        case .note: "notes"
        case .startCallback: "callback"
        case .dispatch: "dispatch"
        case .updateResponder: "responders"
        case .resolve: "resolve"
        case .recordFollowUp: "follow-up"
        case .close: "close"
        case .reopen: "reopen"
        case .escalate: nil
        }
    }

    /// Whether a request for it must carry the version of the call its operator saw. Notes change
    /// no state, so they go without one and never collide with a colleague's action.
    public var isVersioned: Bool { self != .note }

    /// Short names for the timeline, Chinese first.
    public var label: (chinese: String, english: String) {
        switch self {
        case .claim: ("接警", "claimed")
        case .release: ("释放", "released")
        case .note: ("备注", "note")
        case .startCallback: ("回拨", "callback")
        case .dispatch: ("派单", "dispatched")
        case .updateResponder: ("响应", "responder")
        case .resolve: ("处置", "resolved")
        case .recordFollowUp: ("回访", "follow-up")
        case .close: ("结案", "closed")
        case .reopen: ("重开", "reopened")
        case .escalate: ("超时升级", "escalated")
        }
    }
}

/// Something done to a call: by an operator from the console, or by the platform (``escalate``).
/// ``CallLifecycle/apply(_:to:by:at:)`` decides whether it is allowed and what it changes.
///
/// In JSON it is one object with an `action` and the fields that action takes, so one route
/// (`POST /calls/{id}/actions`) can take them all:
///
/// ```json
/// {"action":"claim"}
/// {"action":"release","note":"Going off shift"}
/// {"action":"note","note":"Daughter phoned in: she is on her way"}
/// {"action":"start_callback"}
/// {"action":"dispatch","responders":[{"kind":"emergency_contact","name":"李娟","phone":"13807751234","referenceId":5531}]}
/// {"action":"update_responder","responderId":1,"status":"on_scene","note":"Let herself in with her key"}
/// {"action":"resolve","outcome":"attended_by_responder","note":"Slipped in the bathroom, no injury"}
/// {"action":"record_follow_up","note":"Feeling fine, daughter staying tonight","reachedElder":true}
/// {"action":"close"}
/// {"action":"reopen","reason":"Elder called again: the pain in her hip is worse"}
/// {"action":"escalate","deadline":"unclaimed"}
/// ```
///
/// Required fields missing or of the wrong type fail decoding; rules about their contents (a
/// note must not be blank) are checked by `apply`, which throws them all at once.
public enum CallAction: Sendable, Hashable {
    /// Take the call from the queue.
    case claim
    /// Put a held call back in the queue, for someone else to claim.
    case release(note: String? = nil)
    /// Add a line to the timeline. Changes nothing else, so it is allowed in every status.
    case note(String)
    /// Call the elder back (回拨). Again, from `contacting` or `dispatched`, is a further attempt.
    case startCallback(note: String? = nil)
    /// Send one or more responders; again from `dispatched` adds more.
    case dispatch([ResponderAssignment], note: String? = nil)
    /// A responder's progress, by their ``Responder/id`` within the call.
    case updateResponder(responderId: Int, status: ResponderStatus, note: String? = nil)
    /// The emergency is over. The note (what happened) must not be blank.
    case resolve(outcome: CallOutcome, note: String)
    /// The follow-up call (回访) is done. `reachedElder` is false when it was done through family
    /// (the elder is in hospital, say); an attempt that reached nobody is a ``note`` instead.
    case recordFollowUp(note: String, reachedElder: Bool)
    /// Finish the call.
    case close(note: String? = nil)
    /// Take a finished call back to work; the reason must not be blank.
    case reopen(reason: String)
    /// A deadline passed (``EscalationPolicy``): flags the call and leaves its status alone.
    case escalate(CallDeadlineKind)

    public var kind: CallActionKind {
        switch self {
        case .claim: .claim
        case .release: .release
        case .note: .note
        case .startCallback: .startCallback
        case .dispatch: .dispatch
        case .updateResponder: .updateResponder
        case .resolve: .resolve
        case .recordFollowUp: .recordFollowUp
        case .close: .close
        case .reopen: .reopen
        case .escalate: .escalate
        }
    }

    /// The free text the action carries, which becomes the timeline entry's note.
    public var note: String? {
        switch self {
        case .claim, .escalate: nil
        case .release(let note), .startCallback(let note), .dispatch(_, let note), .updateResponder(_, _, let note),
            .close(let note):
            note
        case .note(let text): text
        case .resolve(_, let note), .recordFollowUp(let note, _): note
        case .reopen(let reason): reason
        }
    }
}

extension CallAction: Codable {
    private enum CodingKeys: String, CodingKey {
        case action, note, responders, responderId, status, outcome, reachedElder, reason, deadline
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .action)
        guard let kind = CallActionKind(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: .action, in: c,
                debugDescription:
                    "\"\(name)\" is not a call action; use one of: "
                    + CallActionKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let note = try c.decodeIfPresent(String.self, forKey: .note)
        switch kind {
        case .claim: self = .claim
        case .release: self = .release(note: note)
        case .note: self = .note(try c.decode(String.self, forKey: .note))
        case .startCallback: self = .startCallback(note: note)
        case .dispatch: self = .dispatch(try c.decode([ResponderAssignment].self, forKey: .responders), note: note)
        case .updateResponder:
            self = .updateResponder(
                responderId: try c.decode(Int.self, forKey: .responderId),
                status: try c.decode(ResponderStatus.self, forKey: .status), note: note)
        case .resolve:
            self = .resolve(
                outcome: try c.decode(CallOutcome.self, forKey: .outcome),
                note: try c.decode(String.self, forKey: .note))
        case .recordFollowUp:
            self = .recordFollowUp(
                note: try c.decode(String.self, forKey: .note),
                reachedElder: try c.decode(Bool.self, forKey: .reachedElder))
        case .close: self = .close(note: note)
        case .reopen: self = .reopen(reason: try c.decode(String.self, forKey: .reason))
        case .escalate: self = .escalate(try c.decode(CallDeadlineKind.self, forKey: .deadline))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .action)
        switch self {
        case .claim: break
        case .release(let note), .startCallback(let note), .close(let note):
            try c.encodeIfPresent(note, forKey: .note)
        case .note(let text): try c.encode(text, forKey: .note)
        case .dispatch(let responders, let note):
            try c.encode(responders, forKey: .responders)
            try c.encodeIfPresent(note, forKey: .note)
        case .updateResponder(let id, let status, let note):
            try c.encode(id, forKey: .responderId)
            try c.encode(status, forKey: .status)
            try c.encodeIfPresent(note, forKey: .note)
        case .resolve(let outcome, let note):
            try c.encode(outcome, forKey: .outcome)
            try c.encode(note, forKey: .note)
        case .recordFollowUp(let note, let reached):
            try c.encode(note, forKey: .note)
            try c.encode(reached, forKey: .reachedElder)
        case .reopen(let reason): try c.encode(reason, forKey: .reason)
        case .escalate(let deadline): try c.encode(deadline, forKey: .deadline)
        }
    }
}
