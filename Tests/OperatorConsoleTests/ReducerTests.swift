import CareModel
import Foundation
import Testing

@testable import OperatorConsole

@Suite struct QueueKeyTests {
    @Test func movingThroughTheQueue() {
        var state = Fixture.state()
        #expect(state.selectedCall?.id == 4813)
        state.press(.char("j"))
        #expect(state.selectedCall?.id == 4812)
        state.press(.down, .down)
        #expect(state.selectedCall?.id == 4801)
        state.press(.up, .char("k"))
        #expect(state.selectedCall?.id == 4812)
        state.press(.char("G"))
        #expect(state.selectedCall?.id == 4700)
        state.press(.char("j"))
        #expect(state.selectedCall?.id == 4700)
        state.press(.char("g"))
        #expect(state.selectedCall?.id == 4813)
        state.press(.char("k"))
        #expect(state.selection == 0)
    }

    @Test func theSelectionFollowsItsCallWhenTheQueueReorders() {
        var state = Fixture.state()
        state.press(.down, .down)
        #expect(state.selectedCall?.id == 4790)
        var raised = Fixture.door
        raised.priority = .p1
        raised.version = 3
        state.apply(.callChanged(raised, eventID: "77"))
        #expect(state.selectedCall?.id == 4790)
        #expect(state.selection == 3)
    }

    @Test func enterOpensTheCallAndLoadsIt() {
        var state = Fixture.state()
        let effects = state.press(.enter)
        #expect(effects == [.loadDetail(4813)])
        #expect(state.screen == .call(4813))
        #expect(state.detailLoading)
        state.press(.char("q"))
        #expect(state.screen == .queue)
        #expect(state.selectedCall?.id == 4813)
    }

    @Test func claimingFromTheQueueSendsTheVersionSeenAndOpensTheCall() {
        var state = Fixture.state()
        state.press(.char("j"))
        let effects = state.press(.char("c"))
        let claim = ActionRequest(callId: 4812, action: .claim, version: 2)
        #expect(effects == [.perform(claim), .loadDetail(4812)])
        #expect(state.pending == [claim])
        #expect(state.screen == .call(4812))
        #expect(state.screen(width: 80, height: 24)[22].contains("working… claiming #4812"))
    }

    @Test func aCallSomeoneHoldsIsNotClaimed() {
        var state = Fixture.state()
        state.press(.down, .down)  // 4790, 李明's
        #expect(state.press(.char("c")) == [])
        #expect(state.flash?.text == "Call #4790 cannot be claimed: 李明 holds it.")
        #expect(state.flash?.kind == .error)
    }

    @Test func filteringByTypingWords() {
        var state = Fixture.state()
        state.press(.char("/"))
        #expect(state.prompt == .filter(text: ""))
        state.type("p9x")
        state.press(.backspace, .backspace, .backspace)
        state.type("p1")
        state.press(.enter)
        #expect(state.prompt == nil)
        #expect(state.queue.filter.priorities == [.p1])
        #expect(state.queue.visible.map(\.id) == [4813, 4812])
        // `/` again starts from the current filter.
        state.press(.char("/"))
        #expect(state.prompt == .filter(text: "p1 "))
        state.type("mine")
        state.press(.enter)
        #expect(state.queue.visible.map(\.id) == [4813])
        // Esc clears the message first, then the filter.
        state.flash = nil
        state.press(.escape)
        #expect(state.queue.filter.isEmpty)
        #expect(state.queue.visible.count == 5)
        // Esc inside the prompt leaves the filter as it was.
        state.press(.char("/"))
        state.type("p4")
        state.press(.escape)
        #expect(state.queue.filter.isEmpty)
    }

    @Test func mTogglesMine() {
        var state = Fixture.state()
        state.press(.char("m"))
        #expect(state.queue.visible.map(\.id) == [4813])
        state.press(.char("m"))
        #expect(state.queue.visible.count == 5)
    }

    @Test func quittingAsksWhenYouHoldCalls() {
        var state = Fixture.state()
        #expect(state.press(.char("q")) == [])
        guard case .confirmQuit(let question) = state.prompt else { Issue.record("no question"); return }
        #expect(question.contains("You hold 1 open call"))
        #expect(state.press(.char("n")) == [])
        #expect(state.prompt == nil)
        #expect(state.press(.char("q"), .char("y")) == [.quit])
        // Ctrl-C does not ask.
        var other = Fixture.state()
        #expect(other.press(.ctrlC) == [.quit])
        other.press(.char("/"))
        #expect(other.press(.ctrlC) == [.quit])
    }

    @Test func helpAndBack() {
        var state = Fixture.state()
        state.press(.enter)
        state.press(.char("?"))
        #expect(state.screen == .help)
        state.press(.char("q"))
        #expect(state.screen == .call(4813))
    }

    @Test func supervisorViewRefreshesEveryFiveSeconds() {
        var state = Fixture.state()
        #expect(state.press(.char("s")) == [.loadOverview])
        #expect(state.screen == .supervisor)
        #expect(state.apply(.tick(Fixture.now.addingTimeInterval(1))) == [])
        state.apply(
            .overviewLoaded(
                CallOverview(
                    openByPriority: ["P1": 2, "P2": 1, "P3": 1, "P4": 1], unclaimed: 3,
                    escalated: 1, oldestUnclaimed: Fixture.offline,
                    claimedWithin60sToday: 0.982, claimedToday: 57,
                    operatorsOnline: ["王芳", "李明"])))
        #expect(state.apply(.tick(Fixture.now.addingTimeInterval(4))) == [])
        #expect(state.apply(.tick(Fixture.now.addingTimeInterval(7))) == [.loadOverview])
        #expect(state.press(.enter) == [.loadDetail(4700)])
    }
}

@Suite struct CallScreenKeyTests {
    /// On the call screen of ``Fixture/fall``, loaded as `detail`.
    private func onCall(_ detail: CallDetail) -> ConsoleState {
        var state = Fixture.state()
        state.press(.char("j"), .enter)
        state.apply(.detailLoaded(detail))
        return state
    }

    private var held: CallDetail {
        Fixture.detail(
            status: .claimed, version: 3, claimedBy: Claimant(accountId: 17, name: "王芳"),
            allowed: [.release, .note, .startCallback, .dispatch, .resolve])
    }

    @Test func actionsTheCallDoesNotAllowSaySoPlainly() {
        var state = onCall(Fixture.detail())
        #expect(state.press(.char("x")) == [])
        #expect(state.flash?.text == "You cannot resolve call #4812 now: it is new (待接警). Claim it first (c).")
        var other = onCall(Fixture.detail(status: .claimed, version: 3, claimedBy: Fixture.colleague, allowed: [.note]))
        #expect(other.press(.char("d")) == [])
        #expect(other.flash?.text == "You cannot dispatch anyone for call #4812 now: 李明 holds it. You can still add a note (n).")
    }

    @Test func anotherOperatorActedFirst() {
        var state = onCall(Fixture.detail())
        let effects = state.press(.char("c"))
        let claim = ActionRequest(callId: 4812, action: .claim, version: 2)
        #expect(effects == [.perform(claim)])
        let sentence = "李明 claimed this call at 10:11:40; it is now claimed (version 3)"
        let refresh = state.apply(.actionFailed(claim, ActionFailure(status: 409, message: sentence)))
        #expect(refresh == [.loadDetail(4812)])
        #expect(state.pending.isEmpty)
        #expect(state.flash == Flash(text: sentence, kind: .error, until: Fixture.now.addingTimeInterval(12)))
        #expect(state.screen(width: 80, height: 24)[22].hasPrefix(" 李明 claimed this call at 10:11:40; it is now claimed (version 3)"))
        // The refreshed call shows who holds it, and the queue follows.
        state.apply(.detailLoaded(Fixture.detail(status: .claimed, version: 3, claimedBy: Fixture.colleague, allowed: [.note])))
        #expect(state.detail?.call.claimedBy == Fixture.colleague)
        #expect(state.queue.call(4812)?.claimedBy == Fixture.colleague)
        #expect(state.screen(width: 80, height: 24)[1].contains("已接警 Claimed by 李明"))
    }

    @Test func resolvingTakesAnOutcomeANoteAndAYes() {
        var state = onCall(held)
        state.press(.char("x"))
        guard case .pick(let picker) = state.prompt else { Issue.record("no outcome picker"); return }
        #expect(picker.options.count == CallOutcome.allCases.count)
        state.press(.char("2"))  // handled by phone
        #expect(state.prompt == .text(TextPrompt(purpose: .resolveNote(.handledByPhone), callId: 4812)))
        // Enter on an empty note sends nothing.
        #expect(state.press(.enter) == [])
        state.type("误按，已电话确认 q")  // a q typed into a note is text, not "back"
        #expect(state.screen == .call(4812))
        state.press(.enter)
        guard case .confirm(let confirmation) = state.prompt else { Issue.record("no confirmation"); return }
        #expect(confirmation.question.contains("电话处置 Handled by phone"))
        #expect(state.press(.enter) == [])  // only y confirms
        #expect(state.press(.char("n")) == [])
        #expect(state.prompt == nil)

        state.press(.char("x"), .char("2"))
        state.type("误按，已电话确认")
        state.press(.enter)
        let resolve = ActionRequest(callId: 4812, action: .resolve(.handledByPhone, note: "误按，已电话确认"), version: 3)
        #expect(state.press(.char("y")) == [.perform(resolve)])
        #expect(resolve.path == "/v1/calls/4812/resolve")
        #expect(resolve.body == CallActionRequest(version: 3, note: "误按，已电话确认", outcome: .handledByPhone))
        // A second action on the same call waits for the first.
        #expect(state.press(.char("b")) == [])
    }

    @Test func dispatchingAContactInCallOrder() {
        var state = onCall(held)
        state.press(.char("d"))
        guard case .pick(let picker) = state.prompt else { Issue.record("no picker"); return }
        #expect(
            picker.options.map(\.label).prefix(3) == [
                "李娟  女儿  13807751234  has a key", "黄志强  儿子  13977500002", "王阿姨  邻居  07752345678  has a key",
            ])
        #expect(picker.options.last?.label == "120急救 Ambulance (120)")
        state.press(.enter)
        let who = ResponderAssignment(kind: .emergencyContact, name: "李娟", phone: "13807751234", referenceId: 5531)
        #expect(
            state.prompt
                == .confirm(
                    Confirmation(
                        question: "Dispatch 李娟 (emergency contact, 13807751234) to 黄秀英?",
                        request: ActionRequest(callId: 4812, action: .dispatch(who), version: 3))))
        #expect(state.press(.char("y")) == [.perform(ActionRequest(callId: 4812, action: .dispatch(who), version: 3))])
    }

    @Test func dispatchingACommunityWorkerByName() {
        var state = onCall(held)
        state.press(.char("d"), .down, .down, .down, .enter)
        #expect(state.prompt == .text(TextPrompt(purpose: .responderName(.communityWorker), callId: 4812)))
        state.type("黄建国 13977512345")
        state.press(.enter)
        let who = ResponderAssignment(kind: .communityWorker, name: "黄建国", phone: "13977512345")
        let request = ActionRequest(callId: 4812, action: .dispatch(who), version: 3)
        #expect(state.press(.char("y")) == [.perform(request)])
        #expect(request.body.responders == [who])
        #expect(request.path == "/v1/calls/4812/dispatch")
    }

    @Test func markingProgressConfirmsOnlyFinalSteps() {
        let responder = Responder(
            id: 1, kind: .emergencyContact, name: "李娟", phone: "13807751234", referenceId: 5531,
            status: .onTheWay, assignedAt: Fixture.now, updatedAt: Fixture.now)
        var detail = Fixture.detail(
            status: .dispatched, version: 5, claimedBy: Claimant(accountId: 17, name: "王芳"),
            responders: [responder], allowed: [.note, .dispatch, .updateResponder, .resolve])
        var state = onCall(detail)
        state.press(.char("p"))
        guard case .pick(let picker) = state.prompt else { Issue.record("no picker"); return }
        #expect(picker.options.map(\.value) == [.status(responderId: 1, .onScene), .status(responderId: 1, .declined)])
        let onScene = ActionRequest(callId: 4812, action: .updateResponder(id: 1, status: .onScene), version: 5)
        #expect(state.press(.enter) == [.perform(onScene)])
        #expect(onScene.path == "/v1/calls/4812/responders/1")
        #expect(onScene.body == CallActionRequest(version: 5, status: .onScene))

        detail.state.responders[0].status = .onScene
        detail.call.version = 6
        state.apply(.actionSucceeded(onScene, detail))
        #expect(state.flash?.text == "李娟 is 已到达 on scene now.")
        state.press(.char("p"), .enter)  // done: final, so asked
        guard case .confirm = state.prompt else { Issue.record("done was not confirmed"); return }
        #expect(
            state.press(.char("y")) == [.perform(ActionRequest(callId: 4812, action: .updateResponder(id: 1, status: .done), version: 6))])
    }

    @Test func aGreenKeyCallBooksAHomeService() {
        let green = Fixture.call(4900, "黄秀英", code: .serviceRequest, priority: .p4, reason: "Service request (green key)")
        var state = Fixture.state()
        state.press(.char("#"))
        state.type("4900")
        state.press(.enter)
        state.apply(.detailLoaded(Fixture.detail(of: green)))
        state.press(.char("h"))
        state.type("cleaning 2026-12-9 09:00")
        #expect(state.press(.enter) == [], "not a day")
        #expect(state.flash?.text == "Type the service, the day and the time, like: cleaning 2026-12-09 09:00")
        for _ in 0..<15 { state.press(.backspace) }
        state.type("2026-12-09 09:00")
        let wanted = HomeServiceBooking(callId: 4900, elderId: 5900, service: "cleaning", start: Fixture.date("2026-12-09T01:00:00Z"))
        #expect(state.press(.enter) == [.book(wanted)])
        #expect(state.apply(.serviceBooked(callId: 4900, summary: "booked cleaning, booking #31, worker 12")) == [.loadDetail(4900)])
        #expect(state.flash?.text == "Call #4900: booked cleaning, booking #31, worker 12. Resolve the call when the elder has been told.")
        state.apply(.serviceBookingFailed(callId: 4900, message: "no qualified worker is free then"))
        #expect(state.flash?.kind == .error)

        // Only a green-key call books a service.
        var other = onCall(Fixture.detail())
        #expect(other.press(.char("h")) == [] && other.prompt == nil)
        #expect(other.flash?.text == "Home services are booked from a green-key (service request) call.")
    }

    @Test func notesGoWithoutAVersion() {
        var state = onCall(Fixture.detail(status: .claimed, version: 3, claimedBy: Fixture.colleague, allowed: [.note]))
        state.press(.char("n"))
        state.type("女儿来电：正在赶过去")
        let effects = state.press(.enter)
        let note = ActionRequest(callId: 4812, action: .note("女儿来电：正在赶过去"), version: 3)
        #expect(effects == [.perform(note)])
        #expect(note.body.version == nil)
        #expect(note.path == "/v1/calls/4812/notes")
    }

    @Test func followUpAndReopen() {
        let resolved = Fixture.detail(
            status: .resolved, version: 7, claimedBy: Claimant(accountId: 17, name: "王芳"),
            allowed: [.note, .recordFollowUp, .close, .reopen])
        var state = onCall(resolved)
        state.press(.char("f"))
        state.type("精神好，女儿今晚陪护")
        state.press(.enter)
        let followUp = ActionRequest(callId: 4812, action: .followUp(note: "精神好，女儿今晚陪护", reachedElder: true), version: 7)
        #expect(state.press(.enter) == [.perform(followUp)])
        #expect(followUp.path == "/v1/calls/4812/follow-up")
        #expect(followUp.body.reachedElder == true)

        var again = onCall(resolved)
        again.press(.char("o"))
        again.type("Hip pain worse")
        let reopen = ActionRequest(callId: 4812, action: .reopen(reason: "Hip pain worse"), version: 7)
        #expect(again.press(.enter) == [.perform(reopen)])
        #expect(reopen.body.reason == "Hip pain worse")
    }

    @Test func releasingIsConfirmed() {
        var state = onCall(held)
        state.press(.char("r"))
        let release = ActionRequest(callId: 4812, action: .release, version: 3)
        #expect(state.press(.char("y")) == [.perform(release)])
    }

    @Test func aNewerVersionFromTheFeedRefreshesTheOpenCall() {
        var state = onCall(Fixture.detail())
        var claimed = Fixture.fall
        claimed.status = .claimed
        claimed.claimedBy = Fixture.colleague
        claimed.version = 3
        #expect(state.apply(.callChanged(claimed, eventID: "90")) == [.loadDetail(4812)])
        // While that load is on its way, a further change does not ask again…
        claimed.version = 4
        #expect(state.apply(.callChanged(claimed, eventID: "91")) == [])
        // …but the answer, older than what the feed announced, does.
        #expect(
            state.apply(.detailLoaded(Fixture.detail(status: .claimed, version: 3, claimedBy: Fixture.colleague)))
                == [.loadDetail(4812)])
    }
}

@Suite struct FeedEventTests {
    @Test func aNewP1RingsOnceAndStandsOutUntilClaimed() {
        var state = Fixture.state()
        var sos = Fixture.call(4900, "韦桂兰", code: .sos, priority: .p1, opened: "2026-11-23T02:14:58Z")
        #expect(state.apply(.callChanged(sos, eventID: "101")) == [.bell])
        #expect(state.lastEventID == "101")
        #expect(state.queue.visible.first?.id == 4813)
        sos.eventCount = 2
        sos.version = 2
        #expect(state.apply(.callChanged(sos, eventID: "102")) == [])
        sos.status = .claimed
        sos.claimedBy = Fixture.colleague
        sos.version = 3
        #expect(state.apply(.callChanged(sos, eventID: "103")) == [])
        // Released unclaimed again: it rings again.
        sos.status = .new
        sos.claimedBy = nil
        sos.version = 4
        #expect(state.apply(.callChanged(sos, eventID: "104")) == [.bell])
        // A P2 never rings.
        #expect(state.apply(.callChanged(Fixture.call(4901, "梁秀珍", priority: .p2), eventID: "105")) == [])
    }

    @Test func aCallThatIsNoLongerOpenLeavesTheQueue() {
        var state = Fixture.state()
        var resolved = Fixture.longName
        resolved.status = .resolved
        resolved.outcome = .attendedByResponder
        resolved.version = 9
        state.apply(.callChanged(resolved, eventID: "120"))
        #expect(state.queue.call(4813) == nil)
        #expect(state.queue.counts.total == 4)
        #expect(state.selectedCall?.id == 4812)
        #expect(state.lastEventID == "120")
        // Events without an id keep the last one.
        state.apply(.callChanged(Fixture.call(4902, "韦强"), eventID: nil))
        #expect(state.lastEventID == "120")
    }

    @Test func aSnapshotRingsForUnclaimedP1sOnce() {
        var state = ConsoleState(now: Fixture.now, timeZone: Fixture.zone)
        #expect(state.apply(.snapshot(Fixture.calls)) == [.bell])
        #expect(state.apply(.snapshot(Fixture.calls)) == [])
    }

    @Test func theConnectionStateIsShownAndRecovers() {
        var state = Fixture.state()
        let retryAt = Fixture.now.addingTimeInterval(4)
        state.apply(.connection(.retrying(at: retryAt, reason: "Connection refused")))
        #expect(state.offlineSince == Fixture.now)
        let screen = state.screen()
        #expect(screen[0].contains("OFFLINE, retry in 4s"))
        #expect(screen[22].hasPrefix(" Live feed lost 00:00 ago: the queue may be out of date. Retrying (R: now). Con"))
        #expect(state.press(.char("R")) == [.reconnect])
        state.apply(.connection(.live))
        #expect(state.offlineSince == nil)
        #expect(state.flash?.text == "The live feed is back; nothing was missed.")
        #expect(state.screen()[0].contains("LIVE"))
    }
}

@Suite struct FeedBookkeepingTests {
    @Test func theLastDeliveredIdIsWhereTheNextConnectionResumes() {
        var book = FeedBookkeeping()
        #expect(book.needsSnapshot)
        book.delivered(eventID: "41")
        book.delivered(eventID: nil)
        book.delivered(eventID: "")
        #expect(book.lastEventID == "41")
        #expect(!book.needsSnapshot)
        book.delivered(eventID: "42")
        #expect(book.lastEventID == "42")
        book.forgetPosition()
        #expect(book.needsSnapshot)
    }

    @Test func backoffDoublesToFifteenSecondsAndResetsWhenHeardFrom() {
        var book = FeedBookkeeping()
        let delays = (0..<7).map { _ in book.failed() }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(15), .seconds(15)])
        book.heardFrom()
        #expect(book.failed() == .milliseconds(500))
        book.delivered(eventID: "1")
        #expect(book.failures == 0)
    }
}

@Suite struct OpenByNumberTests {
    @Test func hashOpensAnyCallByItsNumber() {
        var state = Fixture.state()
        state.press(.char("#"))
        #expect(state.prompt == .text(TextPrompt(purpose: .callNumber, callId: 0)))
        state.type("abc")
        #expect(state.press(.enter) == [])
        #expect(state.flash?.text == "A call number is digits, like 4812.")
        state.press(.control("u"))
        state.type("#4511")
        #expect(state.press(.enter) == [.loadDetail(4511)])
        #expect(state.screen == .call(4511))
        #expect(state.prompt == nil)
    }
}

@Suite struct EmptyQueueTests {
    @Test func anEmptyQueueIsNotSaidToBeEmptyBeforeTheServerHasAnswered() {
        var state = ConsoleState(now: Fixture.now, timeZone: Fixture.zone)
        #expect(state.screen()[3] == DisplayWidth.fit("   Loading the open calls from the server…", 80))
        state.apply(.snapshot([]))
        #expect(state.screen()[3] == DisplayWidth.fit("   No open calls. New calls appear here the moment they arrive.", 80))
        state.apply(.snapshot(Fixture.calls))
        state.press(.char("/"))
        state.type("p3 mine")
        state.press(.enter)
        #expect(state.screen()[3] == DisplayWidth.fit("   No open call matches the filter \"p3 mine\". Esc clears it.", 80))
    }
}
