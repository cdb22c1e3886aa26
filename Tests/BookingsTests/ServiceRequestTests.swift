import CareModel
import CareStore
import Foundation
import Testing

@testable import Bookings

/// Green-key presses on the worklist: put there in the intake's transaction (here, a write that
/// publishes the press as the intake does), answered by a booking or declined with a reason.
@Suite("The green-key worklist")
struct ServiceRequestTests {
    func press(_ h: BookingHarness, _ elder: Elder, call: Int64 = 7) async throws {
        try await h.database.write { db in
            try h.database.bus.publish(db, ServiceRequested(elderId: elder.id, callId: call, deviceId: "SOS-1", at: h.clock.now))
        }
    }

    func waiting(_ h: BookingHarness, by who: Principal = .commandLine) async throws -> [HomeServiceRequest] {
        try await h.bookings.serviceRequests(status: .new, by: who, page: PageRequest(limit: 50)).items
    }

    @Test func aBookingAnswersTheRequestInItsOwnTransaction() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        _ = try await h.addWorker(provider: provider)
        let elder = try await h.addElder(1)
        try await press(h, elder)
        let request = try #require(try await waiting(h).first)
        #expect(request.elderId == elder.id && request.elderName == "王秀英" && request.callId == 7 && request.status == .new)

        let made = try await h.bookings.create(
            NewBooking(elderId: elder.id, service: "cleaning", start: h.at(h.day(1), "09:00"), serviceRequestId: request.id),
            idempotencyKey: nil, by: .commandLine)
        let booking = try #require(made.result.bookings.first)
        let answered = try await h.bookings.serviceRequest(id: request.id, by: .commandLine)
        #expect(answered.status == .booked && answered.bookingId == booking.id && answered.handledBy == "admin eldercare-cli")
        #expect(try await waiting(h).isEmpty)

        // A second booking naming the same request is refused, and nothing is booked.
        let again = await refusal {
            _ = try await h.bookings.create(
                NewBooking(elderId: elder.id, service: "cleaning", start: h.at(h.day(2), "09:00"), serviceRequestId: request.id),
                idempotencyKey: nil, by: .commandLine)
        }
        guard case .conflict(let reason)? = again else { Issue.record("not a conflict: \(String(describing: again))"); return }
        #expect(reason.contains("already booked (booking \(booking.id))"))
        #expect(
            try await h.bookings.bookings(BookingFilter(elderId: elder.id), by: .commandLine, page: PageRequest(limit: 10)).items.count == 1
        )
    }

    @Test func aRequestIsAnsweredOnlyForItsOwnElder() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        _ = try await h.addWorker(provider: provider)
        let asked = try await h.addElder(1), other = try await h.addElder(2)
        try await press(h, asked)
        let request = try #require(try await waiting(h).first)
        let wrong = await refusal {
            _ = try await h.bookings.create(
                NewBooking(elderId: other.id, service: "cleaning", start: h.at(h.day(1), "09:00"), serviceRequestId: request.id),
                idempotencyKey: nil, by: .commandLine)
        }
        guard case .invalid(let failure)? = wrong else { Issue.record("not refused: \(String(describing: wrong))"); return }
        #expect(failure.issues.map(\.field) == ["serviceRequestId"])
        #expect(try await waiting(h).count == 1, "the request still waits")
    }

    @Test func declinedWithAReasonAndAudited() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)
        try await press(h, elder)
        let request = try #require(try await waiting(h).first)
        #expect(await refusal { _ = try await h.bookings.declineServiceRequest(request.id, reason: "  ", by: .commandLine) } != nil)
        let declined = try await h.bookings.declineServiceRequest(request.id, reason: "误按，老人只是想聊天", by: .commandLine)
        #expect(declined.status == .declined && declined.reason == "误按，老人只是想聊天")
        #expect(await refusal { _ = try await h.bookings.declineServiceRequest(request.id, reason: "again", by: .commandLine) } != nil)
        let audit = try await h.database.auditLog(AuditFilter(elderId: elder.id), page: PageRequest(limit: 10)).items
        #expect(audit.contains { $0.action == "decline" && $0.reason == "误按，老人只是想聊天" })
    }

    @Test func aProviderSeesTheRequestsOfTheRegionsItServes() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let yuzhou = try await h.addProvider(serving: ["450902000000"], name: "玉州服务中心")
        let fumian = try await h.addProvider(serving: ["450903000000"], name: "福绵服务中心")
        let elder = try await h.addElder(1)  // lives in Yuzhou
        try await press(h, elder)
        func account(_ provider: Int64) async throws -> Principal {
            let a = try await h.database.createAccount(
                NewAccount(name: "调度\(provider)", role: .provider, institutionId: provider), by: .commandLine)
            return Principal(accountId: a.id, name: a.name, role: .provider)
        }
        let near = try await account(yuzhou), far = try await account(fumian)
        let seen = try await waiting(h, by: near)
        #expect(seen.map(\.elderId) == [elder.id])
        #expect(try await waiting(h, by: far).isEmpty)
        #expect(await refusal { _ = try await h.bookings.serviceRequest(id: seen[0].id, by: far) } != nil)
        #expect(await refusal { _ = try await h.bookings.declineServiceRequest(seen[0].id, reason: "不是我们的", by: far) } != nil)
    }
}
