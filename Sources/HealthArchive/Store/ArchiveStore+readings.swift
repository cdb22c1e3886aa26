import CareModel
import CareStore
import Foundation
internal import GRDB

extension ArchiveStore {
    // MARK: - What the intake publishes and asks, inside its transaction

    /// Writes a device's readings as device-measured Observations, in the event's transaction.
    /// The device parser has already held every value to its range, so a refusal here would be a
    /// bug of ours: the reading is left out rather than failing the alarm that carried it.
    func recordDeviceVitals(_ db: Database, _ reading: VitalsMeasured) throws {
        try ensureArchive(db, elderId: reading.elderId)
        let observations = FHIRBuild.deviceObservations(
            reading.vitals, patientId: String(reading.elderId), at: reading.measuredAt, deviceId: reading.deviceId,
            eventRef: reading.eventRef)
        let author = "device \(reading.deviceId)"
        let now = database.clock.now()
        for (index, observation) in observations.enumerated() {
            // Our own builder's output (its tests validate its structure): only our rules, on the writer's thread.
            guard let resource = try? FHIRValidator.forOwnBuilders.validate(observation, expecting: .observation) else { continue }
            _ = try insert(
                db, resource, elderId: reading.elderId, by: author, sourceKey: "\(reading.deviceId):\(reading.eventRef):\(index)", at: now)
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
