import CareModel
import CareStore
import Foundation
import Testing

@testable import Emergency

@Suite("Signed device events")
struct SignatureTests {
    @Test func aCorrectlySignedEventIsAccepted() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let reply = try await h.send(device, h.event("e1", "alarm", "sos"))
        #expect(reply.status == .accepted && reply.callId != nil && reply.heartbeatSeconds == 300)
    }

    @Test(arguments: ["wrong key", "tampered body", "41 s old", "21 s ahead", "unknown device"])
    func refusedAndNothingStored(_ case_: String) async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let body = h.event("e1", "alarm", "sos")
        await #expect(throws: IntakeError.self) {
            switch case_ {
            case "wrong key": _ = try await h.send(device, body, secret: "not-the-secret")
            case "tampered body": _ = try await h.send(device, body, tamper: true)
            case "41 s old": _ = try await h.send(device, body, timestampOffset: -41)
            case "21 s ahead": _ = try await h.send(device, body, timestampOffset: 21)
            default: _ = try await h.send("NO-SUCH-DEVICE", body, secret: "x")
            }
        }
        #expect(try await h.openCalls().isEmpty)
        #expect(try await h.calls.deviceEvents(deviceId: device, page: PageRequest()).items.isEmpty)
    }

    @Test func theWindowEdgesAreInclusive() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let old = try await h.send(device, h.event("old", "heartbeat"), timestampOffset: -40)
        let new = try await h.send(device, h.event("new", "heartbeat"), timestampOffset: 20)
        #expect(old.status == .recorded && new.status == .recorded)
        #expect(try await h.calls.deviceEvents(deviceId: device, page: PageRequest()).items.map(\.ref) == ["old", "new"])
    }

    @Test func aSuspendedDeviceIsRefused() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        _ = try await h.database.registry.updateDevice(id: device, DevicePatch(status: .suspended), by: .commandLine)
        await #expect(throws: IntakeError.self) { _ = try await h.send(device, h.event("e1", "alarm", "sos")) }
    }

    /// Credentials are cached for the intake: a device suspended, or given a new secret, right
    /// after it was heard from must be refused (or need the new secret) at once.
    @Test func aDeviceChangeTakesEffectOnTheNextEvent() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        _ = try await h.send(device, h.event("e1", "heartbeat"))
        let rotated = try await h.database.registry.rotateDeviceSecret(id: device, by: .commandLine)
        await #expect(throws: IntakeError.self) { _ = try await h.send(device, h.event("e2", "heartbeat")) }
        _ = try await h.send(device, h.event("e3", "heartbeat"), secret: rotated.secret)
        _ = try await h.database.registry.updateDevice(id: device, DevicePatch(status: .suspended), by: .commandLine)
        await #expect(throws: IntakeError.self) { _ = try await h.send(device, h.event("e4", "alarm", "sos"), secret: rotated.secret) }
    }

    @Test func replayingAStoredReferenceReturnsTheFirstAnswerAndStoresNothing() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let first = try await h.send(device, h.event("e1", "alarm", "sos"))
        h.testClock.advance(5)
        // The same reference again, even with a different body and a fresh signature.
        let again = try await h.send(device, h.event("e1", "alarm", "fall"))
        #expect(again == first)
        #expect(try await h.openCalls().map(\.eventCount) == [1])
        #expect(try await h.calls.deviceEvents(deviceId: device, page: PageRequest()).items.count == 1)
    }
}

@Suite("Dedupe, cancel and triage")
struct IntakeRuleTests {
    @Test func repeatedAlarmsWithinTheWindowJoinTheOpenCall() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let first = try await h.send(device, h.event("e1", "alarm", "inactivity"))
        for i in 2...20 {
            h.testClock.advance(10)
            let r = try await h.send(device, h.event("e\(i)", "alarm", "sos"))
            #expect(r.status == .joined && r.callId == first.callId)
        }
        let calls = try await h.openCalls()
        #expect(calls.count == 1)
        #expect(calls[0].eventCount == 20)
        #expect(calls[0].priority == .p1, "a more urgent alarm raises the joined call")
        // Past the window (measured from the last event) a new call opens.
        h.testClock.advance(301)
        let later = try await h.send(device, h.event("late", "alarm", "sos"))
        #expect(later.status == .accepted && later.callId != first.callId)
    }

    @Test func anSOSNeverHidesInsideATechnicalCall() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let battery = try await h.send(device, h.event("b", "alarm", "low_battery"))
        let sos = try await h.send(device, h.event("s", "alarm", "sos"))
        #expect(sos.status == .accepted && sos.callId != battery.callId)
        #expect(try await h.openCalls().map(\.priority) == [.p1, .p3])
    }

    @Test func aCancelWithinTheWindowMarksTheCallButKeepsIt() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let sos = try await h.send(device, h.event("e1", "alarm", "sos"))
        h.testClock.advance(10)
        let cancel = try await h.send(device, h.event("e2", "cancel"))
        #expect(cancel.status == .cancelled && cancel.callId == sos.callId)
        let calls = try await h.openCalls()
        #expect(calls.count == 1 && calls[0].status == .cancelledAtDevice && calls[0].cancelledAt != nil)
    }

    @Test func aCancelAfterTheWindowIsOnlyRecorded() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        _ = try await h.send(device, h.event("e1", "alarm", "fall"))
        h.testClock.advance(121)
        let cancel = try await h.send(device, h.event("e2", "cancel"))
        #expect(cancel.status == .recorded && cancel.callId == nil)
        #expect(try await h.openCalls()[0].status == .new)
    }

    @Test func anotherDeviceCannotCancelTheAlarm() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let pendant = try await h.addElder(1)
        let elderId = try await h.database.registry.device(id: pendant).elderId
        let other = try await h.database.registry.createDevice(
            NewDevice(id: "DOOR-1", type: .doorSensor, elderId: elderId), by: .commandLine)
        h.secrets["DOOR-1"] = other.secret
        _ = try await h.send(pendant, h.event("e1", "alarm", "sos"))
        let cancel = try await h.send("DOOR-1", h.event("c1", "cancel"))
        #expect(cancel.status == .recorded)
    }

    @Test(arguments: [
        (1970, LivingSituation.withFamily, CareLevel.selfCare, "inactivity", Priority.p2),
        (1970, .alone, .selfCare, "inactivity", .p1),
        (1940, .withFamily, .selfCare, "door_open_night", .p1),
        (1970, .withFamily, .disabled, "geofence_exit", .p1),
        (1940, .alone, .disabled, "low_battery", .p3),
        (1940, .alone, .selfCare, "service_request", .p4),
        (1970, .withFamily, .selfCare, "sos", .p1),
    ])
    func triageRaisesForRisk(birthYear: Int, living: LivingSituation, care: CareLevel, code: String, expected: Priority) async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1, birthYear: birthYear, living: living, care: care)
        _ = try await h.send(device, h.event("e1", "alarm", code))
        let call = try #require(try await h.openCalls().first)
        #expect(call.priority == expected, "\(call.reason)")
        #expect(!call.reason.isEmpty)
    }

    @Test func criticalVitalsMakeAbnormalVitalsP1() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1, device: .watch)
        _ = try await h.send(device, h.event("e1", "alarm", "abnormal_vitals", extra: #","vitals":{"heartRate":35}"#))
        #expect(try await h.openCalls().first?.priority == .p1)
    }

    @Test func aGreenKeyBecomesAServiceRequestAndTestsOpenNothing() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let service = try await h.send(device, h.event("g1", "alarm", "service_request"))
        #expect(service.status == .accepted)
        let test = try await h.send(device, h.event("t1", "alarm", "device_test"))
        #expect(test.status == .recorded && test.callId == nil)
        #expect(try await h.openCalls().map(\.code) == [.serviceRequest])
        #expect(try await h.calls.pendingServiceRequestCount() == 1)
    }
}

@Suite("Rate limits and bad input")
struct IntakeInputTests {
    @Test func heartbeatsBeyondTheRateAreRefusedButAlarmsNever() async throws {
        var policy = IntakePolicy()
        policy.heartbeatBurst = 3
        policy.heartbeatRatePerMinute = 6
        var h = try await IntakeHarness.make(policy: policy)
        defer { h.remove() }
        let device = try await h.addElder(1)
        for i in 0..<3 { _ = try await h.send(device, h.event("h\(i)", "heartbeat")) }
        do {
            _ = try await h.send(device, h.event("h3", "heartbeat"))
            Issue.record("the fourth heartbeat should be limited")
        } catch let IntakeError.rateLimited(seconds) {
            #expect(seconds == 10)
        }
        await #expect(throws: IntakeError.self) { _ = try await h.send(device, h.event("i1", "info", "power_failure")) }
        for i in 0..<20 { _ = try await h.send(device, h.event("a\(i)", "alarm", "sos")) }
        h.testClock.advance(10)
        _ = try await h.send(device, h.event("h4", "heartbeat"))
    }

    @Test func badBodiesAreRefusedWithTheirKind() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        func refusal(_ body: String) async -> IntakeError? {
            do { _ = try await h.send(device, body); return nil } catch { return error as? IntakeError }
        }
        guard case .undecodable? = await refusal("{not json") else { Issue.record("malformed JSON"); return }
        guard case .undecodable? = await refusal(h.event("e1", "alarm", "earthquake")) else { Issue.record("unknown code"); return }
        guard case .invalid(let f)? = await refusal(h.event("e2", "alarm", "fall", extra: #","vitals":{"heartRate":900}"#)) else {
            Issue.record("impossible vitals"); return
        }
        #expect(f.issues.map(\.field) == ["vitals.heartRate"])
        guard case .invalid(let g)? = await refusal(h.event("e3", "alarm", "fall", extra: #","location":{"latitude":200,"longitude":110}"#))
        else {
            Issue.record("impossible latitude"); return
        }
        #expect(g.issues.map(\.field) == ["location.latitude"])
        let huge = h.event("e4", "info", extra: #","location":{"text":""# + String(repeating: "x", count: 20_000) + #""}"#)
        guard case .tooLarge? = await refusal(huge) else { Issue.record("too large"); return }
        #expect(try await h.calls.deviceEvents(deviceId: device, page: PageRequest()).items.isEmpty)
    }
}

@Suite("Triage sees registry changes at once")
struct TriageFreshnessTests {
    @Test func anUpdatedCareLevelRaisesTheNextAlarm() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        _ = try await h.send(device, h.event("e1", "alarm", "inactivity"))
        #expect(try await h.openCalls().first?.priority == .p2)
        let elderId = try await h.database.registry.device(id: device).elderId
        _ = try await h.database.registry.updateElder(id: elderId, by: .commandLine) { e, now in
            try ElderPatch(careLevel: .disabled).applied(to: e, now: now)
        }
        h.testClock.advance(301)  // past the dedupe window: a new call
        _ = try await h.send(device, h.event("e2", "alarm", "inactivity"))
        #expect(try await h.openCalls().map(\.priority) == [.p1, .p2])
    }

    /// The writer keeps each device's elder (`IntakeCaches.deviceStates`): a device handed to another
    /// elder raises its next alarm for that elder.
    @Test func aDeviceMovedToAnotherElderAlarmsForThem() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let other = try await h.database.registry.device(id: try await h.addElder(2)).elderId
        _ = try await h.send(device, h.event("e1", "alarm", "sos"))
        _ = try await h.database.registry.updateDevice(id: device, DevicePatch(elderId: other), by: .commandLine)
        _ = try await h.send(device, h.event("e2", "alarm", "sos"))
        let elders = Set(try await h.openCalls().map(\.elderId))
        #expect(elders.count == 2 && elders.contains(other))
    }
}
