import CareModel
import Foundation
import Testing

/// 2026-11-23T02:11:21Z, when the example call opened.
private let t0 = Date(timeIntervalSince1970: 1_795_399_881)

private let holder = CallActor(accountId: 17, name: "王芳")
private let colleague = CallActor(accountId: 23, name: "陈磊")
private let supervisor = CallActor(accountId: 5, name: "刘主任", isSupervisor: true)
private let claimant = Claimant(accountId: 17, name: "王芳")

private func contact(_ status: ResponderStatus = .onTheWay, id: Int = 1, at: Date = t0 + 90) -> Responder {
    Responder(
        id: id, kind: .emergencyContact, name: "李娟", phone: "13807751234", referenceId: 5531,
        status: status, assignedAt: at, updatedAt: at + 10)
}

/// A typical call in each status: held by 王芳 once claimed, with one responder on the way once
/// dispatched, resolved as `handled_by_phone` (which needs a follow-up).
private func fixture(_ status: CallStatus) -> CallState {
    var s = CallState(status: status, priority: .p1, stageSince: t0, version: 3)
    if status == .cancelledAtDevice { s.deviceCancelledAt = t0 + 20 }
    if !status.isUnclaimed {
        s.claimedBy = claimant
        s.claimedAt = t0 + 30
        s.stageSince = t0 + 30
    }
    if [.dispatched, .resolved, .followedUp, .closed].contains(status) {
        s.responders = [contact()]
        s.stageSince = t0 + 90
    }
    if [.resolved, .followedUp, .closed].contains(status) {
        s.outcome = .handledByPhone
        s.resolvedAt = t0 + 600
        s.stageSince = t0 + 600
    }
    if [.followedUp, .closed].contains(status) {
        s.followUpReachedElder = true
        s.followedUpAt = t0 + 86_000
        s.stageSince = t0 + 86_000
    }
    if status == .closed {
        s.closedAt = t0 + 86_100
        s.stageSince = t0 + 86_100
    }
    return s
}

/// A well-formed action of each kind, fit for the fixture in `status`.
private func sample(_ kind: CallActionKind, for status: CallStatus) -> CallAction {
    switch kind {
    case .claim: .claim
    case .release: .release()
    case .note: .note("Daughter phoned: she is on her way")
    case .startCallback: .startCallback()
    case .dispatch: .dispatch([ResponderAssignment(kind: .communityWorker, name: "黄建国", phone: "13977512345")])
    case .updateResponder: .updateResponder(responderId: 1, status: .onScene)
    case .resolve: .resolve(outcome: .handledByPhone, note: "Dizzy after standing up; sat down, feels better")
    case .recordFollowUp: .recordFollowUp(note: "Feeling fine", reachedElder: true)
    case .close: .close()
    case .reopen: .reopen(reason: "Called again: the dizziness is back")
    case .escalate:
        switch status {
        case .dispatched: .escalate(.responderOnScene)
        case .resolved: .escalate(.followUp)
        default: .escalate(.unclaimed)
        }
    }
}

/// `apply` as a value, to switch over.
private func attempt(_ action: CallAction, to state: CallState, by actor: CallActor) -> Result<CallTransition, CallTransitionError> {
    do {
        return .success(try CallLifecycle.apply(action, to: state, by: actor, at: t0 + 100_000))
    } catch {
        return .failure(error)
    }
}

private enum Expected: Equatable {
    case to(CallStatus)
    case notAllowed
    case followUpRequired
}

/// The transition table, written out again independently of the implementation.
private func expected(_ kind: CallActionKind, _ status: CallStatus) -> Expected {
    let table: [CallActionKind: [CallStatus: CallStatus]] = [
        .claim: [.new: .claimed, .cancelledAtDevice: .claimed],
        .release: [.claimed: .new, .contacting: .new],
        .note: Dictionary(uniqueKeysWithValues: CallStatus.allCases.map { ($0, $0) }),
        .startCallback: [.claimed: .contacting, .contacting: .contacting, .dispatched: .dispatched],
        .dispatch: [.claimed: .dispatched, .contacting: .dispatched, .dispatched: .dispatched],
        // The claimed and contacting fixtures have no responders to update.
        .updateResponder: [.dispatched: .dispatched, .resolved: .resolved],
        .resolve: [.claimed: .resolved, .contacting: .resolved, .dispatched: .resolved],
        .recordFollowUp: [.resolved: .followedUp],
        .close: [.followedUp: .closed],
        .reopen: [.resolved: .claimed, .followedUp: .claimed, .closed: .claimed],
        .escalate: [.new: .new, .cancelledAtDevice: .cancelledAtDevice, .dispatched: .dispatched, .resolved: .resolved],
    ]
    if kind == .close, status == .resolved { return .followUpRequired }
    return table[kind]?[status].map(Expected.to) ?? .notAllowed
}

@Suite("Call lifecycle: the transition table")
struct CallTransitionTableTests {
    @Test(arguments: CallStatus.allCases, CallActionKind.allCases)
    func everyStatusAndAction(status: CallStatus, kind: CallActionKind) {
        let state = fixture(status)
        let actor = kind.isSystemOnly ? CallActor.system : holder
        let want = expected(kind, status)
        let allowed = CallLifecycle.allowedActions(in: state, by: actor)
        switch attempt(sample(kind, for: status), to: state, by: actor) {
        case .success(let t):
            #expect(want == .to(t.state.status))
            #expect(t.entry.from == status && t.entry.to == t.state.status && t.entry.action == kind.rawValue)
            #expect(t.state.version == state.version + 1)
            #expect(allowed.contains(kind), "allowedActions must offer what apply accepts")
        case .failure(.notAllowed(let action, let current, let list)):
            #expect(want == .notAllowed)
            #expect(action == kind && current == status)
            #expect(list == CallLifecycle.allowedActions(in: state, by: kind.isSystemOnly ? .system : nil))
            #expect(!allowed.contains(kind))
        case .failure(.followUpRequired(let outcome)):
            #expect(want == .followUpRequired && outcome == .handledByPhone)
            #expect(!allowed.contains(kind))
        case .failure(let error):
            Issue.record("unexpected \(error)")
        }
    }

    @Test func theStaticTableMatchesTheDocumentation() {
        let table = Dictionary(uniqueKeysWithValues: CallActionKind.allCases.map { ($0, CallLifecycle.statuses(allowing: $0)) })
        #expect(table[.claim] == [.new, .cancelledAtDevice])
        #expect(table[.release] == [.claimed, .contacting])
        #expect(table[.note] == CallStatus.allCases)
        #expect(table[.startCallback] == [.claimed, .contacting, .dispatched])
        #expect(table[.dispatch] == [.claimed, .contacting, .dispatched])
        #expect(table[.updateResponder] == [.claimed, .contacting, .dispatched, .resolved])
        #expect(table[.resolve] == [.claimed, .contacting, .dispatched])
        #expect(table[.recordFollowUp] == [.resolved])
        #expect(table[.close] == [.resolved, .followedUp])
        #expect(table[.reopen] == [.resolved, .followedUp, .closed])
        #expect(table[.escalate] == [.new, .cancelledAtDevice, .dispatched, .resolved])
    }

    @Test func everyOperatorsActionHasARouteOfItsOwn() {
        let operators = CallActionKind.allCases.filter { !$0.isSystemOnly }
        let segments = operators.compactMap(\.pathSegment)
        #expect(segments.count == operators.count)
        #expect(Set(segments).count == segments.count)
        #expect(CallActionKind.allCases.filter(\.isSystemOnly).allSatisfy { $0.pathSegment == nil })
        #expect(CallActionKind.allCases.filter { !$0.isVersioned } == [.note])
    }

    @Test func allowedActionsForTheConsole() {
        #expect(CallLifecycle.allowedActions(in: fixture(.new)) == [.claim, .note])
        #expect(CallLifecycle.allowedActions(in: fixture(.cancelledAtDevice)) == [.claim, .note])
        #expect(CallLifecycle.allowedActions(in: fixture(.claimed)) == [.release, .note, .startCallback, .dispatch, .resolve])
        #expect(
            CallLifecycle.allowedActions(in: fixture(.dispatched))
                == [.note, .startCallback, .dispatch, .updateResponder, .resolve])
        #expect(CallLifecycle.allowedActions(in: fixture(.resolved)) == [.note, .updateResponder, .recordFollowUp, .reopen])
        #expect(CallLifecycle.allowedActions(in: fixture(.followedUp)) == [.note, .close, .reopen])
        #expect(CallLifecycle.allowedActions(in: fixture(.closed)) == [.note, .reopen])
        #expect(CallLifecycle.allowedActions(in: fixture(.new), by: .system) == [.escalate])
        #expect(CallLifecycle.allowedActions(in: fixture(.claimed), by: .system) == [])
    }

    @Test func theConflictNamesTheStatusAndWhatIsAllowed() {
        #expect(
            throws: CallTransitionError.notAllowed(
                action: .claim, status: .dispatched,
                allowed: [.note, .startCallback, .dispatch, .updateResponder, .resolve])
        ) {
            try CallLifecycle.apply(.claim, to: fixture(.dispatched), by: holder, at: t0)
        }
        let error = CallTransitionError.notAllowed(
            action: .claim, status: .dispatched,
            allowed: [.note, .startCallback, .dispatch, .updateResponder, .resolve])
        #expect(
            error.message
                == "The call is dispatched; claim is not allowed. Allowed: note, start_callback, dispatch, update_responder, resolve.")
        #expect(error.allowedActions == [.note, .startCallback, .dispatch, .updateResponder, .resolve])
        #expect(
            CallTransitionError.notAllowed(action: .resolve, status: .cancelledAtDevice, allowed: [.claim, .note]).message
                == "The call is cancelled at the device; resolve is not allowed. Allowed: claim, note.")
    }

    @Test func aCallTheDeviceCancelledMustBeClaimedBeforeItIsResolved() throws {
        let cancelled = fixture(.cancelledAtDevice)
        #expect(throws: CallTransitionError.notAllowed(action: .resolve, status: .cancelledAtDevice, allowed: [.claim, .note])) {
            try CallLifecycle.apply(.resolve(outcome: .falseAlarm, note: "Pressed by mistake"), to: cancelled, by: holder, at: t0)
        }
        let claimed = try CallLifecycle.apply(.claim, to: cancelled, by: holder, at: t0 + 40).state
        #expect(claimed.deviceCancelledAt == t0 + 20)
        let resolved = try CallLifecycle.apply(
            .resolve(outcome: .falseAlarm, note: "Confirmed with her: pressed by mistake"),
            to: claimed, by: holder, at: t0 + 70
        ).state
        #expect(resolved.status == .resolved && resolved.outcome == .falseAlarm)
        // Released instead, it goes back to the queue still marked as cancelled at the device.
        let released = try CallLifecycle.apply(.release(), to: claimed, by: holder, at: t0 + 50).state
        #expect(released.status == .cancelledAtDevice && released.claimedBy == nil && released.stageSince == t0 + 50)
    }

    @Test func aFalseAlarmIsResolvedStraightAfterClaimAndClosedWithoutFollowUp() throws {
        var s = try CallLifecycle.apply(.claim, to: fixture(.new), by: holder, at: t0 + 30).state
        s = try CallLifecycle.apply(
            .resolve(outcome: .falseAlarm, note: "Pendant pressed while dressing"),
            to: s, by: holder, at: t0 + 60
        ).state
        #expect(CallLifecycle.allowedActions(in: s) == [.note, .recordFollowUp, .close, .reopen])
        s = try CallLifecycle.apply(.close(), to: s, by: colleague, at: t0 + 90).state
        #expect(s.status == .closed && s.closedAt == t0 + 90 && !s.status.isOpen)
    }

    @Test func closingBeforeTheFollowUpIsRefusedWithTheReason() {
        #expect(throws: CallTransitionError.followUpRequired(outcome: .handledByPhone)) {
            try CallLifecycle.apply(.close(), to: fixture(.resolved), by: holder, at: t0)
        }
        #expect(
            CallTransitionError.followUpRequired(outcome: .handledByPhone).message
                == "The call was resolved as handled_by_phone, which needs a follow-up call (record_follow_up) before close.")
    }

    @Test func aSecondCallbackWhileDispatchedKeepsTheStatus() throws {
        let t = try CallLifecycle.apply(
            .startCallback(note: "Checking she is still conscious"), to: fixture(.dispatched),
            by: holder, at: t0 + 300)
        #expect(t.state.status == .dispatched && t.state.stageSince == t0 + 90)
        #expect(t.entry.note == "Checking she is still conscious" && !t.entry.changesStatus)
    }

    @Test func notesAreAllowedEvenOnClosedCallsAndChangeNothingButTheVersion() throws {
        let closed = fixture(.closed)
        let t = try CallLifecycle.apply(.note("Family sent thanks"), to: closed, by: colleague, at: t0 + 90_000)
        var same = t.state
        same.version = closed.version
        #expect(same == closed && t.state.version == closed.version + 1)
        #expect(throws: CallTransitionError.invalid(ValidationFailure(field: "note", reason: "must not be empty"))) {
            try CallLifecycle.apply(.note("  "), to: closed, by: colleague, at: t0)
        }
    }

    @Test func reopeningHandsTheCallToWhoeverReopensIt() throws {
        let t = try CallLifecycle.apply(
            .reopen(reason: "Called again: the pain in her hip is worse"), to: fixture(.closed),
            by: colleague, at: t0 + 90_000)
        let s = t.state
        #expect(s.status == .claimed && s.claimedBy == Claimant(accountId: 23, name: "陈磊") && s.claimedAt == t0 + 90_000)
        #expect(s.outcome == nil && s.resolvedAt == nil && s.followedUpAt == nil && s.followUpReachedElder == nil && s.closedAt == nil)
        #expect(s.responders == [contact()])
        #expect(s.status.isOpen)
        #expect(t.entry.note == "Called again: the pain in her hip is worse")
        #expect(t.entry.detail == ["previousOutcome": "handled_by_phone"])
        // The responders kept from before can still be updated, and the call dispatched again.
        #expect(CallLifecycle.allowedActions(in: s) == [.release, .note, .startCallback, .dispatch, .updateResponder, .resolve])
        #expect(throws: CallTransitionError.invalid(ValidationFailure(field: "reason", reason: "must not be empty"))) {
            try CallLifecycle.apply(.reopen(reason: ""), to: fixture(.closed), by: colleague, at: t0)
        }
    }
}

@Suite("Call lifecycle: who may act")
struct CallActorRuleTests {
    /// Everything a person may do to a held call, and whether a colleague may.
    @Test(arguments: [CallStatus.claimed, .contacting, .dispatched])
    func onlyTheHolderOrASupervisorMayWorkAHeldCall(status: CallStatus) throws {
        let state = fixture(status)
        for kind in CallLifecycle.allowedActions(in: state) {
            let action = sample(kind, for: status)
            if kind == .note {
                _ = try CallLifecycle.apply(action, to: state, by: colleague, at: t0 + 500)
            } else {
                #expect(throws: CallTransitionError.notClaimer(action: kind, claimedBy: claimant)) {
                    try CallLifecycle.apply(action, to: state, by: colleague, at: t0 + 500)
                }
            }
            let bySupervisor = try CallLifecycle.apply(action, to: state, by: supervisor, at: t0 + 500)
            if kind != .note {
                #expect(bySupervisor.entry.detail["claimant"] == "王芳" || bySupervisor.entry.detail["previousClaimant"] == "王芳")
            }
            let byHolder = try CallLifecycle.apply(action, to: state, by: holder, at: t0 + 500)
            #expect(byHolder.entry.detail["claimant"] == nil)
        }
        #expect(CallLifecycle.allowedActions(in: state, by: colleague) == [.note])
        #expect(CallLifecycle.allowedActions(in: state, by: supervisor) == CallLifecycle.allowedActions(in: state))
        #expect(
            CallTransitionError.notClaimer(action: .resolve, claimedBy: claimant).message
                == "The call is held by 王芳; only they or a supervisor may resolve it.")
    }

    @Test func aSupervisorReleasingSomeoneElsesCallIsRecorded() throws {
        let t = try CallLifecycle.apply(.release(note: "王芳 went home ill"), to: fixture(.contacting), by: supervisor, at: t0 + 400)
        #expect(t.state.status == .new && t.state.claimedBy == nil && t.state.claimedAt == nil)
        #expect(t.entry.detail == ["previousClaimant": "王芳", "previousClaimantId": "17"])
        #expect(t.entry.actorName == "刘主任" && t.entry.note == "王芳 went home ill")
    }

    @Test func anyoneMayClaimAndAnyoneMayFinishAResolvedCall() throws {
        let claimed = try CallLifecycle.apply(.claim, to: fixture(.new), by: colleague, at: t0 + 10)
        #expect(claimed.state.claimedBy == Claimant(accountId: 23, name: "陈磊"))
        // The follow-up happens next day, on another shift.
        let followed = try CallLifecycle.apply(
            .recordFollowUp(note: "Spoke to her son", reachedElder: false),
            to: fixture(.resolved), by: colleague, at: t0 + 80_000)
        #expect(followed.state.status == .followedUp && followed.state.followUpReachedElder == false)
        #expect(followed.state.claimedBy == claimant, "the record still says who handled the emergency")
        _ = try CallLifecycle.apply(
            .updateResponder(responderId: 1, status: .onScene), to: fixture(.resolved),
            by: colleague, at: t0 + 700)
        _ = try CallLifecycle.apply(.close(), to: fixture(.followedUp), by: colleague, at: t0 + 90_000)
    }

    @Test func onlyThePlatformEscalatesAndThePlatformDoesNothingElse() {
        #expect(
            throws: CallTransitionError.notPermitted(
                action: .escalate,
                reason: "only the platform escalates calls, when a deadline passes")
        ) {
            try CallLifecycle.apply(.escalate(.unclaimed), to: fixture(.new), by: supervisor, at: t0)
        }
        for kind in CallActionKind.allCases where !kind.isSystemOnly {
            #expect(
                throws: CallTransitionError.notPermitted(
                    action: kind,
                    reason: "the platform only escalates calls; a person must \(kind) it")
            ) {
                try CallLifecycle.apply(sample(kind, for: .new), to: fixture(.new), by: .system, at: t0)
            }
        }
    }

    @Test func anActorFromAPrincipal() {
        #expect(CallActor(Principal(accountId: 5, name: "刘主任", role: .supervisor)) == supervisor)
        #expect(CallActor(Principal(accountId: 1, name: "admin", role: .admin)).isSupervisor)
        #expect(!CallActor(Principal(accountId: 17, name: "王芳", role: .operator)).isSupervisor)
        #expect(CallActor.system.isSystem && !holder.isSystem)
    }
}

@Suite("Call lifecycle: responders")
struct CallResponderTests {
    @Test(arguments: ResponderStatus.allCases, ResponderStatus.allCases)
    func responderMoves(from: ResponderStatus, to: ResponderStatus) throws {
        let legal: Set<[ResponderStatus]> = [
            [.assigned, .onTheWay], [.assigned, .onScene], [.assigned, .declined],
            [.onTheWay, .onScene], [.onTheWay, .declined],
            [.onScene, .done],
        ]
        var state = fixture(.dispatched)
        state.responders = [contact(from)]
        let action = CallAction.updateResponder(responderId: 1, status: to, note: nil)
        if legal.contains([from, to]) {
            let t = try CallLifecycle.apply(action, to: state, by: holder, at: t0 + 700)
            #expect(t.state.responders[0].status == to && t.state.responders[0].updatedAt == t0 + 700)
            #expect(t.state.responders[0].onSceneAt == (to == .onScene ? t0 + 700 : nil))
            #expect(
                t.entry.detail == [
                    "responderId": "1", "responder": "李娟",
                    "responderFrom": from.rawValue, "responderTo": to.rawValue,
                ])
            #expect(t.state.status == .dispatched)
        } else {
            #expect(throws: CallTransitionError.responderNotAllowed(responderId: 1, from: from, to: to, allowed: from.next)) {
                try CallLifecycle.apply(action, to: state, by: holder, at: t0 + 700)
            }
        }
        #expect(from.canMove(to: to) == legal.contains([from, to]))
    }

    @Test func aResponderErrorSaysWhatIsAllowed() {
        #expect(
            CallTransitionError.responderNotAllowed(responderId: 2, from: .onTheWay, to: .done, allowed: [.onScene, .declined]).message
                == "Responder 2 is on_the_way and cannot become done. Allowed: on_scene, declined.")
        #expect(
            CallTransitionError.responderNotAllowed(responderId: 2, from: .done, to: .onScene, allowed: []).message
                == "Responder 2 is done and cannot become on_scene. Allowed: none, done is final.")
    }

    @Test func anUnknownResponderIsAValidationIssue() {
        #expect(
            throws: CallTransitionError.invalid(
                ValidationFailure(
                    field: "responderId",
                    reason: "is not a responder on this call; it has 1"))
        ) {
            try CallLifecycle.apply(.updateResponder(responderId: 7, status: .onScene), to: fixture(.dispatched), by: holder, at: t0)
        }
    }

    @Test func dispatchingNumbersRespondersAndKeepsTheStageClock() throws {
        let more = [
            ResponderAssignment(kind: .communityWorker, name: "黄建国", phone: "13977512345"),
            ResponderAssignment(kind: .ambulance120, name: "玉林120", phone: "120"),
        ]
        let t = try CallLifecycle.apply(
            .dispatch(more, note: "No answer at the door"), to: fixture(.dispatched),
            by: holder, at: t0 + 800)
        #expect(t.state.responders.map(\.id) == [1, 2, 3])
        #expect(
            t.state.responders[1]
                == Responder(
                    id: 2, kind: .communityWorker, name: "黄建国", phone: "13977512345",
                    status: .assigned, assignedAt: t0 + 800, updatedAt: t0 + 800))
        #expect(t.state.stageSince == t0 + 90, "already dispatched: the stage did not change")
        #expect(t.entry.detail == ["responderIds": "2,3"] && t.entry.note == "No answer at the door")

        let first = try CallLifecycle.apply(.dispatch([more[0]]), to: fixture(.contacting), by: holder, at: t0 + 200)
        #expect(first.state.status == .dispatched && first.state.stageSince == t0 + 200 && first.state.responders.map(\.id) == [1])
    }

    @Test func aDispatchIsCheckedWhole() {
        let bad = [
            ResponderAssignment(kind: .emergencyContact, name: "李娟", referenceId: 5531),
            ResponderAssignment(kind: .volunteer, name: " ", phone: "12"),
            ResponderAssignment(kind: .emergencyContact, name: "李强", referenceId: 5532),
            ResponderAssignment(kind: .emergencyContact, name: "李强", referenceId: 5532),
        ]
        #expect(
            throws: CallTransitionError.invalid(
                ValidationFailure([
                    FieldIssue(field: "responders[0].referenceId", reason: "names emergency_contact 5531, who is already on this call"),
                    FieldIssue(field: "responders[1].name", reason: "must not be empty"),
                    FieldIssue(
                        field: "responders[1].phone",
                        reason:
                            "must be a mainland mobile number (11 digits starting with 1) or a landline such as 0775-2821234"),
                    FieldIssue(field: "responders[3].referenceId", reason: "names emergency_contact 5532, who is already on this call"),
                ]))
        ) {
            try CallLifecycle.apply(.dispatch(bad), to: fixture(.dispatched), by: holder, at: t0)
        }
        #expect(throws: CallTransitionError.invalid(ValidationFailure(field: "responders", reason: "must name at least one responder"))) {
            try CallLifecycle.apply(.dispatch([]), to: fixture(.claimed), by: holder, at: t0)
        }
        // A contact who declined may be asked again.
        var declined = fixture(.dispatched)
        declined.responders = [contact(.declined)]
        #expect(throws: Never.self) {
            try CallLifecycle.apply(.dispatch([bad[0]]), to: declined, by: holder, at: t0)
        }
    }
}

@Suite("Call lifecycle: resolution and the timeline")
struct CallResolutionTests {
    @Test func resolvingNeedsANoteAndAnOutcomeThatFits() throws {
        var nobody = fixture(.claimed)
        nobody.responders = []
        #expect(
            throws: CallTransitionError.invalid(
                ValidationFailure([
                    FieldIssue(field: "note", reason: "must not be empty"),
                    FieldIssue(
                        field: "outcome",
                        reason:
                            "is attended_by_responder, but no responder was sent who did not decline; dispatch one or pick another outcome"),
                ]))
        ) {
            try CallLifecycle.apply(.resolve(outcome: .attendedByResponder, note: "\n"), to: nobody, by: holder, at: t0)
        }
        // The outcome is required by the body itself.
        #expect(throws: DecodingError.self) {
            try CareJSON.decoder.decode(CallAction.self, from: Data(#"{"action":"resolve","note":"Fine"}"#.utf8))
        }
        let t = try CallLifecycle.apply(
            .resolve(outcome: .attendedByResponder, note: "Helped her up; no injury"),
            to: fixture(.dispatched), by: holder, at: t0 + 1000)
        #expect(t.state.status == .resolved && t.state.outcome == .attendedByResponder && t.state.resolvedAt == t0 + 1000)
        #expect(t.state.stageSince == t0 + 1000)
        #expect(t.entry.detail == ["outcome": "attended_by_responder"])
    }

    @Test func aClaimEntry() throws {
        let t = try CallLifecycle.apply(.claim, to: fixture(.new), by: holder, at: t0 + 25)
        #expect(
            t.entry
                == CallTimelineEntry(
                    at: t0 + 25, actorId: 17, actorName: "王芳", action: "claim",
                    from: .new, to: .claimed, note: nil, detail: [:]))
        #expect(t.entry.actionKind == .claim && t.entry.changesStatus)
        #expect(t.state.claimedBy == claimant && t.state.claimedAt == t0 + 25 && t.state.stageSince == t0 + 25)
        #expect(t.state.version == 4)
    }

    @Test func anEscalationEntryHasNoActor() throws {
        let t = try CallLifecycle.apply(.escalate(.unclaimed), to: fixture(.new), by: .system, at: t0 + 61)
        #expect(
            t.entry
                == CallTimelineEntry(
                    at: t0 + 61, actorId: nil, actorName: nil, action: "escalate",
                    from: .new, to: .new, detail: ["deadline": "unclaimed", "count": "1"]))
        #expect(t.state.escalation == CallEscalation(deadline: .unclaimed, at: t0 + 61, count: 1))
        #expect(t.state.status == .new)
    }

    @Test func aTimelineEntryInJSON() throws {
        let entry = CallTimelineEntry(
            at: t0, actorId: 17, actorName: "王芳", action: "resolve", from: .dispatched,
            to: .resolved, note: "OK", detail: ["outcome": "false_alarm"])
        let json = String(decoding: try CareJSON.encoder.encode(entry), as: UTF8.self)
        #expect(json.contains(#""from":"dispatched""#) && json.contains(#""at":"2026-11-23T02:11:21Z""#))
        #expect(try CareJSON.decoder.decode(CallTimelineEntry.self, from: Data(json.utf8)) == entry)
        // Intake's own entries read back too; they are no operator's action.
        let intake = CallTimelineEntry(at: t0, actorId: nil, actorName: nil, action: "opened", from: .new, to: .new)
        #expect(intake.actionKind == nil)
    }

    @Test func aWholeCallFromAlarmToClose() throws {
        var s = CallState(status: .new, priority: .p1, stageSince: t0, version: 1)
        var entries: [CallTimelineEntry] = []
        func step(_ action: CallAction, by actor: CallActor = holder, after seconds: TimeInterval) throws {
            let t = try CallLifecycle.apply(action, to: s, by: actor, at: t0 + seconds)
            s = t.state
            entries.append(t.entry)
        }
        try step(.claim, after: 20)
        try step(.startCallback(), after: 30)
        try step(.note("No answer after 3 rings"), after: 60)
        try step(
            .dispatch([ResponderAssignment(kind: .emergencyContact, name: "李娟", phone: "13807751234", referenceId: 5531)]),
            after: 90)
        try step(.updateResponder(responderId: 1, status: .onTheWay), after: 150)
        try step(.updateResponder(responderId: 1, status: .onScene, note: "Let herself in"), after: 900)
        try step(.resolve(outcome: .attendedByResponder, note: "Slipped, no injury"), after: 1000)
        try step(.updateResponder(responderId: 1, status: .done), after: 1200)
        try step(.recordFollowUp(note: "Fine, daughter staying tonight", reachedElder: true), by: colleague, after: 80_000)
        try step(.close(), by: colleague, after: 80_100)
        #expect(
            entries.map(\.to) == [
                .claimed, .contacting, .contacting, .dispatched, .dispatched, .dispatched,
                .resolved, .resolved, .followedUp, .closed,
            ])
        #expect(s.version == 11 && s.responders[0].onSceneAt == t0 + 900 && s.responders[0].status == .done)
        #expect(s.claimedBy == claimant && s.followUpReachedElder == true && s.closedAt == t0 + 80_100)
    }
}

@Suite("Call lifecycle: JSON")
struct CallLifecycleJSONTests {
    @Test func statusRawValuesAndWhatIsOpen() throws {
        #expect(
            CallStatus.allCases.map(\.rawValue)
                == ["new", "cancelled_at_device", "claimed", "contacting", "dispatched", "resolved", "followed_up", "closed"])
        #expect(CallStatus.allCases.filter(\.isOpen) == [.new, .cancelledAtDevice, .claimed, .contacting, .dispatched])
        // Rows written by intake before the lifecycle existed.
        #expect(
            try CareJSON.decoder.decode([CallStatus].self, from: Data(#"["new","cancelled_at_device"]"#.utf8))
                == [.new, .cancelledAtDevice])
        for status in CallStatus.allCases {
            let json = try CareJSON.encoder.encode(status)
            #expect(String(decoding: json, as: UTF8.self) == "\"\(status.rawValue)\"")
            #expect(try CareJSON.decoder.decode(CallStatus.self, from: json) == status)
        }
        #expect(
            CallOutcome.allCases.map(\.rawValue) == [
                "false_alarm", "handled_by_phone", "attended_by_responder",
                "taken_to_hospital", "elder_not_found", "device_fault",
            ])
        #expect(
            ResponderKind.allCases.map(\.rawValue)
                == ["emergency_contact", "community_worker", "volunteer", "provider_worker", "ambulance_120"])
        #expect(ResponderStatus.allCases.map(\.rawValue) == ["assigned", "on_the_way", "on_scene", "done", "declined"])
    }

    @Test func aCallStateForAnExistingRow() {
        let call = Call(
            id: 4812, elderId: 1093, deviceId: "SOS-00000042", code: .fall, priority: .p1, reason: "Fall detected (P1)",
            status: .cancelledAtDevice, eventCount: 2, openedAt: t0, lastEventAt: t0 + 30, cancelledAt: t0 + 60,
            version: 3)
        #expect(
            CallState(opened: call)
                == CallState(
                    status: .cancelledAtDevice, priority: .p1, stageSince: t0,
                    deviceCancelledAt: t0 + 60, version: 3))
    }

    /// The bodies the documentation shows, each decoded and encoded back to the same JSON.
    @Test(arguments: [
        #"{"action":"claim"}"#,
        #"{"action":"release","note":"Going off shift"}"#,
        #"{"action":"note","note":"Daughter phoned in: she is on her way"}"#,
        #"{"action":"start_callback"}"#,
        #"{"action":"dispatch","responders":[{"kind":"emergency_contact","name":"李娟","phone":"13807751234","referenceId":5531}]}"#,
        #"{"action":"update_responder","note":"Let herself in with her key","responderId":1,"status":"on_scene"}"#,
        #"{"action":"resolve","note":"Slipped in the bathroom, no injury","outcome":"attended_by_responder"}"#,
        #"{"action":"record_follow_up","note":"Feeling fine","reachedElder":true}"#,
        #"{"action":"close"}"#,
        #"{"action":"reopen","reason":"Elder called again"}"#,
        #"{"action":"escalate","deadline":"unclaimed"}"#,
    ])
    func actionBodiesRoundTrip(json: String) throws {
        let action = try CareJSON.decoder.decode(CallAction.self, from: Data(json.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(action), as: UTF8.self) == json)
        #expect(json.contains(#""action":"\#(action.kind.rawValue)""#))
    }

    @Test func anUnknownActionNamesTheKnownOnes() {
        do {
            _ = try CareJSON.decoder.decode(CallAction.self, from: Data(#"{"action":"acknowledge"}"#.utf8))
            Issue.record("decoded an unknown action")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(
                context.debugDescription == "\"acknowledge\" is not a call action; use one of: claim, release, note, "
                    + "start_callback, dispatch, update_responder, resolve, record_follow_up, close, reopen, escalate")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aCallStateRoundTrips() throws {
        var s = fixture(.dispatched)
        s.escalation = CallEscalation(deadline: .responderOnScene, at: t0 + 1300, count: 2)
        let json = try CareJSON.encoder.encode(s)
        let text = String(decoding: json, as: UTF8.self)
        #expect(
            text.contains(#""priority":"P1""#) && text.contains(#""status":"on_the_way""#)
                && text.contains(#""deadline":"responder_on_scene""#))
        #expect(try CareJSON.decoder.decode(CallState.self, from: json) == s)
    }
}

@Suite("Call lifecycle: escalation deadlines")
struct EscalationPolicyTests {
    private let policy = EscalationPolicy.default

    @Test(arguments: [(Priority.p1, 60), (.p2, 180), (.p3, 900), (.p4, 3600)])
    func unclaimedCallsByPriority(priority: Priority, seconds: Int) {
        for status in [CallStatus.new, .cancelledAtDevice] {
            var s = fixture(status)
            s.priority = priority
            #expect(policy.nextDeadline(for: s) == CallDeadline(kind: .unclaimed, due: t0 + TimeInterval(seconds)))
        }
    }

    @Test func anEscalationReArmsOneIntervalLaterAndCounts() throws {
        var s = fixture(.new)
        s = try CallLifecycle.apply(.escalate(.unclaimed), to: s, by: .system, at: t0 + 62).state
        #expect(policy.nextDeadline(for: s) == CallDeadline(kind: .unclaimed, due: t0 + 122))
        s = try CallLifecycle.apply(.escalate(.unclaimed), to: s, by: .system, at: t0 + 123).state
        #expect(s.escalation == CallEscalation(deadline: .unclaimed, at: t0 + 123, count: 2))
        #expect(policy.nextDeadline(for: s) == CallDeadline(kind: .unclaimed, due: t0 + 183))
        // Claiming stops the clock and clears the flag.
        let claimed = try CallLifecycle.apply(.claim, to: s, by: holder, at: t0 + 130).state
        #expect(claimed.escalation == nil && policy.nextDeadline(for: claimed) == nil)
        // Released, the call waits afresh.
        let released = try CallLifecycle.apply(.release(), to: claimed, by: holder, at: t0 + 200).state
        #expect(policy.nextDeadline(for: released) == CallDeadline(kind: .unclaimed, due: t0 + 260))
    }

    @Test func aStaleSweepIsRefused() {
        #expect(throws: CallTransitionError.notAllowed(action: .escalate, status: .claimed, allowed: [])) {
            try CallLifecycle.apply(.escalate(.unclaimed), to: fixture(.claimed), by: .system, at: t0 + 61)
        }
        #expect(throws: CallTransitionError.notAllowed(action: .escalate, status: .dispatched, allowed: [.escalate])) {
            try CallLifecycle.apply(.escalate(.unclaimed), to: fixture(.dispatched), by: .system, at: t0 + 61)
        }
    }

    @Test func respondersMustReachTheElderInTime() throws {
        var s = fixture(.dispatched)
        s.responders.append(contact(.assigned, id: 2, at: t0 + 300))
        #expect(policy.nextDeadline(for: s) == CallDeadline(kind: .responderOnScene, due: t0 + 90 + 1200))
        s = try CallLifecycle.apply(.escalate(.responderOnScene), to: s, by: .system, at: t0 + 1291).state
        #expect(policy.nextDeadline(for: s) == CallDeadline(kind: .responderOnScene, due: t0 + 1291 + 1200))
        // The first arrives: the second's clock runs, and the escalation about the first is over.
        s = try CallLifecycle.apply(.updateResponder(responderId: 1, status: .onScene), to: s, by: holder, at: t0 + 1400).state
        #expect(s.escalation == nil)
        #expect(policy.nextDeadline(for: s) == CallDeadline(kind: .responderOnScene, due: t0 + 300 + 1200))
        s = try CallLifecycle.apply(
            .updateResponder(responderId: 2, status: .declined, note: "Out of town"), to: s,
            by: holder, at: t0 + 1500
        ).state
        #expect(policy.nextDeadline(for: s) == nil)
    }

    @Test func followUpIsDueTheNextDayWhenTheOutcomeNeedsOne() throws {
        let resolved = fixture(.resolved)
        #expect(policy.nextDeadline(for: resolved) == CallDeadline(kind: .followUp, due: t0 + 600 + 86_400))
        var falseAlarm = resolved
        falseAlarm.outcome = .falseAlarm
        #expect(policy.nextDeadline(for: falseAlarm) == nil)
        #expect(policy.nextDeadline(for: fixture(.followedUp)) == nil)
        #expect(policy.nextDeadline(for: fixture(.closed)) == nil)
        #expect(policy.nextDeadline(for: fixture(.claimed)) == nil)
        #expect(policy.nextDeadline(for: fixture(.contacting)) == nil)
        let followed = try CallLifecycle.apply(.escalate(.followUp), to: resolved, by: .system, at: t0 + 87_001)
        #expect(followed.state.status == .resolved && followed.entry.detail["deadline"] == "follow_up")
    }

    @Test func thePolicyInJSONAndItsChecks() throws {
        let json = #"{"unclaimedAfter":{"P1":60,"P2":180,"P3":900,"P4":3600},"responderOnSceneWithin":1200,"followUpWithin":86400}"#
        #expect(try CareJSON.decoder.decode(EscalationPolicy.self, from: Data(json.utf8)) == .default)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(
            String(decoding: try encoder.encode(EscalationPolicy.default), as: UTF8.self)
                == #"{"followUpWithin":86400,"responderOnSceneWithin":1200,"unclaimedAfter":{"P1":60,"P2":180,"P3":900,"P4":3600}}"#)
        #expect(throws: Never.self) { try EscalationPolicy.default.validate() }
        let zero = EscalationPolicy(unclaimedAfter: SecondsByPriority(p1: 0, p2: 180, p3: 900, p4: 3600), followUpWithin: -1)
        #expect(
            throws: ValidationFailure([
                FieldIssue(field: "unclaimedAfter.P1", reason: "must be a positive number of seconds"),
                FieldIssue(field: "followUpWithin", reason: "must be a positive number of seconds"),
            ])
        ) { try zero.validate() }
        #expect(CallDeadline(kind: .unclaimed, due: t0 + 0.25).dueMillis == 1_795_399_881_250)
    }
}
