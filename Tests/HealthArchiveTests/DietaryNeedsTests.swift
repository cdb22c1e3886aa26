import CareModel
import CareStore
import Foundation
import Testing

@testable import HealthArchive

/// A meal being booked asks the archive for the elder's food allergies, in the booking's write
/// transaction, and the archive audits what it discloses.
@Suite("Dietary needs for meals")
struct DietaryNeedsTests {
    func ask(_ t: ArchiveHarness, _ elder: Elder) async throws -> [String]? {
        try await t.database.write { db in
            try t.database.bus.ask(
                db, FoodAllergiesOf(elderId: elder.id, askedBy: t.provider, reason: "meal booking 31"), as: [String].self)
        }
    }

    func record(_ t: ArchiveHarness, _ allergen: Allergen, _ elder: Elder) async throws {
        _ = try await t.archive.create(
            FHIRBuild.allergy(allergen, patientId: String(elder.id), recorded: t.clock.now, criticality: "high", reaction: "皮疹"),
            as: .allergyIntolerance, by: t.admin)
    }

    @Test func foodAllergiesOnlyAndTheDisclosureIsAudited() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        try await record(t, .peanut, elder)
        try await record(t, .penicillin, elder)
        let needs = try #require(try await ask(t, elder))
        #expect(needs.count == 1 && needs[0].contains("花生"), "\(needs)")
        let audit = try await t.database.auditLog(AuditFilter(elderId: elder.id), page: PageRequest(limit: 20)).items
        #expect(audit.contains { $0.reason == "meal booking 31" && $0.actorName == t.provider.name })
    }

    @Test func nothingWhenTheElderDoesNotShare() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(2, shares: false)
        try await record(t, .seafood, elder)
        #expect(try await ask(t, elder) == [])
        let audit = try await t.database.auditLog(AuditFilter(elderId: elder.id), page: PageRequest(limit: 20)).items
        #expect(!audit.contains { $0.reason == "meal booking 31" })
    }
}
