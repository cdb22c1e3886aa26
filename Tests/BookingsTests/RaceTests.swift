import CareModel
import CareStore
import Foundation
import Testing

@testable import Bookings

@Suite("Races for the same worker")
struct RaceTests {
    @Test func concurrentRequestsForOneSlotMakeExactlyOneBooking() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let elder = try await h.addElder(1)
        let w = try await h.addWorker(provider: provider)
        let request = NewBooking(elderId: elder.id, service: "cleaning", start: h.at(h.day(2), "09:00"), workerId: w.id)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<300 {
                group.addTask { (try? await h.bookings.create(request, idempotencyKey: nil, by: .commandLine)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await h.bookings.bookings(BookingFilter(), by: .commandLine, page: PageRequest(limit: 50)).items.count == 1)
    }

    /// Creates, reschedules and cancels racing in random order over a few workers and a day:
    /// whatever succeeds, no worker is held twice at once (checked over the whole table).
    @Test func aRandomizedRunEndsWithNoOverlaps() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        var elders: [Elder] = []
        for n in 1...4 { elders.append(try await h.addElder(n)) }
        var workers: [Int64] = []
        for n in 0..<3 { workers.append(try await h.addWorker(provider: provider, name: "工\(n)").id) }
        let day = h.day(3)
        let (ids, ws, es) = (workers, elders, day)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var rng = SeededGenerator(seed: UInt64(task + 1))
                    for _ in 0..<40 {
                        let start = h.at(es, "08:00").addingTimeInterval(Double(Int.random(in: 0..<16, using: &rng) * 1800))
                        switch Int.random(in: 0..<3, using: &rng) {
                        case 0:
                            let worker: Int64? = Bool.random(using: &rng) ? ids.randomElement(using: &rng) : nil
                            _ = try? await h.bookings.create(
                                NewBooking(elderId: ws.randomElement(using: &rng)!.id, service: "laundry", start: start, workerId: worker),
                                idempotencyKey: nil, by: .commandLine)
                        case 1:
                            if let b = try? await h.bookings.bookings(
                                BookingFilter(status: .confirmed), by: .commandLine, page: PageRequest(limit: 100)
                            )
                            .items.randomElement(using: &rng) {
                                _ = try? await h.bookings.reschedule(b.id, to: start, expectedVersion: nil, by: .commandLine)
                            }
                        default:
                            if let b = try? await h.bookings.bookings(
                                BookingFilter(status: .confirmed), by: .commandLine, page: PageRequest(limit: 100)
                            )
                            .items.randomElement(using: &rng) {
                                _ = try? await h.bookings.cancel(b.id, reason: "随机取消", expectedVersion: nil, by: .commandLine)
                            }
                        }
                    }
                }
            }
        }
        let all = try await h.bookings.bookings(BookingFilter(), by: .commandLine, page: PageRequest(limit: 500)).items
        #expect(all.contains { $0.status == .confirmed }, "the run booked something")
        #expect(try await h.bookings.overlappingBookings().isEmpty)
    }
}

/// A small deterministic generator (SplitMix64), so a failing run can be repeated.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1330_11EB
        return z ^ (z >> 31)
    }
}
