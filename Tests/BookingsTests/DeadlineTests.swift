import CareModel
import CareStore
import Foundation
import GRDB
import Testing

@testable import Bookings

@Suite("Reminders and missed visits")
struct DeadlineTests {
    static func outbox(_ h: BookingHarness) async throws -> [String] {
        try await h.database.read { db in try String.fetchAll(db, sql: "SELECT idempotency_key FROM outbox ORDER BY id") }
    }

    @Test func aVisitNotStartedWithinTheGraceIsMissedOnce() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        _ = try await h.addWorker(provider: provider)
        let b = try await h.book(elder, at: h.at(h.day(3), "09:00"))
        let sweeper = DeadlineSweeper(bookings: h.bookings, clock: h.clock.careClock)
        #expect(try await sweeper.runOnce(now: h.clock.now).isEmpty)
        // The day before: the reminder, once.
        h.clock.set(b.start.addingTimeInterval(-20 * 3600))
        #expect(try await sweeper.runOnce(now: h.clock.now).isEmpty)
        #expect(try await sweeper.runOnce(now: h.clock.now).isEmpty)
        #expect(try await Self.outbox(h).filter { $0.contains("reminder") }.count == 1)
        // At the start plus 29 minutes nothing; at 30 the visit is missed, and only once.
        h.clock.set(b.start.addingTimeInterval(29 * 60))
        #expect(try await sweeper.runOnce(now: h.clock.now).isEmpty)
        h.clock.set(b.start.addingTimeInterval(30 * 60))
        #expect(try await sweeper.runOnce(now: h.clock.now) == [b.id])
        #expect(try await sweeper.runOnce(now: h.clock.now).isEmpty)
        let missed = try await h.bookings.booking(id: b.id, by: .commandLine)
        #expect(missed.status == .missed)
        let payload = try await h.database.read { db in
            try String.fetchOne(db, sql: "SELECT payload FROM outbox WHERE topic = 'visit_missed'")
        }
        #expect(payload?.contains("\"providerId\":\"\(provider)\"") == true)
    }

    @Test func aCheckedInVisitIsNeverMissed() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let (account, phone) = try await h.workerAccount("张丽")
        _ = try await h.addWorker(provider: provider, accountId: account)
        let b = try await h.book(elder, at: h.at(h.day(1), "09:00"))
        h.clock.set(b.start.addingTimeInterval(10 * 60))
        _ = try await h.bookings.checkIn(b.id, VisitCheck(place: BookingHarness.home), by: phone)
        h.clock.set(b.start.addingTimeInterval(3 * 3600))
        #expect(try await DeadlineSweeper(bookings: h.bookings).runOnce(now: h.clock.now).isEmpty)
    }

    @Test func deadlinesSurviveARestart() async throws {
        let h = try await BookingHarness.make()
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        _ = try await h.addWorker(provider: provider)
        let b = try await h.book(elder, at: h.at(h.day(1), "09:00"))
        // The server stops before the visit and starts again long after its grace.
        let again = try h.reopened()
        defer { again.remove() }
        again.clock.set(b.start.addingTimeInterval(5 * 3600))
        #expect(try await DeadlineSweeper(bookings: again.bookings).runOnce(now: again.clock.now) == [b.id])
        #expect(try await again.bookings.booking(id: b.id, by: .commandLine).status == .missed)
    }
}

@Suite("Expiring certificates and trips")
struct NoticeTests {
    @Test func aCertificateExpiringWithinThirtyDaysIsReportedOnce() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        _ = try await h.addWorker(
            provider: provider, name: "快到期",
            certificates: [
                Certificate(kind: "housekeeping", number: "HK-SOON", issuer: "人社局", expiresOn: h.day(20)),
                Certificate(kind: "food_handler", number: "FH-LATER", issuer: "市监局", expiresOn: h.day(31)),
                Certificate(kind: "care_worker", number: "CW-GONE", issuer: "人社局", expiresOn: h.day(-1)),
            ])
        #expect(try await h.bookings.warnExpiringCertificates(now: h.clock.now) == 1)
        #expect(try await h.bookings.warnExpiringCertificates(now: h.clock.now) == 0)
        let (payload, elderId) = try await h.database.read { db -> (String?, Int64?) in
            let row = try Row.fetchOne(db, sql: "SELECT elder_id, payload FROM outbox WHERE topic = 'certificate_expiring'")
            return (row?["payload"], row?["elder_id"])
        }
        #expect(payload?.contains("\"expiresOn\":\"\(h.day(20))\"") == true && payload?.contains("\"providerId\":\"\(provider)\"") == true)
        #expect(elderId == nil)
        // A day later the second one enters the window.
        h.clock.advance(86_400)
        #expect(try await h.bookings.warnExpiringCertificates(now: h.clock.now) == 1)
    }

    @Test func theWorkerSettingOutTellsTheElder() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let (account, phone) = try await h.workerAccount("张丽")
        _ = try await h.addWorker(provider: provider, accountId: account)
        let b = try await h.book(elder, at: h.at(h.day(2), "09:00"))
        #expect(await refusal { _ = try await h.bookings.onTheWay(b.id, by: phone) } != nil, "two days early")
        h.clock.set(b.start.addingTimeInterval(-1800))
        _ = try await h.bookings.onTheWay(b.id, by: phone)
        let topics = try await h.database.read { db in try String.fetchAll(db, sql: "SELECT topic FROM outbox ORDER BY id") }
        #expect(topics.last == "worker_on_the_way")
    }
}
