import CareModel
import CareStore
import Foundation
import Testing

@testable import Bookings

/// Bookings answers the health archive's one question about providers: may this provider see
/// the elder's allergies? Only while it has a meal service booked for them.
@Suite("Bookings and the health archive")
struct HealthQuestionTests {
    @Test func aProviderNeedsTheAllergiesOnlyWhileItHasAMealBooked() async throws {
        let h = try await BookingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let other = try await h.addProvider(name: "别家家政")
        _ = try await h.addWorker(provider: provider)
        let elder = try await h.addElder(1)
        let account = try await h.database.createAccount(
            NewAccount(name: "供餐调度", role: .provider, institutionId: provider), by: .commandLine)
        let stranger = try await h.database.createAccount(NewAccount(name: "别家调度", role: .provider, institutionId: other), by: .commandLine)
        func ask(_ accountId: Int64) async throws -> Bool? {
            try await h.database.read { db in
                try h.database.bus.ask(db, BookedServiceNeedsAllergies(accountId: accountId, elderId: elder.id), as: Bool.self)
            }
        }
        let cleaning = try await h.book(elder, "cleaning", at: h.at(h.day(2), "09:00"))
        #expect(try await ask(account.id) == false, "cleaning needs no allergies")
        let meal = try await h.book(elder, "meal", at: h.at(h.day(2), "11:30"))
        #expect(try await ask(account.id) == true)
        #expect(try await ask(stranger.id) == false, "another provider's meal is not this one's")
        _ = try await h.bookings.cancel(meal.id, reason: "away", expectedVersion: nil, by: .commandLine)
        #expect(try await ask(account.id) == false)
        _ = cleaning
    }
}
