import CareModel
import CareStore
import Foundation
import GRDB
import Synchronization
import Testing

@testable import Bookings

@Suite("Visits at the door")
struct VisitTests {
    /// A booked cleaning tomorrow at 09:00 by a worker with an account, and the clock at its start.
    static func booked(_ h: BookingHarness, service: String = "cleaning", volunteer: String? = nil) async throws -> (Booking, Principal) {
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let (account, phone) = try await h.workerAccount("张丽")
        _ = try await h.addWorker(provider: provider, accountId: account, volunteerGroup: volunteer)
        let b = try await h.book(elder, service, at: h.at(h.day(1), "09:00"))
        h.clock.set(b.start.addingTimeInterval(-120))
        return (b, phone)
    }

    static let atTheDoor = Coordinates(latitude: 22.6302, longitude: 110.1501)

    @Test func checkInOutsideTheRadiusIsRefused() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let (b, phone) = try await Self.booked(h)
        let street = Coordinates(latitude: 22.6400, longitude: 110.1500)  // about 1.1 km north
        let err = await refusal { _ = try await h.bookings.checkIn(b.id, VisitCheck(place: street), by: phone) }
        guard case .invalid(let failure)? = err else { Issue.record("expected 422, got \(String(describing: err))"); return }
        #expect(failure.issues.first?.field == "place")
        #expect(failure.summary.contains("within 300 m"))
        // At the door it works, and records the distance.
        let visit = try await h.bookings.checkIn(b.id, VisitCheck(place: Self.atTheDoor), by: phone)
        #expect(visit.status == .inProgress)
        #expect((visit.checkInDistanceMeters ?? 999) < 50)
    }

    @Test func anotherWorkersVisitIsNotFound() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let (b, _) = try await Self.booked(h)
        let (_, stranger) = try await h.workerAccount("路人")
        let err = await refusal { _ = try await h.bookings.checkIn(b.id, VisitCheck(place: Self.atTheDoor), by: stranger) }
        #expect(err == .notFound(entity: "booking", id: String(b.id)))
    }

    @Test func aVerifiedVisitIsBillableOnceWithTheSixElements() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let (b, phone) = try await Self.booked(h)
        _ = try await h.bookings.checkIn(b.id, VisitCheck(place: Self.atTheDoor), by: phone)
        h.clock.advance(2 * 3600)
        let visit = try await h.bookings.checkOut(b.id, VisitCheck(place: Self.atTheDoor, notes: "打扫了厨房和卫生间"), by: phone)
        #expect(visit.verified)
        #expect(visit.service == "cleaning" && visit.elderId == b.elderId && visit.workerId == b.workerId)
        #expect(visit.date == CalendarDate(date: b.start) && visit.checkInPlace != nil)
        #expect(visit.checkInAt != nil && visit.checkOutAt != nil && visit.notes == "打扫了厨房和卫生间")
        let billable = try await h.changes(BillableEvent.entity)
        #expect(billable.map(\.change) == ["visit_verified"])
        let event = try CareJSON.decoder.decode(BillableEvent.self, from: Data(billable[0].payload.utf8))
        #expect(event.minutes == 120 && event.workerId == b.workerId && !event.volunteer)
        // A correction afterwards keeps its reason in the history and bills nothing twice.
        let corrected = try await h.bookings.correct(
            b.id, VisitCorrectionRequest(reason: "手机时间不准", checkInAt: b.start), by: .commandLine)
        #expect(corrected.history.count == 1 && corrected.history[0].reason == "手机时间不准")
        #expect(try await h.changes(BillableEvent.entity).count == 1)
        // A correction needs a reason.
        #expect(throws: ValidationFailure.self) { try VisitCorrectionRequest(reason: " ", checkInAt: b.start).validate() }
    }

    @Test func aCorrectionWithAReasonVerifiesAVisitTheHomeCouldNotConfirm() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1, at: nil)
        let (account, phone) = try await h.workerAccount("张丽")
        _ = try await h.addWorker(provider: provider, accountId: account)
        let b = try await h.book(elder, at: h.at(h.day(1), "09:00"))
        h.clock.set(b.start)
        _ = try await h.bookings.checkIn(b.id, VisitCheck(place: Self.atTheDoor), by: phone)
        h.clock.advance(3600)
        let unverified = try await h.bookings.checkOut(b.id, VisitCheck(place: Self.atTheDoor), by: phone)
        #expect(!unverified.verified, "the elder's home has no coordinates")
        #expect(try await h.changes(BillableEvent.entity).isEmpty)
        let v = try await h.bookings.correct(b.id, VisitCorrectionRequest(reason: "站长电话核实", verified: true), by: .commandLine)
        #expect(v.verified && v.history.first?.changes == ["verified: false → true"])
        #expect(try await h.changes(BillableEvent.entity).map(\.change) == ["visit_verified"])
    }

    @Test func shoppingAndMealsRecordWhatBillingNeeds() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let (b, phone) = try await Self.booked(h, service: "shopping", volunteer: "玉州区志愿者协会")
        _ = try await h.bookings.checkIn(b.id, VisitCheck(place: Self.atTheDoor), by: phone)
        h.clock.advance(3600)
        // Without the receipt the check-out is refused.
        await #expect(throws: ValidationFailure.self) {
            _ = try await h.bookings.checkOut(b.id, VisitCheck(place: Self.atTheDoor), by: phone)
        }
        let receipt = ShoppingReceipt(items: ["大米 5kg", "鸡蛋 30个"], amountFen: 8_650, photo: "receipts/31.jpg")
        let v = try await h.bookings.checkOut(b.id, VisitCheck(place: Self.atTheDoor, shopping: receipt), by: phone)
        #expect(v.shopping == receipt)
        let event = try CareJSON.decoder.decode(BillableEvent.self, from: Data(try await h.changes(BillableEvent.entity)[0].payload.utf8))
        #expect(event.kind == .shoppingReceipt && event.amountFen == 8_650 && event.volunteer)
        // The volunteer's hour counts as time-bank credit.
        let hours = try await h.bookings.volunteerHours(
            from: b.start.addingTimeInterval(-86_400), to: b.start.addingTimeInterval(86_400), by: .commandLine)
        #expect(hours.map(\.workerId) == [b.workerId!] && hours.first?.visits == 1 && hours.first?.minutes == 60)
    }

    @Test func aMealCarriesTheEldersFoodAllergies() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        // The archive answers in the booking's transaction; here the bus's answerer stands in for it.
        let asked = Mutex<[FoodAllergiesOf]>([])
        h.database.bus.answer(FoodAllergiesOf.self) { _, q in
            asked.withLock { $0.append(q) }
            return ["花生过敏 (严重)"]
        }
        let provider = try await h.addProvider()
        _ = try await h.addWorker(provider: provider)
        let elder = try await h.addElder(1)
        let made = try await h.bookings.create(
            NewBooking(elderId: elder.id, service: "meal", start: h.at(h.day(1), "11:30"), recurrence: Recurrence(every: .day, count: 3)),
            idempotencyKey: nil, by: .commandLine)
        #expect(made.result.bookings.map(\.dietaryNeeds) == Array(repeating: ["花生过敏 (严重)"], count: 3))
        #expect(asked.withLock { $0.map(\.reason) } == ["meal booking \(made.result.bookings[0].id)"], "asked once per request")
        let read = try await h.bookings.booking(id: made.result.bookings[2].id, by: .commandLine)
        #expect(read.dietaryNeeds == ["花生过敏 (严重)"])
        let cleaning = try await h.book(elder, "cleaning", at: h.at(h.day(2), "09:00"))
        #expect(cleaning.dietaryNeeds == nil && asked.withLock { $0.count } == 1)
    }

    @Test func aMealNobodyOpenedTheDoorForIsAWelfareConcern() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        // Emergency opens the call; here the bus's subscriber stands in for it, in the same transaction.
        let concerns = Mutex<[WelfareConcern]>([])
        h.database.bus.subscribe(WelfareConcern.self) { _, c in concerns.withLock { $0.append(c) } }
        let store = h.bookings
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let (account, phone) = try await h.workerAccount("送餐员")
        _ = try await h.addWorker(provider: provider, accountId: account)
        let b = try await h.book(elder, "meal", at: h.at(h.day(1), "11:30"))
        h.clock.set(b.start)
        _ = try await store.checkIn(b.id, VisitCheck(place: Self.atTheDoor), by: phone)
        _ = try await store.checkOut(b.id, VisitCheck(place: Self.atTheDoor, meal: MealDelivery(delivered: false)), by: phone)
        #expect(concerns.withLock { $0.map(\.elderId) } == [elder.id])
        #expect(try await h.changes(BillableEvent.entity).isEmpty, "an undelivered meal is not billed")
    }

    @Test func aNoShowAtTheDoorIsRecordedForBilling() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let (b, phone) = try await Self.booked(h)
        #expect(
            await refusal { _ = try await h.bookings.recordNoShow(b.id, VisitCheck(place: Self.atTheDoor), by: phone) } != nil,
            "not yet due")
        h.clock.set(b.start.addingTimeInterval(600))
        let saved = try await h.bookings.recordNoShow(b.id, VisitCheck(place: Self.atTheDoor), by: phone)
        #expect(saved.status == .noShow)
        #expect(try await h.changes(BillableEvent.entity).map(\.change) == ["no_show"])
    }

    @Test func feedbackIsKeptOnTheVisit() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let (b, phone) = try await Self.booked(h)
        _ = try await h.bookings.checkIn(b.id, VisitCheck(place: Self.atTheDoor), by: phone)
        _ = try await h.bookings.checkOut(b.id, VisitCheck(place: Self.atTheDoor), by: phone)
        let v = try await h.bookings.feedback(b.id, VisitFeedback(rating: 2, complaint: "迟到半小时"), by: .commandLine)
        #expect(v.rating == 2 && v.complaint == "迟到半小时")
        #expect(throws: ValidationFailure.self) { try VisitFeedback(rating: 6, complaint: nil).validate() }
        // The complaint goes to the provider through the outbox, with its words; a rating alone does not.
        _ = try await h.bookings.feedback(b.id, VisitFeedback(rating: 4, complaint: nil), by: .commandLine)
        let told = try await h.database.read { db in
            try Row.fetchAll(db, sql: "SELECT payload FROM outbox WHERE topic = 'complaint_received'").map { $0[0] as String }
        }
        #expect(told.count == 1 && told.first?.contains("迟到半小时") == true && told.first?.contains(#""providerId""#) == true)
    }
}
