import CareModel
import CareStore
import Emergency
import Foundation
import HealthArchive
import Testing

/// The archive and the alarm intake meet inside the intake's transaction: vitals become
/// Observations, and triage reads chronic conditions.
@Suite("The archive and the alarm intake")
struct ArchiveIntakeTests {
    /// Signs and submits an event as a device does; returns the device's reply.
    func send(_ t: ArchiveHarness, _ intake: AlarmIntake, device: DeviceWithSecret, _ body: String) async throws -> String {
        let path = "/v1/devices/\(device.device.id)/events"
        let ts = String(Int64(t.clock.now.timeIntervalSince1970))
        let signature = EventSignature.sign(method: "POST", path: path, timestamp: ts, body: Data(body.utf8), secret: device.secret)
        let reply = try await intake.receive(
            deviceId: device.device.id, path: path, timestamp: ts, signature: signature, body: Data(body.utf8))
        return String(decoding: reply, as: UTF8.self)
    }

    func event(_ t: ArchiveHarness, _ ref: String, _ code: String, vitals: String? = nil) -> String {
        let at = ISO8601DateFormatter().string(from: t.clock.now)
        return #"{"ref":"\#(ref)","kind":"alarm","occurredAt":"\#(at)","code":"\#(code)""# + (vitals.map { #","vitals":\#($0)"# } ?? "")
            + "}"
    }

    @Test func vitalsSentWithAnEventBecomeDeviceMeasuredObservations() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        let device = try await t.database.registry.createDevice(
            NewDevice(id: "DEV-1", type: .sosPendant, elderId: elder.id), by: .commandLine)
        let intake = AlarmIntake(calls: t.calls, policy: IntakePolicy(), clock: t.clock.careClock)
        _ = try await send(
            t, intake, device: device, event(t, "e-1", "sos", vitals: #"{"heartRate":118,"spo2":93,"systolic":150,"diastolic":95}"#))
        // The same event again is a duplicate: nothing is recorded twice.
        _ = try await send(
            t, intake, device: device, event(t, "e-1", "sos", vitals: #"{"heartRate":118,"spo2":93,"systolic":150,"diastolic":95}"#))
        let page = try await t.archive.search(.observation, [("patient", String(elder.id))], by: t.centreDoctor)
        #expect(page.matches.count == 3, "heart rate, SpO2 and a blood-pressure panel")
        #expect(page.matches.allSatisfy { $0.changedBy == "device DEV-1" })
        let summary = try await t.archive.summary(elderId: elder.id, callId: 1, by: t.operatorOnDuty)
        #expect(summary.vitals.contains { $0.contains("118") })
    }

    @Test func vitalsAreWrittenInTheEventsTransaction() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        let device = try await t.addDevice(1, elderId: elder.id)
        let vitals = Vitals(heartRate: 70)
        let parsed = DeviceEvent(ref: "e-9", kind: .alarm, code: .sos, occurredAt: t.clock.now, vitals: vitals)
        let incoming = IncomingEvent(device: device, event: parsed, body: Data("{}".utf8), receivedAt: t.clock.now)
        // A transaction that fails after the event leaves no Observation behind.
        struct Failed: Error {}
        let results = try await t.calls.recordEvents([incoming], graceSeconds: 120) { _ in throw Failed() }
        #expect(results.count == 1)
        if case .success = results[0] { Issue.record("the event was stored") }
        let none = try await t.archive.search(.observation, [("patient", String(elder.id))], by: t.admin)
        #expect(none.matches.isEmpty)
        let stored = try await t.calls.recordEvents([incoming], graceSeconds: 120) { _ in .record }
        if case .failure(let error) = stored[0] { Issue.record("\(error)") }
        let one = try await t.archive.search(.observation, [("patient", String(elder.id))], by: t.admin)
        #expect(one.matches.count == 1)
    }

    @Test func triageCountsChronicConditionsFromTheArchive() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        // Neither elder has any other risk factor: under 80, not alone, self-caring.
        var ids: [Int64] = []
        var devices: [DeviceWithSecret] = []
        for n in 1...2 {
            let id = NationalID.make(regionCode: "450902", birthDate: CalendarDate(year: 1956, month: 3, day: n)!, sequence: n)
            let elder = try await t.database.registry.createElder(
                try NewElder(
                    name: "测试\(n)", nationalId: id.value, phone: nil, address: "玉林市", location: nil, regionCode: "450902000000",
                    livingSituation: .withFamily, careLevel: .selfCare
                ).validated(now: t.clock.now), by: .commandLine)
            ids.append(elder.id)
            devices.append(
                try await t.database.registry.createDevice(
                    NewDevice(id: "DEV-\(n)", type: .sosPendant, elderId: elder.id), by: .commandLine))
        }
        _ = try await t.archive.create(Sample.condition("I10", "高血压", patient: ids[0]), as: .condition, by: t.admin)
        let intake = AlarmIntake(calls: t.calls, policy: IntakePolicy(), clock: t.clock.careClock)
        _ = try await send(t, intake, device: devices[0], event(t, "a", "inactivity"))
        _ = try await send(t, intake, device: devices[1], event(t, "b", "inactivity"))
        let calls = try await t.calls.calls(CallFilter(), page: PageRequest(limit: 10)).items
        let withCondition = try #require(calls.first { $0.elderId == ids[0] })
        let without = try #require(calls.first { $0.elderId == ids[1] })
        #expect(withCondition.priority < without.priority, "\(withCondition.priority) vs \(without.priority)")
        #expect(withCondition.reason.contains("高血压"))
    }
}
