import CareModel
import CareStore
import Foundation
import GRDB
import Testing

@testable import Emergency

/// A home service's concern (a meal nobody opened the door for) becomes a welfare-check call in the
/// publishing service's own transaction.
@Suite("Welfare-check calls")
struct WelfareCallTests {
    func concern(_ h: IntakeHarness, elder: Int64, booking: Int64) async throws {
        try await h.database.write { db in
            try h.database.bus.publish(db, WelfareConcern(elderId: elder, bookingId: booking, at: h.testClock.now, detail: "送餐时无人开门"))
        }
    }

    func elderId(_ h: IntakeHarness, device: String) async throws -> Int64 {
        try await h.database.registry.device(id: device).elderId
    }

    @Test func aConcernOpensAP2CallOnTheEldersAlarmLine() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let elder = try await elderId(h, device: device)
        try await concern(h, elder: elder, booking: 31)
        let calls = try await h.openCalls()
        #expect(calls.count == 1)
        let call = try #require(calls.first)
        #expect(call.code == .welfareCheck && call.priority == .p2 && call.deviceId == device && call.elderId == elder)
        #expect(call.reason.contains("送餐时无人开门"))

        // A second missed meal is a note on the same call, not a second call in the queue.
        try await concern(h, elder: elder, booking: 32)
        #expect(try await h.openCalls().count == 1)
        let notes = try await h.calls.timeline(callId: call.id).filter { $0.action == "concern" }
        #expect(notes.count == 1 && notes[0].note?.contains("booking 32") == true)
    }

    @Test func riskRaisesAWelfareCallLikeAnAlarm() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(2, birthYear: 1936, living: .alone)
        try await concern(h, elder: try await elderId(h, device: device), booking: 1)
        #expect(try await h.openCalls().map(\.priority) == [.p1])
    }

    @Test func aDeviceCannotRaiseAWelfareCheck() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(3)
        await #expect(throws: (any Error).self) { _ = try await h.send(device, h.event("w1", "alarm", "welfare_check")) }
        #expect(try await h.openCalls().isEmpty)
    }

    @Test func anElderWithoutADeviceKeepsTheConcernInTheAuditLog() async throws {
        let h = try await IntakeHarness.make()
        defer { h.remove() }
        let id = NationalID.make(regionCode: "450902", birthDate: CalendarDate(year: 1950, month: 5, day: 5)!, sequence: 9)
        let elder = try await h.database.registry.createElder(
            try NewElder(
                name: "无设备", nationalId: id.value, phone: nil, address: "玉林市玉州区", location: nil, regionCode: "450902000000",
                livingSituation: .withFamily, careLevel: .selfCare
            ).validated(now: h.testClock.now), by: .commandLine)
        try await concern(h, elder: elder.id, booking: 7)
        #expect(try await h.openCalls().isEmpty)
        let audit = try await h.database.auditLog(AuditFilter(elderId: elder.id), page: PageRequest(limit: 10)).items
        #expect(audit.map(\.action) == ["welfare_concern"] && audit.first?.reason == "送餐时无人开门")
    }
}
