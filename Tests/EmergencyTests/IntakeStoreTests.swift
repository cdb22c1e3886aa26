import CareModel
import CareStore
import Foundation
import GRDB
import Testing

@testable import Emergency

@Suite("Device replies")
struct ReplyTests {
    @Test(arguments: [(EventOutcome.accepted, Int64?.some(42)), (.recorded, nil), (.joined, 7), (.cancelled, 9)])
    func theHandBuiltReplyIsTheEventReply(outcome: EventOutcome, callId: Int64?) throws {
        let version = callId.map { Int($0 % 5) + 1 }
        let data = DeviceReply.json(
            ref: "sim-12.a:b_c-9", outcome: outcome, callId: callId, callVersion: version,
            heartbeatSeconds: 300)
        let reply = try JSONDecoder().decode(EventReply.self, from: data)
        #expect(reply == EventReply(ref: "sim-12.a:b_c-9", status: outcome, callId: callId, callVersion: version, heartbeatSeconds: 300))
    }
}

@Suite("Group commit isolation")
struct GroupCommitIsolationTests {
    struct Refused: Error {}

    @Test func oneFailingEventDoesNotTakeItsNeighboursDown() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let elder = try await t.addElder(1)
        let device = try await t.database.registry.createDevice(
            NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id), by: .commandLine
        ).device
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let batch = ["a", "b", "c"].map { ref in
            IncomingEvent(
                device: device, event: DeviceEvent(ref: ref, kind: .heartbeat, occurredAt: now),
                body: Data(ref.utf8), receivedAt: now)
        }
        let results = try await t.calls.recordEvents(batch, graceSeconds: 120) { context in
            if context.incoming.event.ref == "b" { throw Refused() }
            return .record
        }
        #expect(results.map { (try? $0.get()) != nil } == [true, false, true])
        let stored = try await t.calls.deviceEvents(deviceId: "SOS-1", page: PageRequest()).items.map(\.ref)
        #expect(stored == ["a", "c"])
    }

    /// The writer keeps each elder's open calls in memory. A batch that is rolled back and redone
    /// event by event must not leave its first attempt there: the call and its count must be as stored.
    @Test func aRolledBackBatchLeavesNoTraceInTheOpenCalls() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let elder = try await t.addElder(1)
        let device = try await t.database.registry.createDevice(
            NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id), by: .commandLine
        ).device
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        func alarms(_ refs: [String]) -> [IncomingEvent] {
            refs.map {
                IncomingEvent(
                    device: device, event: DeviceEvent(ref: $0, kind: .alarm, code: .sos, occurredAt: now),
                    body: Data($0.utf8), receivedAt: now)
            }
        }
        // Opens a call for the first alarm, joins it for the rest; "b" fails after "a" opened it.
        let decide: @Sendable (IntakeContext) throws -> IntakeDecision = { context in
            if context.incoming.event.ref == "b" { throw Refused() }
            if let open = context.openCalls.first { return .join(callId: open.id, priority: open.priority, reason: open.reason) }
            return .open(code: .sos, priority: .p1, reason: "SOS")
        }
        _ = try await t.calls.recordEvents(alarms(["a", "b", "c"]), graceSeconds: 120, decide: decide)
        _ = try await t.calls.recordEvents(alarms(["d"]), graceSeconds: 120, decide: decide)
        let calls = try await t.calls.calls(CallFilter(), page: PageRequest()).items
        #expect(calls.count == 1)
        #expect(calls.first?.eventCount == 3)  // a, c, d: b was refused, the first attempt rolled back
        #expect(calls.first?.version == 3)
    }
}

@Suite("Supervision deadlines")
struct SupervisionDeadlineTests {
    /// A chatty device moves its deadline (one row update) at most every ten seconds, and a
    /// device back from offline always gets a fresh one.
    @Test func aDeadlineIsRewrittenOnlyWhenItMovesTenSecondsOrTheDeviceWasOffline() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let elder = try await t.addElder(1)
        let device = try await t.database.registry.createDevice(
            NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id), by: .commandLine
        ).device
        func heartbeat(_ ref: String) async throws -> Int64? {
            let now = t.clock.now
            _ = try await t.calls.recordEvents(
                [
                    IncomingEvent(
                        device: device, event: DeviceEvent(ref: ref, kind: .heartbeat, occurredAt: now),
                        body: Data(ref.utf8), receivedAt: now)
                ], graceSeconds: 120
            ) { _ in .record }
            return try await t.database.pool.read { db in try Int64.fetchOne(db, sql: "SELECT deadline_ms FROM device WHERE id = 'SOS-1'") }
        }
        let first = try #require(try await heartbeat("a"))
        #expect(first == t.clock.now.millis + (300 + 120) * 1000)
        t.clock.advance(9)
        #expect(try await heartbeat("b") == first, "moved less than 10 s: not rewritten")
        t.clock.advance(2)
        #expect(try await heartbeat("c") == t.clock.now.millis + 420_000)
        _ = try await t.calls.markOverdueDevicesOffline(now: t.clock.now.addingTimeInterval(1000), limit: 10) { _ in (.p3, "offline") }
        t.clock.advance(1)
        #expect(try await heartbeat("d") == t.clock.now.millis + 420_000, "back from offline: always rewritten")
    }
}

@Suite("Call rows")
struct CallRowTests {
    @Test func locationsRoundTripThroughJSONDecoder() throws {
        let samples: [EventLocation] = [
            EventLocation(area: .bathroom),
            EventLocation(
                area: .livingRoom, text: "2号楼3单元 \"东\"\\侧\n\t门口\u{1}", latitude: 22.6391, longitude: 110.152,
                accuracyMeters: 12),
            EventLocation(latitude: -90, longitude: 180, accuracyMeters: 0.5),
            EventLocation(text: ""),
            EventLocation(),
        ]
        for location in samples {
            let text = try #require(SQLText.location(location))
            #expect(try JSONDecoder().decode(EventLocation.self, from: Data(text.utf8)) == location, "\(text)")
        }
        #expect(SQLText.location(nil) == nil)
    }
}
