import Foundation

/// Why ``CallLifecycle/apply(_:to:by:at:)`` refused an action. Each case says enough for the
/// API to answer without looking anything up; ``message`` is the sentence for the problem's `detail`.
///
/// | case | API answer |
/// |---|---|
/// | ``notAllowed(action:status:allowed:)``, ``followUpRequired(outcome:)``, ``responderNotAllowed(responderId:from:to:allowed:)`` | 409 conflict |
/// | ``notClaimer(action:claimedBy:)``, ``notPermitted(action:reason:)`` | 403 forbidden |
/// | ``invalid(_:)`` | 422 validation |
public enum CallTransitionError: Error, Sendable, Equatable {
    /// The call's status does not allow the action. `allowed` lists what it does allow, for the
    /// console to offer instead.
    case notAllowed(action: CallActionKind, status: CallStatus, allowed: [CallActionKind])
    /// Someone else holds the call, and the actor is not a supervisor.
    case notClaimer(action: CallActionKind, claimedBy: Claimant)
    /// The action is the platform's own and a person tried it, or the other way round.
    case notPermitted(action: CallActionKind, reason: String)
    /// `close` on a resolved call whose outcome needs a follow-up call first.
    case followUpRequired(outcome: CallOutcome)
    /// The responder cannot move from their status to the one asked.
    case responderNotAllowed(responderId: Int, from: ResponderStatus, to: ResponderStatus, allowed: [ResponderStatus])
    /// The action's contents broke a rule: a blank note, an unknown responder, a bad phone number.
    case invalid(ValidationFailure)

    /// One sentence an operator can act on.
    ///
    /// ```
    /// The call is dispatched; claim is not allowed. Allowed: note, start_callback, dispatch, update_responder, resolve.
    /// ```
    public var message: String {
        switch self {
        case .notAllowed(let action, let status, let allowed):
            let list = allowed.isEmpty ? "nothing" : allowed.map(\.rawValue).joined(separator: ", ")
            return "The call is \(status.phrase); \(action) is not allowed. Allowed: \(list)."
        case .notClaimer(let action, let claimant):
            return "The call is held by \(claimant.name); only they or a supervisor may \(action) it."
        case .notPermitted(let action, let reason):
            return "\(action) is not permitted: \(reason)."
        case .followUpRequired(let outcome):
            return "The call was resolved as \(outcome.rawValue), which needs a follow-up call (record_follow_up) before close."
        case .responderNotAllowed(let id, let from, let to, let allowed):
            let list = allowed.isEmpty ? "none, \(from.rawValue) is final" : allowed.map(\.rawValue).joined(separator: ", ")
            return "Responder \(id) is \(from.rawValue) and cannot become \(to.rawValue). Allowed: \(list)."
        case .invalid(let failure):
            return failure.summary
        }
    }

    /// What the call allows instead, for a 409 answer; empty for the other cases.
    public var allowedActions: [CallActionKind] {
        if case .notAllowed(_, _, let allowed) = self { allowed } else { [] }
    }
}

extension CallStatus {
    /// The status in words, for sentences: `cancelled at the device`, `followed up`.
    var phrase: String {
        self == .cancelledAtDevice ? "cancelled at the device" : rawValue.replacingOccurrences(of: "_", with: " ")
    }
}
