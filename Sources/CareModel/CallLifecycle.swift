import Foundation

/// What an applied action leaves behind: the call's new state, and the line to append to its timeline.
public struct CallTransition: Sendable, Hashable {
    public var state: CallState
    public var entry: CallTimelineEntry

    public init(state: CallState, entry: CallTimelineEntry) { self.state = state; self.entry = entry }
}

/// The call-handling state machine: which actions each status allows, who may take them, and
/// what they change. Pure: no clock, no database. The store reads the call's ``CallState``, asks
/// ``apply(_:to:by:at:)``, and writes the result back where the version still matches
/// (optimistic locking is the store's job), with ``EscalationPolicy/nextDeadline(for:)``.
///
/// Which action each status allows, and where it leads (`=` stays in the same status):
///
/// | action | new | cancelled_at_device | claimed | contacting | dispatched | resolved | followed_up | closed |
/// |---|---|---|---|---|---|---|---|---|
/// | `claim` | claimed | claimed | | | | | | |
/// | `release` | | | new¹ | new¹ | | | | |
/// | `note` | = | = | = | = | = | = | = | = |
/// | `start_callback` | | | contacting | = | = | | | |
/// | `dispatch` | | | dispatched | dispatched | = | | | |
/// | `update_responder`² | | | = | = | = | = | | |
/// | `resolve` | | | resolved | resolved | resolved | | | |
/// | `record_follow_up` | | | | | | followed_up | | |
/// | `close` | | | | | | closed³ | closed | |
/// | `reopen` | | | | | | claimed | claimed | claimed |
/// | `escalate`⁴ | = | = | | | = | = | | |
///
/// 1. Back to `cancelled_at_device` instead when the device had cancelled, so the queue still shows it.
/// 2. Only when the call has responders (in `claimed` and `contacting`, only a reopened call does).
///    Allowed after resolution so responders can still report `done`.
/// 3. Only for outcomes that need no follow-up (``CallOutcome/needsFollowUp``): a false alarm, a device fault.
/// 4. The platform's action, and only while the deadline it names runs (``CallState/runningDeadline``).
///
/// Who may act:
/// - `escalate` is the platform's (``CallActor/system``) and nobody else's; everything else is a person's.
/// - On a held call (`claimed`, `contacting`, `dispatched`) only the holder or a supervisor may act,
///   except `note`: a colleague taking a call from the daughter must be able to write it down.
/// - Once resolved, the call is nobody's: the follow-up (回访) is made next day, usually by
///   another shift, so any operator may record it, close, reopen or update a responder.
///
/// Other choices:
/// - A `cancelled_at_device` call must be claimed before it is resolved, because an operator has
///   to confirm with the elder that the cancel was real.
/// - `start_callback` from `contacting` is a further attempt; from `dispatched` it is a call to the
///   elder while help is on the way, and the status stays `dispatched`, which says more.
/// - `reopen` hands the call back to whoever reopens it (`claimed`), since they are the one about
///   to work on it; they can `release` it if it should go to someone else. It clears the outcome and
///   the follow-up (the timeline keeps them) and keeps the responders.
/// - Every applied action bumps the version, notes too; notes change no state, so the API need not
///   demand a matching version for them.
public enum CallLifecycle {
    /// The longest note or reason, in characters.
    public static let maxNoteLength = 2000
    /// The most responders one `dispatch` may send.
    public static let maxRespondersPerDispatch = 10

    /// The statuses in which `kind` may be taken, before the rules about state and actor.
    public static func statuses(allowing kind: CallActionKind) -> [CallStatus] {
        switch kind {
        case .claim: [.new, .cancelledAtDevice]
        case .release: [.claimed, .contacting]
        case .note: CallStatus.allCases
        case .startCallback, .dispatch, .resolve: [.claimed, .contacting, .dispatched]
        case .updateResponder: [.claimed, .contacting, .dispatched, .resolved]
        case .recordFollowUp: [.resolved]
        case .close: [.resolved, .followedUp]
        case .reopen: [.resolved, .followedUp, .closed]
        case .escalate: [.new, .cancelledAtDevice, .dispatched, .resolved]
        }
    }

    /// What can be done to the call now, in a stable order, for the console's buttons.
    ///
    /// Without an actor: the people's actions the call allows, whoever holds it. With one: only
    /// what that actor may do (the holder or a supervisor on a held call; the platform may only escalate).
    ///
    /// ```swift
    /// CallLifecycle.allowedActions(in: newCall)          // [.claim, .note]
    /// CallLifecycle.allowedActions(in: held, by: other)  // [.note]
    /// ```
    public static func allowedActions(in state: CallState, by actor: CallActor? = nil) -> [CallActionKind] {
        CallActionKind.allCases.filter { refusal($0, in: state, by: actor) == nil }
    }

    /// Applies `action`, taken by `actor` at `now`, to a call in `state`.
    ///
    /// Checks in this order, so the answer names the first thing to fix: who may take the action
    /// at all, whether the status allows it (409 with the allowed actions), whether the actor holds
    /// the call (403), then the action's contents (422, every issue at once), then a responder's move (409).
    public static func apply(
        _ action: CallAction, to state: CallState, by actor: CallActor,
        at now: Date
    ) throws(CallTransitionError) -> CallTransition {
        let kind = action.kind
        if let refused = refusal(kind, in: state, by: actor) {
            throw error(for: refused, kind, state, actor)
        }

        var next = state
        next.version += 1
        var detail: [String: String] = [:]
        var v = Validator()
        // A supervisor acting on someone else's call: the timeline says so.
        if state.status.isHeld, kind != .note, let claimant = state.claimedBy, !state.isHeld(by: actor) {
            detail["claimant"] = claimant.name
            detail["claimantId"] = String(claimant.accountId)
        }
        func enter(_ status: CallStatus) {
            if next.status != status { next.stageSince = now }
            next.status = status
        }

        switch action {
        case .claim:
            // The refusal rules keep the platform (the only actor without an account) from claiming.
            guard let id = actor.accountId else { throw .notPermitted(action: kind, reason: "only a person can claim a call") }
            enter(.claimed)
            next.claimedBy = Claimant(accountId: id, name: actor.name)
            next.claimedAt = now

        case .release(let note):
            v.checkText(note, "note", required: false, maxLength: maxNoteLength)
            if let claimant = state.claimedBy {
                detail["previousClaimant"] = claimant.name
                detail["previousClaimantId"] = String(claimant.accountId)
            }
            detail["claimant"] = nil
            detail["claimantId"] = nil
            // Back in the queue, so the unclaimed deadline runs again, from now.
            enter(state.deviceCancelledAt == nil ? .new : .cancelledAtDevice)
            next.claimedBy = nil
            next.claimedAt = nil

        case .note(let text):
            v.checkText(text, "note", maxLength: maxNoteLength)

        case .startCallback(let note):
            v.checkText(note, "note", required: false, maxLength: maxNoteLength)
            if state.status == .claimed { enter(.contacting) }

        case .dispatch(let assignments, let note):
            v.checkText(note, "note", required: false, maxLength: maxNoteLength)
            checkAssignments(assignments, against: state.responders, into: &v)
            var id = (state.responders.map(\.id).max() ?? 0)
            var ids: [String] = []
            for assignment in assignments {
                id += 1
                next.responders.append(Responder(id: id, assignment: assignment, at: now))
                ids.append(String(id))
            }
            detail["responderIds"] = ids.joined(separator: ",")
            enter(.dispatched)

        case .updateResponder(let id, let status, let note):
            v.checkText(note, "note", required: false, maxLength: maxNoteLength)
            guard let index = state.responders.firstIndex(where: { $0.id == id }) else {
                v.add(
                    "responderId",
                    "is not a responder on this call; it has "
                        + state.responders.map { String($0.id) }.joined(separator: ", "))
                throw .invalid(ValidationFailure(v.issues))
            }
            try finish(v)
            let responder = state.responders[index]
            guard responder.status.canMove(to: status) else {
                throw .responderNotAllowed(responderId: id, from: responder.status, to: status, allowed: responder.status.next)
            }
            next.responders[index].status = status
            next.responders[index].updatedAt = now
            if status == .onScene { next.responders[index].onSceneAt = now }
            detail["responderId"] = String(id)
            detail["responder"] = responder.name
            detail["responderFrom"] = responder.status.rawValue
            detail["responderTo"] = status.rawValue

        case .resolve(let outcome, let note):
            v.checkText(note, "note", maxLength: maxNoteLength)
            if outcome == .attendedByResponder {
                v.check(
                    state.responders.contains { $0.status != .declined }, "outcome",
                    "is attended_by_responder, but no responder was sent who did not decline; dispatch one or pick another outcome")
            }
            enter(.resolved)
            next.outcome = outcome
            next.resolvedAt = now
            detail["outcome"] = outcome.rawValue

        case .recordFollowUp(let note, let reachedElder):
            v.checkText(note, "note", maxLength: maxNoteLength)
            enter(.followedUp)
            next.followUpReachedElder = reachedElder
            next.followedUpAt = now
            detail["reachedElder"] = String(reachedElder)

        case .close(let note):
            v.checkText(note, "note", required: false, maxLength: maxNoteLength)
            enter(.closed)
            next.closedAt = now

        case .reopen(let reason):
            v.checkText(reason, "reason", maxLength: maxNoteLength)
            guard let id = actor.accountId else { throw .notPermitted(action: kind, reason: "only a person can reopen a call") }
            if let outcome = state.outcome { detail["previousOutcome"] = outcome.rawValue }
            enter(.claimed)
            next.claimedBy = Claimant(accountId: id, name: actor.name)
            next.claimedAt = now
            next.outcome = nil
            next.resolvedAt = nil
            next.followUpReachedElder = nil
            next.followedUpAt = nil
            next.closedAt = nil

        case .escalate(let deadline):
            guard state.runningDeadline?.kind == deadline else {
                // A stale sweep: the call moved on after the deadline was computed.
                throw .notAllowed(action: kind, status: state.status, allowed: allowedActions(in: state, by: .system))
            }
            let count = (state.escalation?.deadline == deadline ? state.escalation?.count ?? 0 : 0) + 1
            next.escalation = CallEscalation(deadline: deadline, at: now, count: count)
            detail["deadline"] = deadline.rawValue
            detail["count"] = String(count)
        }
        try finish(v)

        // An escalation belongs to the deadline it was about; once that deadline stops running
        // (claimed, arrived, followed up) or restarts (released), the flag goes.
        if kind != .escalate {
            let before = state.runningDeadline, after = next.runningDeadline
            if before?.kind != after?.kind || before?.since != after?.since { next.escalation = nil }
        }

        let entry = CallTimelineEntry(
            at: now, actorId: actor.accountId, actorName: actor.isSystem ? nil : actor.name,
            action: kind.rawValue, from: state.status, to: next.status,
            note: action.note, detail: detail)
        return CallTransition(state: next, entry: entry)
    }

    // MARK: - The rules

    /// Why an action is refused before its contents are looked at.
    enum Refusal: Equatable {
        case notPermitted(String)
        case notAllowed
        case followUpRequired(CallOutcome)
        case notClaimer(Claimant)
    }

    /// The one place the rules live: ``apply(_:to:by:at:)`` and ``allowedActions(in:by:)`` both ask
    /// it, so the console never offers what the API would refuse. A nil actor asks for a person,
    /// whoever holds the call.
    static func refusal(_ kind: CallActionKind, in state: CallState, by actor: CallActor?) -> Refusal? {
        let isSystem = actor?.isSystem ?? false
        if kind.isSystemOnly != isSystem {
            return .notPermitted(
                isSystem
                    ? "the platform only escalates calls; a person must \(kind) it"
                    : "only the platform escalates calls, when a deadline passes")
        }
        guard statuses(allowing: kind).contains(state.status) else { return .notAllowed }
        switch kind {
        case .updateResponder where state.responders.isEmpty:
            return .notAllowed
        case .escalate where state.runningDeadline == nil:
            return .notAllowed
        case .close where state.status == .resolved:
            if let outcome = state.outcome, outcome.needsFollowUp { return .followUpRequired(outcome) }
        default:
            break
        }
        if let actor, !isSystem, state.status.isHeld, kind != .note, !actor.isSupervisor,
            let claimant = state.claimedBy, !state.isHeld(by: actor)
        {
            return .notClaimer(claimant)
        }
        return nil
    }

    static func error(
        for refusal: Refusal, _ kind: CallActionKind, _ state: CallState,
        _ actor: CallActor
    ) -> CallTransitionError {
        switch refusal {
        case .notPermitted(let reason): .notPermitted(action: kind, reason: reason)
        case .notAllowed:
            .notAllowed(
                action: kind, status: state.status,
                allowed: allowedActions(in: state, by: actor.isSystem ? .system : nil))
        case .followUpRequired(let outcome): .followUpRequired(outcome: outcome)
        case .notClaimer(let claimant): .notClaimer(action: kind, claimedBy: claimant)
        }
    }

    static func finish(_ v: Validator) throws(CallTransitionError) {
        do { try v.finish() } catch { throw .invalid(error) }
    }

    /// Each responder needs a name and, if given, a phone number that can be dialled; a registry
    /// person (same kind and reference) already on the way is not sent twice.
    static func checkAssignments(
        _ assignments: [ResponderAssignment], against responders: [Responder],
        into v: inout Validator
    ) {
        v.check(!assignments.isEmpty, "responders", "must name at least one responder")
        v.check(
            assignments.count <= maxRespondersPerDispatch, "responders",
            "may name at most \(maxRespondersPerDispatch) responders at once")
        var sent = Set(responders.filter(\.status.isActive).compactMap { r in r.referenceId.map { "\(r.kind.rawValue):\($0)" } })
        for (i, a) in assignments.enumerated() {
            v.checkText(a.name, "responders[\(i)].name", maxLength: 50)
            v.checkPhone(a.phone, "responders[\(i)].phone", required: false)
            if let ref = a.referenceId {
                let key = "\(a.kind.rawValue):\(ref)"
                v.check(
                    !sent.contains(key), "responders[\(i)].referenceId",
                    "names \(a.kind.rawValue) \(ref), who is already on this call")
                sent.insert(key)
            }
        }
    }
}
