import CareModel
import CareStore
import Foundation
import GRDB
import Testing

@testable import Emergency

/// The operator's side of calls, through the store: actions, races, the timeline, deadlines.
@Suite("Call handling")
struct CallHandlingTests {
    static let wang = CallActor(accountId: 7, name: "王芳")
    static let li = CallActor(accountId: 8, name: "李明")
    static let chief = CallActor(accountId: 9, name: "陈主任", isSupervisor: true)

    /// A migrated database with one elder and an SOS call opened by their pendant.
    static func withOpenCall(escalation: EscalationPolicy = .default, priority: Priority = .p1) async throws -> (TestDatabase, Int64) {
        let t = try await TestDatabase.make(escalation: escalation)
        try await t.addRegions()
        let elder = try await t.addElder(1, name: "黄秀英")
        let device = try await t.database.registry.createDevice(
            NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id), by: .commandLine
        ).device
        return (t, try await openCall(t, device: device, priority: priority))
    }

    static func openCall(_ t: TestDatabase, device: Device, ref: String = "a", priority: Priority = .p1) async throws -> Int64 {
        let now = t.clock.now
        let event = IncomingEvent(
            device: device, event: DeviceEvent(ref: ref, kind: .alarm, code: .sos, occurredAt: now),
            body: Data(ref.utf8), receivedAt: now)
        let results = try await t.calls.recordEvents([event], graceSeconds: 120) { _ in
            .open(code: .sos, priority: priority, reason: "SOS")
        }
        let reply = try CareJSON.decoder.decode(EventReply.self, from: try results[0].get().reply)
        #expect(reply.callVersion == 1)
        return try #require(reply.callId)
    }

    @Test func aCallGoesFromClaimToCloseAndTheTimelineRecordsEveryStep() async throws {
        let (t, id) = try await Self.withOpenCall()
        defer { t.remove() }
        let db = t.database, calls = t.calls
        var detail = try await calls.act(on: id, .claim, expectedVersion: 1, by: Self.wang)
        #expect(detail.call.status == .claimed && detail.call.claimedBy?.name == "王芳")
        t.clock.advance(20)
        detail = try await calls.act(on: id, .startCallback(note: "No answer"), expectedVersion: detail.call.version, by: Self.wang)
        detail = try await calls.act(
            on: id,
            .dispatch([
                ResponderAssignment(
                    kind: .emergencyContact, name: "李明", phone: "13900002222",
                    referenceId: detail.contacts.first?.id)
            ]),
            expectedVersion: detail.call.version, by: Self.wang)
        #expect(detail.call.status == .dispatched && detail.state.responders.count == 1)
        t.clock.advance(300)
        detail = try await calls.act(
            on: id, .updateResponder(responderId: 1, status: .onScene, note: "Let herself in"),
            expectedVersion: detail.call.version, by: Self.wang)
        detail = try await calls.act(
            on: id, .resolve(outcome: .attendedByResponder, note: "Helped up, no injury"),
            expectedVersion: detail.call.version, by: Self.wang)
        #expect(detail.call.status == .resolved && detail.call.outcome == .attendedByResponder)
        #expect(try await calls.callSummaries(CallFilter(), page: PageRequest()).items.isEmpty, "a resolved call leaves the queue")
        detail = try await calls.act(
            on: id, .recordFollowUp(note: "Daughter visited next day", reachedElder: true),
            expectedVersion: detail.call.version, by: Self.li)
        detail = try await calls.act(on: id, .close(note: nil), expectedVersion: detail.call.version, by: Self.li)
        #expect(detail.call.status == .closed)

        #expect(
            detail.timeline.map(\.action) == [
                "opened", "claim", "start_callback", "dispatch", "update_responder",
                "resolve", "record_follow_up", "close",
            ])
        #expect(detail.timeline.dropFirst().allSatisfy { $0.actorName != nil })
        #expect(detail.timeline[4].detail["responderTo"] == "on_scene")
        #expect(detail.elder.name == "黄秀英" && detail.elder.district == "玉州区")
        let topics = try await db.pool.read { db in
            try String.fetchAll(db, sql: "SELECT topic FROM outbox WHERE call_id = ? ORDER BY id", arguments: [id])
        }
        #expect(topics == ["call_opened", "responder_dispatched", "responder_on_scene", "call_resolved"])
        let dispatched = try await db.pool.read { db in
            try String.fetchOne(db, sql: "SELECT payload FROM outbox WHERE call_id = ? AND topic = 'responder_dispatched'", arguments: [id])
        }
        #expect(dispatched?.contains(#""responderIds":"1""#) == true, "\(dispatched ?? "")")
        // The change log carries the call as the queue shows it, for the live feed.
        let changes = try await calls.callChanges(after: 0, limit: 100)
        #expect(changes.map(\.change) == detail.timeline.map(\.action))
        let last = try CareJSON.decoder.decode(CallSummary.self, from: Data(changes.last!.payload.utf8))
        #expect(last == detail.call)
    }

    @Test func whenTwoOperatorsClaimAtOnceExactlyOneWinsAndTheOtherIsToldWho() async throws {
        let (t, id) = try await Self.withOpenCall()
        defer { t.remove() }
        async let first = attempt { try await t.calls.act(on: id, .claim, expectedVersion: 1, by: Self.wang) }
        async let second = attempt { try await t.calls.act(on: id, .claim, expectedVersion: 1, by: Self.li) }
        let results = await [first, second]
        let winners = results.compactMap { try? $0.get() }
        #expect(winners.count == 1)
        let loser = try #require(
            results.compactMap { result -> CallRefusal? in
                if case .failure(let e) = result { return e as? CallRefusal } else { return nil }
            }.first)
        #expect(loser.reason == .stale)
        let winner = try #require(winners.first?.call.claimedBy?.name)
        #expect(loser.detail.hasPrefix("\(winner) acted first (claim at "), "\(loser.detail)")
        #expect(loser.status == .claimed && loser.version == 2)
    }

    @Test func illegalTransitionsAndOtherOperatorsCallsAreRefused() async throws {
        let (t, id) = try await Self.withOpenCall()
        defer { t.remove() }
        let calls = t.calls
        await #expect(throws: CallRefusal.self) {
            try await calls.act(on: id, .resolve(outcome: .falseAlarm, note: "x"), expectedVersion: 1, by: Self.wang)
        }
        do {
            _ = try await calls.act(on: id, .resolve(outcome: .falseAlarm, note: "x"), expectedVersion: 1, by: Self.wang)
        } catch let refusal as CallRefusal {
            #expect(refusal.reason == .notAllowed && refusal.allowedActions.contains(.claim))
        }
        let claimed = try await calls.act(on: id, .claim, expectedVersion: 1, by: Self.wang)
        do {
            _ = try await calls.act(on: id, .startCallback(note: nil), expectedVersion: claimed.call.version, by: Self.li)
            Issue.record("another operator acted on a held call")
        } catch let refusal as CallRefusal {
            #expect(refusal.reason == .forbidden)
        }
        let taken = try await calls.act(
            on: id, .startCallback(note: "Supervisor took over"), expectedVersion: claimed.call.version, by: Self.chief)
        #expect(taken.call.status == .contacting)
        // Nothing refused was written.
        #expect(taken.timeline.map(\.action) == ["opened", "claim", "start_callback"])
    }

    @Test func aJoinedAlarmMakesAnOldVersionStaleAndSaysSo() async throws {
        let (t, id) = try await Self.withOpenCall()
        defer { t.remove() }
        let device = try await t.database.registry.device(id: "SOS-1")
        t.clock.advance(5)
        let now = t.clock.now
        _ = try await t.calls.recordEvents(
            [
                IncomingEvent(
                    device: device, event: DeviceEvent(ref: "b", kind: .alarm, code: .sos, occurredAt: now),
                    body: Data("b".utf8), receivedAt: now)
            ], graceSeconds: 120
        ) { _ in
            .join(callId: id, priority: .p1, reason: "SOS")
        }
        do {
            _ = try await t.calls.act(on: id, .claim, expectedVersion: 1, by: Self.wang)
            Issue.record("a stale version was accepted")
        } catch let refusal as CallRefusal {
            #expect(refusal.detail.hasPrefix("A new alarm from the device joined the call at "), "\(refusal.detail)")
            #expect(refusal.version == 2)
        }
    }

    @Test func anUnclaimedCallIsEscalatedOnTimeAndTheDeadlineSurvivesARestart() async throws {
        var (t, id) = try await Self.withOpenCall()
        defer { t.remove() }
        t.clock.advance(59)
        #expect(try await t.calls.escalateOverdueCalls(now: t.clock.now, limit: 10).isEmpty)
        t.clock.advance(2)
        #expect(try await t.calls.escalateOverdueCalls(now: t.clock.now, limit: 10) == [id])
        #expect(try await t.calls.escalateOverdueCalls(now: t.clock.now, limit: 10).isEmpty, "once per deadline")
        var detail = try await t.calls.callDetail(id: id, for: Self.wang)
        #expect(detail.call.escalated && detail.state.escalation?.count == 1)
        #expect(detail.timeline.last?.action == "escalate" && detail.timeline.last?.detail["deadline"] == "unclaimed")

        t = try t.reopened()
        t.clock.advance(60)
        #expect(try await t.calls.escalateOverdueCalls(now: t.clock.now, limit: 10) == [id])
        detail = try await t.calls.callDetail(id: id, for: Self.wang)
        #expect(detail.state.escalation?.count == 2)
        let topics = try await t.database.pool.read { db in try String.fetchAll(db, sql: "SELECT topic FROM outbox ORDER BY id") }
        #expect(topics == ["call_opened", "call_escalated", "call_escalated"])
        // Claiming stops the clock.
        detail = try await t.calls.act(on: id, .claim, expectedVersion: detail.call.version, by: Self.wang)
        #expect(!detail.call.escalated)
        t.clock.advance(3600)
        #expect(try await t.calls.escalateOverdueCalls(now: t.clock.now, limit: 10).isEmpty)
    }

    @Test func aLateResponderPromptsARedispatchAndAMissingFollowUpAReminder() async throws {
        let policy = EscalationPolicy(responderOnSceneWithin: 600, followUpWithin: 3600)
        let (t, id) = try await Self.withOpenCall(escalation: policy)
        defer { t.remove() }
        let calls = t.calls
        var detail = try await calls.act(on: id, .claim, expectedVersion: 1, by: Self.wang)
        detail = try await calls.act(
            on: id, .dispatch([ResponderAssignment(kind: .communityWorker, name: "社区网格员")]),
            expectedVersion: detail.call.version, by: Self.wang)
        t.clock.advance(601)
        #expect(try await calls.escalateOverdueCalls(now: t.clock.now, limit: 10) == [id])
        detail = try await calls.callDetail(id: id, for: Self.wang)
        #expect(detail.state.escalation?.deadline == .responderOnScene)
        detail = try await calls.act(
            on: id, .resolve(outcome: .handledByPhone, note: "She was fine, false fall"),
            expectedVersion: detail.call.version, by: Self.wang)
        t.clock.advance(3599)
        #expect(try await calls.escalateOverdueCalls(now: t.clock.now, limit: 10).isEmpty)
        t.clock.advance(2)
        #expect(try await calls.escalateOverdueCalls(now: t.clock.now, limit: 10) == [id])
        #expect(try await calls.callDetail(id: id, for: Self.wang).state.escalation?.deadline == .followUp)
    }

    /// Four calls with known timings: the report's figures are computed from the timelines.
    @Test func theReportCountsFromTheTimeline() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let db = t.database, calls = t.calls
        let start = t.clock.now
        var ids: [Int64] = []
        for n in 1...4 {
            let elder = try await t.addElder(n, name: "老人\(n)")
            let device = try await db.registry.createDevice(
                NewDevice(id: "SOS-\(n)", type: .sosPendant, elderId: elder.id), by: .commandLine
            ).device
            ids.append(try await Self.openCall(t, device: device, priority: n == 4 ? .p3 : .p1))
        }
        // Claimed after 30 s, 90 s and 200 s; the fourth never.
        t.clock.advance(30)
        var a = try await calls.act(on: ids[0], .claim, expectedVersion: 1, by: Self.wang)
        t.clock.advance(60)
        var b = try await calls.act(on: ids[1], .claim, expectedVersion: 1, by: Self.wang)
        t.clock.advance(110)
        var c = try await calls.act(on: ids[2], .claim, expectedVersion: 1, by: Self.li)
        a = try await calls.act(
            on: ids[0], .resolve(outcome: .falseAlarm, note: "Pressed by mistake"), expectedVersion: a.call.version, by: Self.wang)
        b = try await calls.act(
            on: ids[1], .dispatch([ResponderAssignment(kind: .ambulance120, name: "120")]), expectedVersion: b.call.version, by: Self.wang)
        t.clock.advance(100)
        b = try await calls.act(
            on: ids[1], .updateResponder(responderId: 1, status: .onScene), expectedVersion: b.call.version, by: Self.wang)
        b = try await calls.act(
            on: ids[1], .resolve(outcome: .takenToHospital, note: "Hip fracture"), expectedVersion: b.call.version, by: Self.wang)
        c = try await calls.act(
            on: ids[2], .resolve(outcome: .handledByPhone, note: "Talked her through"), expectedVersion: c.call.version, by: Self.li)
        _ = try await calls.act(on: ids[2], .recordFollowUp(note: "Fine", reachedElder: true), expectedVersion: c.call.version, by: Self.li)

        let report = try await calls.emergencyReport(from: start, to: t.clock.now, region: nil)
        #expect(report.calls == 4)
        #expect(report.byPriority == ["P1": 3, "P2": 0, "P3": 1, "P4": 0])
        #expect(
            report.byOutcome["false_alarm"] == 1 && report.byOutcome["taken_to_hospital"] == 1
                && report.byOutcome["handled_by_phone"] == 1 && report.byOutcome["open"] == 1)
        #expect(report.claimedWithin60s == 0.25)
        #expect(report.claimedWithin180s == 0.5)
        #expect(report.timeToClaim == EmergencyReport.Durations(count: 3, median: 90, p90: 200))
        #expect(report.timeToDispatch?.median == 200)  // dispatched at +200 s (opened at 0)
        #expect(report.timeToOnScene?.median == 300)
        #expect(report.falseAlarmRate == 1.0 / 3.0)
        #expect(report.followUpCompletion == 0.5)  // hospital and phone need one; only phone got it
        #expect(report.operators.map(\.name) == ["王芳", "李明"])
        #expect(report.operators.first == .init(name: "王芳", claimed: 2, resolved: 2))
        let elsewhere = try await calls.emergencyReport(from: start, to: t.clock.now, region: "450903")
        #expect(elsewhere.calls == 0 && elsewhere.claimedWithin60s == nil)
    }
}

private func attempt<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}
