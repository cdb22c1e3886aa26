import CareModel
import CareStore
import Foundation
import GRDB
import Testing

@testable import Bookings

/// Availability reads workers' calendars from memory; whatever writes bookings, and however, the
/// answer is the one a store with nothing cached gives.
@Suite("The calendar cache")
struct CalendarCacheTests {
    func slots(_ store: BookingStore, _ h: BookingHarness, _ elder: Elder) async throws -> [AvailableSlot] {
        try await store.availability(
            service: "cleaning", elderId: elder.id, from: LocalTime.midnight(h.day(1)), to: LocalTime.midnight(h.day(4)), by: .commandLine)
    }

    /// What a store that has read nothing yet answers, over the same file.
    func fresh(_ h: BookingHarness, _ elder: Elder) async throws -> [AvailableSlot] {
        try await slots(BookingStore(h.database, policy: h.policy), h, elder)
    }

    @Test func everyKindOfWriteIsSeen() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let worker = try await h.addWorker(provider: provider)
        let elder = try await h.addElder(1)
        let nine = h.at(h.day(1), "09:00")
        func freeAtNine() async throws -> Bool {
            try await slots(h.bookings, h, elder).contains { $0.start == nine && $0.workerIds.contains(worker.id) }
        }
        #expect(try await freeAtNine())
        let b = try await h.book(elder, at: nine, worker: worker.id)
        #expect(try await !freeAtNine(), "a booking through the store")
        _ = try await h.bookings.cancel(b.id, reason: "家里有事", expectedVersion: nil, by: .commandLine)
        #expect(try await freeAtNine(), "a cancellation")
        // A write that is not the store's own: the row watch sees it all the same.
        try await h.database.write { db in
            try db.execute(sql: "UPDATE booking SET status = 'confirmed' WHERE id = ?", arguments: [b.id])
        }
        #expect(try await !freeAtNine(), "a write by other code")
        try await h.database.write { db in try db.execute(sql: "DELETE FROM booking WHERE id = ?", arguments: [b.id]) }
        #expect(try await freeAtNine(), "a delete")
    }

    @Test func randomChangesLeaveTheSameAnswerAsAFreshRead() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        var workers: [ServiceWorker] = []
        for n in 0..<4 { workers.append(try await h.addWorker(provider: provider, name: "工人\(n)")) }
        let elder = try await h.addElder(1)
        var random = SeededGenerator(seed: 19)
        var made: [Booking] = []
        for step in 0..<40 {
            switch Int.random(in: 0..<4, using: &random) {
            case 0, 1:
                let start = h.at(h.day(Int.random(in: 1...3, using: &random)), "08:00").addingTimeInterval(
                    Double(Int.random(in: 0..<32, using: &random) * 15 * 60))
                let worker = workers.randomElement(using: &random)!.id
                if let b = try? await h.book(elder, at: start, worker: worker) { made.append(b) }
            case 2 where !made.isEmpty:
                let b = made.remove(at: Int.random(in: 0..<made.count, using: &random))
                _ = try? await h.bookings.cancel(b.id, reason: "不需要了", expectedVersion: nil, by: .commandLine)
            case 3 where !made.isEmpty:
                let i = Int.random(in: 0..<made.count, using: &random)
                let moved = h.at(h.day(Int.random(in: 1...3, using: &random)), "10:00")
                if let b = try? await h.bookings.reschedule(made[i].id, to: moved, expectedVersion: nil, by: .commandLine) { made[i] = b }
            default: break
            }
            #expect(try await slots(h.bookings, h, elder) == (try await fresh(h, elder)), "after step \(step)")
        }
    }
}
