import CareModel
import Foundation
package import GRDB

public struct DeviceFilter: Sendable {
    public var elderId: Int64?
    public var type: DeviceType?
    public var status: DeviceStatus?
    /// Region code at any level: devices of elders in it or under it.
    public var region: String?
    public init(elderId: Int64? = nil, type: DeviceType? = nil, status: DeviceStatus? = nil, region: String? = nil) {
        self.elderId = elderId; self.type = type; self.status = status; self.region = region
    }
}

extension RegistryStore {
    /// Registers a device and returns it with its signing secret: the only time the secret leaves
    /// the server.
    public func createDevice(_ new: NewDevice, by who: Principal) async throws -> DeviceWithSecret {
        try new.validate()
        let secret = Secrets.makeDeviceSecret(database.random)
        let generatedID = "dev-" + Secrets.base32(database.random.bytes(12))
        return try await database.pool.write { db in
            let elder = try? Self.elder(db, id: new.elderId)
            guard let elder else {
                throw StoreError.invalid(ValidationFailure(field: "elderId", reason: "names no registered elder (\(new.elderId))"))
            }
            guard elder.status == .active else {
                throw StoreError.conflict(reason: "elder \(elder.id) is inactive; reactivate them before adding devices")
            }
            let id = new.id ?? generatedID
            if try Row.fetchOne(db, sql: "SELECT 1 FROM device WHERE id = ?", arguments: [id]) != nil {
                throw StoreError.duplicate(field: "id", reason: "device \(id) is already registered")
            }
            let now = database.clock.now()
            let heartbeat = new.heartbeatSeconds ?? new.type.defaultHeartbeatSeconds
            try db.execute(
                sql: """
                    INSERT INTO device (id, type, elder_id, secret, heartbeat_seconds, status, seq, version, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, 'active', (SELECT coalesce(max(seq), 0) + 1 FROM device), 1, ?, ?)
                    """, arguments: [id, new.type.rawValue, new.elderId, secret, heartbeat, now, now])
            try database.audit(db, who, "create", "device", id, fields: ["elder:\(new.elderId)"])
            return DeviceWithSecret(device: try Self.device(db, id: id), secret: secret)
        }
    }

    public func device(id: String) async throws -> Device {
        try await database.pool.read { db in try Self.device(db, id: id) }
    }

    package static func device(_ db: Database, id: String) throws -> Device {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM device WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound(entity: "device", id: id)
        }
        return Device(row: row)
    }

    /// The device and its secret, for verifying a signed request. Nil for an unknown device.
    ///
    /// Not `async`: one point read on the calling thread, since the device path calls it from a
    /// network thread outside Swift concurrency (the intake keeps what it read in memory).
    public func deviceCredentials(id: String) throws -> DeviceWithSecret? {
        // Every event from a device not heard from lately reads this, on a network thread (a
        // storm is tens of thousands of them): columns by position through SQLite's C API, as
        // the writer's statements do, instead of a GRDB row looked up by column names.
        try database.pointRead { db -> DeviceWithSecret? in
            try db.cachedStatement(
                sql: """
                    SELECT type, elder_id, secret, heartbeat_seconds, status, version, created_at, updated_at FROM device WHERE id = ?
                    """
            ).first({ $0.add(id) }) { row in
                let secret = row.text(2)
                let device = Device(
                    id: id, type: DeviceType(rawValue: row.text(0)) ?? .sosPendant, elderId: row.int64(1),
                    heartbeatSeconds: Int(row.int64(3)), status: DeviceStatus(rawValue: row.text(4)) ?? .active,
                    secretFingerprint: Secrets.fingerprint(of: secret), version: Int(row.int64(5)),
                    createdAt: row.date(6), updatedAt: row.date(7))
                return DeviceWithSecret(device: device, secret: secret)
            }
        }
    }

    public func updateDevice(id: String, _ patch: DevicePatch, expectedVersion: Int? = nil, by who: Principal) async throws -> Device {
        try patch.validate()
        return try await database.pool.write { db in
            var d = try Self.device(db, id: id)
            if let expectedVersion, expectedVersion != d.version {
                throw StoreError.versionMismatch(entity: "device", id: id, expected: expectedVersion, current: d.version)
            }
            var fields: [String] = []
            if let e = patch.elderId, e != d.elderId {
                guard (try? Self.elder(db, id: e)) != nil else {
                    throw StoreError.invalid(ValidationFailure(field: "elderId", reason: "names no registered elder (\(e))"))
                }
                d.elderId = e; fields.append("elderId")
            }
            if let h = patch.heartbeatSeconds, h != d.heartbeatSeconds { d.heartbeatSeconds = h; fields.append("heartbeatSeconds") }
            if let s = patch.status, s != d.status { d.status = s; fields.append("status") }
            guard !fields.isEmpty else { return d }
            d.version += 1
            d.updatedAt = database.clock.now()
            try db.execute(
                sql: """
                    UPDATE device SET elder_id = ?, heartbeat_seconds = ?, status = ?, version = ?, updated_at = ?,
                        deadline_ms = CASE WHEN ?3 = 'active' THEN deadline_ms ELSE NULL END WHERE id = ?
                    """, arguments: [d.elderId, d.heartbeatSeconds, d.status.rawValue, d.version, d.updatedAt, id])
            try database.audit(db, who, "update", "device", id, fields: fields)
            return d
        }
    }

    /// Replaces a device's secret (after a lost or re-flashed device) and shows the new one once.
    public func rotateDeviceSecret(id: String, by who: Principal) async throws -> DeviceWithSecret {
        let secret = Secrets.makeDeviceSecret(database.random)
        return try await database.pool.write { db in
            var d = try Self.device(db, id: id)
            d.version += 1
            d.updatedAt = database.clock.now()
            try db.execute(
                sql: "UPDATE device SET secret = ?, version = ?, updated_at = ? WHERE id = ?",
                arguments: [secret, d.version, d.updatedAt, id])
            try database.audit(db, who, "rotate_secret", "device", id, fields: ["secret"])
            d.secretFingerprint = Secrets.fingerprint(of: secret)
            return DeviceWithSecret(device: d, secret: secret)
        }
    }

    /// Devices in registration order.
    public func devices(_ filter: DeviceFilter, page: PageRequest) async throws -> Page<Device> {
        try await database.pool.read { db in
            var q = SQLQuery("SELECT device.* FROM device")
            if let r = filter.region {
                q = SQLQuery("SELECT device.* FROM device JOIN elder ON elder.id = device.elder_id")
                q.where("elder.region_code GLOB ?", RegionCode.prefix(of: RegionCode.normalise(r)) + "*")
            }
            if let e = filter.elderId { q.where("device.elder_id = ?", e) }
            if let t = filter.type { q.where("device.type = ?", t.rawValue) }
            if let s = filter.status { q.where("device.status = ?", s.rawValue) }
            if let after = page.after.flatMap(Int64.init) { q.where("device.seq > ?", after) }
            q.suffix("ORDER BY device.seq LIMIT ?", page.limit + 1)
            let rows = try q.fetchAll(db)
            let items = rows.prefix(page.limit).map(Device.init(row:))
            let next: String? = rows.count > page.limit ? Cursor.encode(rows[page.limit - 1]["seq"] as Int64) : nil
            return Page(items: Array(items), nextCursor: next)
        }
    }
}
