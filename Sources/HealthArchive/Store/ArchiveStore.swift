import CareModel
import CareStore
import Foundation
internal import GRDB

/// The health archive's store: every elder's FHIR resources with their versions and tombstones
/// (the `archive-*` migrations), archive numbers, enrolments and consultations. One per process:
/// it answers the intake's questions about chronic conditions from a cache of its own rows, and
/// records the vitals the intake publishes inside the intake's transaction.
public final class ArchiveStore: Sendable {
    public let database: CareDatabase
    /// Each elder's active chronic conditions, for triage on every alarm. Only this store writes
    /// Conditions, so it drops an elder's entry whenever it writes one of theirs.
    let chronic = ExpiringCache<Int64, [String]>(lifetime: 3600, capacity: 200_000)
    let validator = FHIRValidator()

    /// The archive's migrations, registered after the notifications'.
    public static let migrations = ArchiveSchema.migrations

    public init(_ database: CareDatabase) {
        self.database = database
        // Weak: the database outlives a store made for one test.
        database.bus.subscribe(
            VitalsMeasured.self, prepare: Self.prepareDeviceVitals,
            handle: { [weak self] db, reading, prepared in try self?.recordDeviceVitals(db, reading, prepared) })
        database.bus.answer(ChronicConditionsOf.self) { [weak self] db, question in
            try self?.chronicConditions(db, elderId: question.elderId) ?? []
        }
        database.bus.answer(FoodAllergiesOf.self) { [weak self] db, question in
            try self?.foodAllergies(db, question) ?? []
        }
    }
}

// MARK: - Rows

extension StoredResource {
    init(row: Row) {
        self.init(
            type: FHIRResourceType(rawValue: row["type"]) ?? .patient, id: row["id"], elderId: row["elder_id"],
            version: row["version"], lastUpdated: Date(timeIntervalSince1970: Double(row["updated_ms"] as Int64) / 1000),
            changedBy: row["changed_by"], deleted: (row["deleted"] as Int) != 0, json: row["json"])
    }
}

/// FHIR instants as the archive writes them: UTC with milliseconds.
enum FHIRInstant {
    static func text(_ date: Date) -> String {
        var text = SQLText.timeText(date)
        text.replaceSubrange(text.index(text.startIndex, offsetBy: 10)...text.index(text.startIndex, offsetBy: 10), with: "T")
        return text + "Z"
    }
}
