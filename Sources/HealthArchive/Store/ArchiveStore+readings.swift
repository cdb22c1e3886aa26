import CareModel
import CareStore
import Foundation
internal import GRDB

extension ArchiveStore {
    // MARK: - What the intake publishes and asks, inside its transaction

    /// A device's readings as the Observations to store, made and checked before the event's
    /// transaction. The device parser has already held every value to its range, so a refusal
    /// here would be a bug of ours: the reading is left out rather than failing the alarm.
    @Sendable static func prepareDeviceVitals(_ reading: VitalsMeasured) -> [PreparedReading] {
        FHIRBuild.deviceObservations(
            reading.vitals, patientId: String(reading.elderId), at: reading.measuredAt, deviceId: reading.deviceId,
            eventRef: reading.eventRef
        ).compactMap { observation in
            // Our own builder's output, whose structure its tests validate: only our rules here.
            guard let resource = try? FHIRValidator.forOwnBuilders.validate(observation, expecting: .observation) else { return nil }
            return PreparedReading(resource: resource, template: ServedTemplate(resource.resource))
        }
    }

    /// Writes a device's prepared readings, in the event's transaction.
    func recordDeviceVitals(_ db: Database, _ reading: VitalsMeasured, _ prepared: [PreparedReading]) throws {
        try ensureArchive(db, elderId: reading.elderId)
        let author = "device \(reading.deviceId)"
        let now = database.clock.now()
        for (index, observation) in prepared.enumerated() {
            _ = try insert(
                db, observation.resource, elderId: reading.elderId, by: author,
                sourceKey: "\(reading.deviceId):\(reading.eventRef):\(index)",
                at: now, template: observation.template)
        }
    }

    /// The elder's active chronic conditions, from the cache or this transaction.
    func chronicConditions(_ db: Database, elderId: Int64) throws -> [String] {
        let now = database.clock.now()
        if let known = chronic.value(for: elderId, now: now) { return known }
        let names = try String.fetchAll(
            db.cachedStatement(
                sql: "SELECT summary FROM health_resource INDEXED BY health_chronic WHERE elder_id = ? AND chronic = 1 AND deleted = 0"),
            arguments: [elderId])
        chronic.remember(names, for: elderId, now: now)
        return names
    }
}

/// One reading made ready for the writer: the checked resource and its JSON less the id and time.
struct PreparedReading: Sendable {
    var resource: ValidatedResource
    var template: ServedTemplate
}
