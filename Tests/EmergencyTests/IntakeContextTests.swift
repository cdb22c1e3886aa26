import CareModel
import CareStore
import Foundation
import Synchronization
import Testing

@testable import Emergency

/// What the intake's write transaction reads for the rules, by kind of event.
@Suite("Intake context")
struct IntakeContextTests {
    @Test func heartbeatsDoNotReadTheElderAndAlarmsDo() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let elder = try await t.addElder(1)
        let device = try await t.database.registry.createDevice(
            NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id),
            by: .commandLine
        ).device
        let seen = Mutex<[Int64?]>([])
        func record(_ ref: String, _ kind: EventKind, _ code: AlarmCode? = nil) async throws {
            let now = t.clock.now
            let event = IncomingEvent(
                device: device, event: DeviceEvent(ref: ref, kind: kind, code: code, occurredAt: now),
                body: Data(ref.utf8), receivedAt: now)
            _ = try await t.calls.recordEvents([event], graceSeconds: 120) { context in
                seen.withLock { $0.append(context.elder?.id) }
                return .record
            }
        }
        try await record("h1", .heartbeat)
        try await record("i1", .info)
        // Neither read the elder, nor filled the writer's elder cache with it.
        #expect(seen.withLock { $0 } == [nil, nil])
        #expect(t.calls.caches.elders.value(for: elder.id) == nil)

        try await record("a1", .alarm, .sos)
        #expect(seen.withLock { $0.last } == elder.id)
        #expect(t.calls.caches.elders.value(for: elder.id)?.id == elder.id)
    }
}
