import CareModel
import CareStore
@testable import Emergency
import Foundation
import Testing

/// The group-commit writer's gathering: busy writers wait a moment for company, idle ones never do.
@Suite struct IntakeWriterTests {
    /// One event submitted to the writer directly, as the intake does after checking it.
    func incoming(_ h: IntakeHarness, device: String, ref: String) async throws -> IncomingEvent {
        let found = try #require(try await h.database.deviceCredentials(id: device))
        let event = DeviceEvent(ref: ref, kind: .alarm, code: .sos, occurredAt: h.testClock.now)
        return IncomingEvent(device: found.device, event: event, body: Data(#"{"ref":"\#(ref)"}"#.utf8),
                             receivedAt: h.testClock.now)
    }

    @Test("An event reaching an idle writer commits at once, however long a busy writer would gather")
    func idleWriterNeverWaits() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        // A gathering pause of a minute: any wait at all would show.
        let writer = IntakeWriter(database: h.database, policy: IntakePolicy(), gatherBelow: 1_000, gatherFor: .seconds(60))
        let started = ContinuousClock.now
        for n in 0..<3 {
            // Each event finds the writer idle: the previous one has committed and been answered.
            let result = try await writer.submit(try await incoming(h, device: device, ref: "idle-\(n)"))
            #expect(!result.duplicate)
        }
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("A busy writer that gathers commits loses nothing: 200 concurrent events from 8 devices, all stored once")
    func busyWriterGathersEvents() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        var devices: [String] = []
        for n in 1...8 { devices.append(try await h.addElder(n)) }
        let writer = IntakeWriter(database: h.database, policy: IntakePolicy(), gatherBelow: 64, gatherFor: .milliseconds(20))
        var events: [IncomingEvent] = []
        for (i, device) in devices.enumerated() {
            for n in 0..<25 { events.append(try await incoming(h, device: device, ref: "busy-\(i)-\(n)")) }
        }
        let submitted = events
        let results = try await withThrowingTaskGroup(of: IntakeResult.self) { group in
            for event in submitted { group.addTask { try await writer.submit(event) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 200)
        #expect(results.allSatisfy { !$0.duplicate })
        for device in devices {
            let stored = try await h.database.deviceEvents(deviceId: device, page: PageRequest(limit: 100))
            #expect(stored.items.count == 25)
        }
    }
}
