import CareModel
import CareStore
import Foundation
import GRDB
import Testing

@testable import Bookings

@Suite("Booking, rescheduling and cancelling")
struct BookingStoreTests {
    @Test func availabilityComesFromTheWorkersCalendars() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let a = try await h.addWorker(
            provider: provider, hours: [WorkingHours(weekdays: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "12:00")])
        let day = h.day(2)
        let slots = try await h.bookings.availability(
            service: "cleaning", elderId: elder.id, from: h.at(day, "00:00"), to: h.at(day, "23:59"), by: .commandLine)
        #expect(slots.map { LocalTime.clock($0.start) } == ["08:00", "08:30", "09:00", "09:30", "10:00"])
        #expect(slots.allSatisfy { $0.workerIds == [a.id] })
        // Booked at 08:00, the worker has no time left for another two-hour visit before noon.
        _ = try await h.book(elder, at: h.at(day, "08:00"))
        let after = try await h.bookings.availability(
            service: "cleaning", elderId: elder.id, from: h.at(day, "00:00"), to: h.at(day, "23:59"), by: .commandLine)
        #expect(after.isEmpty)
        // A worker registered now is offered at once (the workers availability keeps are dropped on every change).
        let b = try await h.addWorker(
            provider: provider, name: "新人", hours: [WorkingHours(weekdays: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "12:00")])
        let again = try await h.bookings.availability(
            service: "cleaning", elderId: elder.id, from: h.at(day, "00:00"), to: h.at(day, "23:59"), by: .commandLine)
        #expect(again.count == 5 && again.allSatisfy { $0.workerIds == [b.id] })
        // An elder outside every provider's regions has no slots at all.
        let far = try await h.addElder(2, region: "450903000000")
        #expect(
            try await h.bookings.availability(
                service: "cleaning", elderId: far.id, from: h.at(day, "00:00"), to: h.at(day, "23:59"), by: .commandLine
            )
            .isEmpty)
    }

    @Test func aWorkerWithoutAValidCertificateIsNeverAssigned() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let day = h.day(3)
        let expired = try await h.addWorker(
            provider: provider, name: "过期",
            certificates: [Certificate(kind: "housekeeping", number: "HK-OLD", issuer: "人社局", expiresOn: h.day(2))])
        let uncertified = try await h.addWorker(provider: provider, name: "无证", certificates: [])
        // Neither is offered, and the best free qualified worker is nobody.
        let err = await refusal { _ = try await h.book(elder, at: h.at(day, "09:00")) }
        guard case .conflict(let reason)? = err else { Issue.record("expected a conflict, got \(String(describing: err))"); return }
        #expect(reason.contains("no qualified worker"))
        // Asked for by name, each is refused with the reason.
        let named = await refusal { _ = try await h.book(elder, at: h.at(day, "09:00"), worker: expired.id) }
        guard case .conflict(let why)? = named else { Issue.record("expected a conflict"); return }
        #expect(why.contains("certificate valid on \(day)"))
        #expect(await refusal { _ = try await h.book(elder, at: h.at(day, "09:00"), worker: uncertified.id) } != nil)
        // Companionship needs no certificate: the uncertified worker may do it.
        let made = try await h.book(elder, "companionship", at: h.at(day, "09:00"), worker: uncertified.id)
        #expect(made.workerId == uncertified.id)
        // A certified worker added later gets the cleaning.
        let good = try await h.addWorker(provider: provider, name: "持证")
        #expect(try await h.book(elder, at: h.at(day, "14:00")).workerId == good.id)
    }

    @Test func theSameIdempotencyKeyGetsTheFirstAnswer() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        _ = try await h.addWorker(provider: provider)
        let request = NewBooking(elderId: elder.id, service: "cleaning", start: h.at(h.day(2), "09:00"))
        let first = try await h.bookings.create(request, idempotencyKey: "abc", by: .commandLine)
        let again = try await h.bookings.create(request, idempotencyKey: "abc", by: .commandLine)
        #expect(!first.replayed)
        #expect(again.replayed)
        #expect(again.result.bookings.map(\.id) == first.result.bookings.map(\.id))
        let all = try await h.bookings.bookings(BookingFilter(), by: .commandLine, page: PageRequest(limit: 50))
        #expect(all.items.count == 1)
        // Another key is another booking (here refused: the only worker is taken).
        #expect(await refusal { _ = try await h.bookings.create(request, idempotencyKey: "def", by: .commandLine) } != nil)
    }

    @Test func aRecurringSeriesIsCheckedAsAWholeAndItsConflictsListed() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let w = try await h.addWorker(provider: provider)
        let first = h.at(h.day(2), "09:00")
        // The only worker is on leave in the third week.
        let third = first.addingTimeInterval(14 * 86_400)
        _ = try await h.bookings.addLeave(
            WorkerLeave(workerId: w.id, start: third.addingTimeInterval(-3600), end: third.addingTimeInterval(4 * 3600), reason: "年假"),
            by: .commandLine)
        let weekly = NewBooking(elderId: elder.id, service: "cleaning", start: first, recurrence: Recurrence(every: .week, count: 4))
        let err = await refusal { _ = try await h.bookings.create(weekly, idempotencyKey: nil, by: .commandLine) }
        guard case .conflict(let reason)? = err else { Issue.record("expected a conflict, got \(String(describing: err))"); return }
        #expect(reason.contains("1 of the series' 4"))
        #expect(reason.contains(CalendarDate(date: third).description))
        #expect(
            try await h.bookings.bookings(BookingFilter(), by: .commandLine, page: PageRequest(limit: 50)).items.isEmpty, "nothing booked")
        // With skipConflicts the rest are booked, the conflict listed beside them, all one series.
        var skipping = weekly
        skipping.skipConflicts = true
        let made = try await h.bookings.create(skipping, idempotencyKey: nil, by: .commandLine).result
        #expect(made.bookings.count == 3)
        #expect(made.conflicts.map(\.start) == [third])
        #expect(Set(made.bookings.map(\.seriesId)) == [made.bookings[0].id])
        #expect(made.bookings.allSatisfy { $0.workerId == w.id })
    }

    @Test func cancellingBeforeAndAfterTheCutOff() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        _ = try await h.addWorker(provider: provider)
        let early = try await h.book(elder, at: h.at(h.day(3), "09:00"))
        let late = try await h.book(elder, at: h.at(h.day(1), "14:00"))
        let cancelled = try await h.bookings.cancel(early.id, reason: "家里有事", expectedVersion: early.version, by: .commandLine)
        #expect(cancelled.status == .cancelled)
        // Less than 24 hours before: late, and billable.
        let lateCancelled = try await h.bookings.cancel(late.id, reason: "临时外出", expectedVersion: nil, by: .commandLine)
        #expect(lateCancelled.status == .lateCancelled)
        let billable = try await h.changes(BillableEvent.entity)
        #expect(billable.map(\.change) == ["late_cancellation"])
        let event = try CareJSON.decoder.decode(BillableEvent.self, from: Data(billable[0].payload.utf8))
        #expect(event.eventId == "visit:\(late.id):late-cancel")
        #expect(event.providerId == provider && event.elderId == elder.id && event.tariff == "HS-CLEAN")
        // A cancelled booking stays cancelled; a stale version is refused.
        #expect(await refusal { _ = try await h.bookings.cancel(early.id, reason: "x", expectedVersion: nil, by: .commandLine) } != nil)
        let third = try await h.book(elder, at: h.at(h.day(4), "09:00"))
        let stale = await refusal { _ = try await h.bookings.cancel(third.id, reason: "x", expectedVersion: 7, by: .commandLine) }
        #expect(stale == .versionMismatch(entity: "booking", id: String(third.id), expected: 7, current: 1))
    }

    @Test func reschedulingKeepsTheWorkerWhenFreeAndStopsAtTheCutOff() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let a = try await h.addWorker(provider: provider, name: "甲")
        let b = try await h.addWorker(provider: provider, name: "乙")
        let day = h.day(3)
        let first = try await h.book(elder, at: h.at(day, "09:00"), worker: a.id)
        let moved = try await h.bookings.reschedule(first.id, to: h.at(day, "13:00"), expectedVersion: 1, by: .commandLine)
        #expect(moved.workerId == a.id && moved.start == h.at(day, "13:00") && moved.version == 2)
        // Moved onto a time the worker already holds: the other worker takes it.
        let other = try await h.book(elder, at: h.at(day, "09:00"), worker: a.id)
        let clash = try await h.bookings.reschedule(moved.id, to: h.at(day, "09:30"), expectedVersion: nil, by: .commandLine)
        #expect(clash.workerId == b.id)
        // Within 24 hours nothing moves.
        let soon = try await h.book(elder, at: h.at(h.day(1), "15:00"))
        #expect(
            await refusal {
                _ = try await h.bookings.reschedule(soon.id, to: h.at(h.day(2), "15:00"), expectedVersion: nil, by: .commandLine)
            } != nil)
        _ = other
        #expect(try await h.bookings.overlappingBookings().isEmpty)
    }

    @Test func aBookingLeftToTheProviderIsAssignedLater() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let w = try await h.addWorker(provider: provider)
        let made = try await h.bookings.create(
            NewBooking(elderId: elder.id, service: "cleaning", start: h.at(h.day(2), "09:00"), providerId: provider, leaveToProvider: true),
            idempotencyKey: nil, by: .commandLine)
        let requested = try #require(made.result.bookings.first)
        #expect(requested.status == .requested && requested.workerId == nil)
        let assigned = try await h.bookings.assign(requested.id, worker: w.id, expectedVersion: 1, by: .commandLine)
        #expect(assigned.status == .confirmed && assigned.workerId == w.id)
        let topics = try await h.database.read { db in try String.fetchAll(db, sql: "SELECT topic FROM outbox ORDER BY id") }
        #expect(topics == ["booking_confirmed", "worker_assigned"])
    }

    @Test func aStoreLoadingDemoDataTellsNobody() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        _ = try await h.addWorker(provider: provider)
        let quiet = BookingStore(h.database, notifies: false)
        _ = try await quiet.create(
            NewBooking(elderId: elder.id, service: "cleaning", start: h.at(h.day(2), "09:00")), idempotencyKey: nil, by: .commandLine)
        #expect(try await h.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") } == 0)
        #expect(try await h.changes("booking").count == 1, "the change log still has it")
    }

    @Test func theDatabaseRefusesAnOverlapWhateverWritesIt() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let w = try await h.addWorker(provider: provider)
        let b = try await h.book(elder, at: h.at(h.day(2), "09:00"))
        // A writer that skips every rule, inserting and updating directly.
        let insert = """
            INSERT INTO booking (elder_id, service, provider_id, worker_id, start_ms, end_ms, status, version, created_at, updated_at)
            VALUES (?, 'cleaning', ?, ?, ?, ?, 'confirmed', 1, 'x', 'x')
            """
        await #expect(throws: DatabaseError.self) {
            try await h.database.write { db in
                try db.execute(
                    sql: insert, arguments: [elder.id, provider, w.id, b.start.millis + 3_600_000, b.end.millis + 3_600_000])
            }
        }
        // Back to back is fine; then moving it onto the first is refused.
        try await h.database.write { db in
            try db.execute(sql: insert, arguments: [elder.id, provider, w.id, b.end.millis, b.end.millis + 3_600_000])
        }
        await #expect(throws: DatabaseError.self) {
            try await h.database.write { db in
                try db.execute(sql: "UPDATE booking SET start_ms = start_ms - 60000 WHERE id != ?", arguments: [b.id])
            }
        }
        // A cancelled booking holds nothing.
        try await h.database.write { db in try db.execute(sql: "UPDATE booking SET status = 'cancelled' WHERE id = ?", arguments: [b.id]) }
        try await h.database.write { db in
            try db.execute(sql: insert, arguments: [elder.id, provider, w.id, b.start.millis, b.end.millis])
        }
        #expect(try await h.bookings.overlappingBookings().isEmpty)
    }
}
