import CareModel
import CareStore
import Foundation
import GRDB
import Testing

@testable import Emergency

/// The intake's caches follow the registry rows they mirror whoever writes them, through the
/// transaction observer, not through each writer remembering to drop entries.
@Suite("Intake cache coherence")
struct CacheCoherenceTests {
    /// An elder with a pendant, one alarm recorded (so every cache holds something) and the
    /// pendant's credentials read as the intake reads them.
    static func warmed() async throws -> (TestDatabase, Elder, Device) {
        let t = try await TestDatabase.make()
        try await t.addRegions()
        let elder = try await t.addElder(1, name: "黄秀英")
        let device = try await t.database.registry.createDevice(
            NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id),
            by: .commandLine
        ).device
        _ = try await CallHandlingTests.openCall(t, device: device)
        _ = try t.calls.deviceCredentials(id: device.id)
        #expect(t.calls.caches.elders.value(for: elder.id) != nil)
        #expect(t.calls.caches.openCalls.calls(elder: elder.id)?.count == 1)
        #expect(t.calls.caches.deviceStates.value(for: device.id) != nil)
        #expect(t.calls.caches.credentials.value(for: device.id, now: t.clock.now) != nil)
        return (t, elder, device)
    }

    @Test func anElderChangedThroughTheRegistryIsForgotten() async throws {
        let (t, elder, device) = try await Self.warmed()
        defer { t.remove() }
        _ = try await t.database.registry.updateElder(id: elder.id, by: .commandLine) { old, now in
            var new = old
            new.name = "黄秀兰"
            new.updatedAt = now
            return new
        }
        #expect(t.calls.caches.elders.value(for: elder.id) == nil)
        #expect(t.calls.caches.openCalls.calls(elder: elder.id) == nil, "the kept summaries name the elder")
        #expect(t.calls.caches.deviceStates.value(for: device.id) != nil, "other rows' entries stay")
        // The next alarm's change-log entry carries the new name.
        _ = try await CallHandlingTests.openCall(t, device: device, ref: "b")
        let last = try #require(try await t.calls.callChanges(after: 0, limit: 100).last)
        #expect(last.payload.contains("黄秀兰"))
    }

    @Test func aDeviceChangeDropsItsCredentialsAndStateButHeartbeatColumnsDoNot() async throws {
        let (t, _, device) = try await Self.warmed()
        defer { t.remove() }
        // The intake's own heartbeat writes (last_seen_at, online, deadline_ms) keep the caches.
        let heartbeat = IncomingEvent(
            device: device, event: DeviceEvent(ref: "h1", kind: .heartbeat, occurredAt: t.clock.now),
            body: Data("h1".utf8), receivedAt: t.clock.now.addingTimeInterval(60))
        _ = try await t.calls.recordEvents([heartbeat], graceSeconds: 120) { _ in .record }
        // The same columns written by other code than the intake (a restart of timers) do not either.
        _ = try await t.database.pool.write { db in
            try db.execute(sql: "UPDATE device SET last_seen_at = ?, online = 1 WHERE id = ?", arguments: [t.clock.now, device.id])
        }
        #expect(t.calls.caches.credentials.value(for: device.id, now: t.clock.now) != nil)
        #expect(t.calls.caches.deviceStates.value(for: device.id) != nil)

        _ = try await t.database.registry.updateDevice(id: device.id, DevicePatch(status: .suspended), by: .commandLine)
        #expect(t.calls.caches.credentials.value(for: device.id, now: t.clock.now) == nil)
        #expect(t.calls.caches.deviceStates.value(for: device.id) == nil)
        #expect(try t.calls.deviceCredentials(id: device.id)?.device.status == .suspended)
    }

    @Test func aRenamedRegionDropsTheKeptSummaries() async throws {
        let (t, elder, _) = try await Self.warmed()
        defer { t.remove() }
        _ = try await t.database.registry.updateRegion(code: "450902000000", RegionPatch(name: "玉州城区"), by: .commandLine)
        #expect(t.calls.caches.openCalls.calls(elder: elder.id) == nil)
    }

    @Test func anyRollbackClearsTheWritersCaches() async throws {
        let (t, elder, device) = try await Self.warmed()
        defer { t.remove() }
        // A registry write that fails (a second elder with the same identity number) rolls back.
        await #expect(throws: StoreError.self) {
            _ = try await t.database.registry.createElder(elder, by: .commandLine)
        }
        #expect(t.calls.caches.openCalls.calls(elder: elder.id) == nil)
        #expect(t.calls.caches.deviceStates.value(for: device.id) == nil)
        #expect(t.calls.caches.elders.value(for: elder.id) == nil)
    }
}
