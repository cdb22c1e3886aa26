import CareModel
import Crypto
import Foundation
internal import GRDB

/// One elder with everything registered alongside them, for ``RegistryStore/bulkLoad(_:)``.
public struct BulkElder: Sendable {
    public var elder: Elder
    public var contacts: [NewContact]
    public var devices: [(type: DeviceType, heartbeatSeconds: Int)]

    public init(elder: Elder, contacts: [NewContact], devices: [(type: DeviceType, heartbeatSeconds: Int)]) {
        self.elder = elder
        self.contacts = contacts
        self.devices = devices
    }
}

/// What a bulk load wrote.
public struct BulkLoadReport: Sendable {
    public var regions = 0
    public var institutions = 0
    public var elders = 0
    public var contacts = 0
    public var devices = 0
    public var seconds = 0.0
}

/// A synthetic city to write in one pass.
public struct BulkLoad {
    public var regions: [Region]
    public var institutions: [Institution]
    public var elderCount: Int
    /// Device secrets of seeded devices are derived from this value (see ``RegistryStore/demoDeviceSecret(seed:deviceId:)``),
    /// so a simulator started with the same seed can sign as them. Demo data only.
    public var seed: UInt64
    public var nextElder: () -> BulkElder
    public var progress: ((Int) -> Void)?

    public init(
        regions: [Region], institutions: [Institution], elderCount: Int, seed: UInt64,
        nextElder: @escaping () -> BulkElder, progress: ((Int) -> Void)? = nil
    ) {
        self.regions = regions; self.institutions = institutions; self.elderCount = elderCount; self.seed = seed
        self.nextElder = nextElder; self.progress = progress
    }
}

extension RegistryStore {
    /// Indexes rebuilt after a bulk load instead of maintained row by row: building an index
    /// from sorted keys is many times faster than inserting a million database.random identity numbers.
    static let bulkRebuiltIndexes = [
        "CREATE UNIQUE INDEX elder_by_national_id ON elder(national_id)",
        "CREATE INDEX elder_by_region ON elder(region_code)",
        "CREATE INDEX contact_by_elder ON emergency_contact(elder_id, position)",
        "CREATE INDEX device_by_elder ON device(elder_id)",
    ]

    /// Writes a synthetic city into an empty registry, in ONE transaction: either the whole
    /// city is there or none of it, whatever happens to the process. Refuses a database that
    /// already holds elders.
    public func bulkLoad(_ load: BulkLoad) throws -> BulkLoadReport {
        let started = Date()
        var report = BulkLoadReport()
        let now = database.clock.now()
        try database.withRollbackJournal { db in
            // A large page cache keeps the table b-trees in memory while millions of rows go in.
            let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            try db.execute(sql: "PRAGMA cache_size = -262144")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
            try db.inTransaction {
                let existing = try Int.fetchOne(db, sql: "SELECT count(*) FROM elder") ?? 0
                guard existing == 0 else {
                    throw StoreError.conflict(reason: "the database already holds \(existing) elders; seed a fresh data directory")
                }
                try self.writeRegionsAndInstitutions(db, load, now: now, into: &report)
                for statement in Self.bulkRebuiltIndexes {
                    let name = statement.split(separator: " ").first { $0.contains("_by_") }!
                    try db.execute(sql: "DROP INDEX \(name)")
                }
                try self.writeElders(db, load, now: now, into: &report)
                for statement in Self.bulkRebuiltIndexes { try db.execute(sql: statement) }
                try database.audit(
                    db, .commandLine, "seed", "registry", "elders",
                    fields: ["elders:\(report.elders)", "seed:\(load.seed)"])
                return .commit
            }
            // Fresh statistics let the planner choose well between the region and id indexes.
            try db.execute(sql: "ANALYZE")
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private func writeRegionsAndInstitutions(_ db: Database, _ load: BulkLoad, now: Date, into report: inout BulkLoadReport) throws {
        let insertRegion = try db.makeStatement(
            sql: """
                INSERT OR IGNORE INTO region (code, name, level, parent_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                """)
        for r in load.regions.sorted(by: { $0.level < $1.level }) {
            try insertRegion.execute(arguments: [r.code, r.name, r.level.rawValue, r.parentCode, now, now])
            report.regions += db.changesCount
        }
        let insertInstitution = try db.makeStatement(
            sql: """
                INSERT INTO institution (kind, name, region_code, address, latitude, longitude, phone, beds, nursing_beds,
                    status, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 1, ?, ?)
                """)
        for i in load.institutions {
            try insertInstitution.execute(arguments: [
                i.kind.rawValue, i.name, i.regionCode, i.address,
                i.location?.latitude, i.location?.longitude, i.phone, i.beds, i.nursingBeds, now, now,
            ])
            report.institutions += 1
        }
        try database.audit(
            db, .commandLine, "seed", "registry", "regions+institutions",
            fields: ["regions:\(report.regions)", "institutions:\(report.institutions)"])
    }

    private func writeElders(_ db: Database, _ load: BulkLoad, now: Date, into report: inout BulkLoadReport) throws {
        let insertElder = try db.makeStatement(sql: "INSERT INTO elder (\(Elder.columns)) VALUES (\(placeholders(19)))")
        let insertName = try db.makeStatement(sql: "INSERT INTO elder_name_search (rowid, chars) VALUES (?, ?)")
        let insertContact = try db.makeStatement(
            sql: """
                INSERT INTO emergency_contact (elder_id, position, name, relation, phone, has_key) VALUES (?, ?, ?, ?, ?, ?)
                """)
        let insertDevice = try db.makeStatement(
            sql: """
                INSERT INTO device (id, type, elder_id, secret, heartbeat_seconds, status, seq, version, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'active', ?, 1, ?, ?)
                """)
        var deviceSeq = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM device") ?? 0
        let keyed = HMAC<SHA256>(key: Self.demoSecretKey(seed: load.seed))
        let stamp = now.databaseValue
        for written in 1...max(load.elderCount, 1) where load.elderCount > 0 {
            let item = load.nextElder()
            try insertElder.execute(arguments: item.elder.arguments(stamp: stamp))
            let id = db.lastInsertedRowID
            try insertName.execute(arguments: [id, Self.searchTokens(item.elder.name)])
            for (i, c) in item.contacts.enumerated() {
                try insertContact.execute(arguments: [id, i + 1, c.name, c.relation.rawValue, c.phone, c.hasKey ?? false])
            }
            for d in item.devices {
                deviceSeq += 1
                let deviceId = Self.seededDeviceID(d.type, seq: deviceSeq)
                var mac = keyed
                mac.update(data: Data(deviceId.utf8))
                try insertDevice.execute(arguments: [
                    deviceId, d.type.rawValue, id, Secrets.base64url(mac.finalize()),
                    d.heartbeatSeconds, deviceSeq, stamp, stamp,
                ])
            }
            report.contacts += item.contacts.count
            report.devices += item.devices.count
            report.elders = written
            if written % 10_000 == 0 || written == load.elderCount { load.progress?(written) }
        }
    }

    /// Seeded device ids read like labels on the hardware: `sos_pendant-00000042` → `SOS-00000042`.
    static func seededDeviceID(_ type: DeviceType, seq: Int64) -> String {
        let short: String =
            switch type {
            case .sosPendant: "SOS"
            case .fallDetector: "FALL"
            case .watch: "WATCH"
            case .doorSensor: "DOOR"
            case .smokeSensor: "SMOKE"
            case .gasSensor: "GAS"
            case .bedSensor: "BED"
            case .wallButton: "BTN"
            }
        let digits = String(seq)
        return short + "-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    static func demoSecretKey(seed: UInt64) -> SymmetricKey {
        SymmetricKey(data: Data("eldercare-demo-seed:\(seed)".utf8))
    }

    static func demoDeviceSecret(key: SymmetricKey, deviceId: String) -> String {
        Secrets.base64url(HMAC<SHA256>.authenticationCode(for: Data(deviceId.utf8), using: key))
    }

    /// The secret a seeded device was given: HMAC-SHA256 of its id under a key derived from the
    /// seed. Lets the device simulator sign as seeded devices. Never seed a production database.
    public static func demoDeviceSecret(seed: UInt64, deviceId: String) -> String {
        demoDeviceSecret(key: demoSecretKey(seed: seed), deviceId: deviceId)
    }
}
