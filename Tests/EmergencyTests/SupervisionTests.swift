import CareModel
import CareStore
import Foundation
import Testing

@testable import Emergency

@Suite("Device supervision")
struct SupervisionTests {
    @Test func aSilentDeviceGoesOfflineAfterIntervalPlusGraceAndBackOnline() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)  // heartbeat 300 s, grace 120 s
        let quiet = try await h.addElder(2)  // never reports: never supervised
        let supervisor = DeviceSupervisor(intake: h.intake, clock: h.testClock.careClock)
        _ = try await h.send(device, h.event("hb1", "heartbeat"))

        h.testClock.advance(419)
        #expect(try await supervisor.runOnce(now: h.testClock.now).isEmpty, "still inside interval + grace")
        h.testClock.advance(2)
        let opened = try await supervisor.runOnce(now: h.testClock.now)
        #expect(opened.count == 1)
        #expect(opened.first?.deviceId == device && opened.first?.code == .deviceOffline && opened.first?.priority == .p3)
        #expect(!(opened.first?.deviceId == quiet))

        // Only the transition reaches operators: further passes open nothing new.
        h.testClock.advance(600)
        #expect(try await supervisor.runOnce(now: h.testClock.now).isEmpty)
        #expect(try await h.openCalls().count == 1)

        // The device's return closes the offline call (kept for an operator to confirm).
        _ = try await h.send(device, h.event("hb2", "heartbeat"))
        let calls = try await h.openCalls()
        #expect(calls.count == 1 && calls[0].status == .cancelledAtDevice && calls[0].reason.contains("back online"))
    }

    @Test func anyEventRestartsTheTimer() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let supervisor = DeviceSupervisor(intake: h.intake, clock: h.testClock.careClock)
        _ = try await h.send(device, h.event("hb1", "heartbeat"))
        h.testClock.advance(400)
        _ = try await h.send(device, h.event("a1", "alarm", "low_battery"))
        h.testClock.advance(400)
        #expect(try await supervisor.runOnce(now: h.testClock.now).isEmpty)
    }

    @Test func aDeactivatedDeviceIsNoLongerSupervised() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let supervisor = DeviceSupervisor(intake: h.intake, clock: h.testClock.careClock)
        _ = try await h.send(device, h.event("hb1", "heartbeat"))
        _ = try await h.database.registry.updateDevice(id: device, DevicePatch(status: .deactivated), by: .commandLine)
        h.testClock.advance(1_000)
        #expect(try await supervisor.runOnce(now: h.testClock.now).isEmpty)
    }

    @Test func deadlinesSurviveARestart() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        _ = try await h.send(device, h.event("hb1", "heartbeat"))
        // A new process: a fresh database handle and intake over the same file.
        let reopened = try CareDatabase.open(at: h.folder + "/care.sqlite", schema: TestDatabase.schema, clock: h.testClock.careClock)
        let supervisor = DeviceSupervisor(
            intake: AlarmIntake(calls: CallStore(reopened), policy: IntakePolicy(), clock: h.testClock.careClock),
            clock: h.testClock.careClock)
        h.testClock.advance(421)
        #expect(try await supervisor.runOnce(now: h.testClock.now).map(\.deviceId) == [device])
    }
}

@Suite("Supervision across a stop")
struct SupervisionRestartTests {
    /// Ten minutes down is not ten minutes of silence from the devices: when the supervisor
    /// starts, overdue timers start again, and only a device still silent one interval (plus
    /// grace) later goes offline.
    @Test func devicesAreNotDeclaredOfflineForTheServersOwnOutage() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        var devices: [String] = []
        for n in 1...5 { devices.append(try await h.addElder(n)) }
        for device in devices { _ = try await h.send(device, h.event("hb1", "heartbeat")) }
        h.testClock.advance(600)  // the server was down

        // What `run()` does first, step by step: restart the overdue timers, then one pass.
        let supervisor = DeviceSupervisor(intake: h.intake, clock: h.testClock.careClock)
        #expect(try await supervisor.start(now: h.testClock.now) == 5, "every device was overdue")
        #expect(try await supervisor.runOnce(now: h.testClock.now).isEmpty)
        #expect(try await h.openCalls().isEmpty)

        // One device reports after the restart; the others stay silent for interval + grace.
        h.testClock.advance(200)
        _ = try await h.send(devices[0], h.event("hb2", "heartbeat"))
        h.testClock.advance(221)
        let opened = try await supervisor.runOnce(now: h.testClock.now)
        #expect(Set(opened.map(\.deviceId)) == Set(devices.dropFirst()))
    }

    @Test func timersRestartInChunksAndOnlyForOverdueDevices() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        var devices: [String] = []
        for n in 1...5 { devices.append(try await h.addElder(n)) }
        for device in devices.prefix(4) { _ = try await h.send(device, h.event("hb1", "heartbeat")) }
        h.testClock.advance(500)
        _ = try await h.send(devices[4], h.event("hb1", "heartbeat"))  // not overdue
        let restarted = try await h.calls.restartOverdueSupervision(now: h.testClock.now, graceSeconds: 120, chunk: 3)
        #expect(restarted == 4)
        h.testClock.advance(419)
        #expect(try await DeviceSupervisor(intake: h.intake, clock: h.testClock.careClock).runOnce(now: h.testClock.now).isEmpty)
    }
}

@Suite("Group commit")
struct GroupCommitTests {
    @Test func concurrentEventsAreAllStoredAndAnsweredInOrder() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        var devices: [String] = []
        for n in 1...20 { devices.append(try await h.addElder(n)) }
        let harness = h
        let replies = try await withThrowingTaskGroup(of: EventReply.self) { group in
            for (i, device) in devices.enumerated() {
                for j in 0..<10 {
                    group.addTask { try await harness.send(device, harness.event("e\(i)-\(j)", "alarm", "sos")) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.count == 200)
        let calls = try await h.openCalls()
        #expect(calls.count == 20, "one call per elder")
        #expect(calls.map(\.eventCount).reduce(0, +) == 200)
        #expect(replies.filter { $0.status == .accepted }.count == 20)
    }
}
