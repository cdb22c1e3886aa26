import CareModel
import CareStore
import Foundation
internal import GRDB

/// A device whose deadline passed, with what triage needs to word its call.
public struct OverdueDevice: Sendable {
    public var device: Device
    public var elder: Elder
    public var lastSeenAt: Date?
}

extension CallStore {
    /// Declares up to `limit` devices whose deadline is at or before `now` offline, and opens a
    /// "device offline" call for each (unless one is already open for that device), in one
    /// transaction. Reads only the devices that are due, through the deadline index: the cost
    /// does not grow with the number of devices.
    /// - Returns: the calls opened.
    public func markOverdueDevicesOffline(
        now: Date, limit: Int,
        triage: @escaping @Sendable (OverdueDevice) -> (Priority, String)
    ) async throws -> [Call] {
        try await database.write { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT * FROM device WHERE deadline_ms IS NOT NULL AND deadline_ms <= ? ORDER BY deadline_ms LIMIT ?
                        """), arguments: [now.millis, limit])
            var opened: [Call] = []
            for row in rows {
                let device = Device(row: row)
                try db.cachedStatement(sql: "UPDATE device SET online = 0, deadline_ms = NULL WHERE id = ?")
                    .execute(arguments: [device.id])
                self.caches.deviceStates.forget(device.id)
                let alreadyOpen =
                    try Bool.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT EXISTS (SELECT 1 FROM call WHERE device_id = ? AND code = ? AND is_open = 1)
                                """), arguments: [device.id, AlarmCode.deviceOffline.rawValue]) ?? false
                guard !alreadyOpen, device.status == .active else { continue }
                let elder = try RegistryStore.elder(db, id: device.elderId)
                let (priority, reason) = triage(OverdueDevice(device: device, elder: elder, lastSeenAt: row["last_seen_at"]))
                opened.append(
                    try self.insertCall(
                        db, elderId: elder.id, deviceId: device.id, code: .deviceOffline,
                        priority: priority, reason: reason, location: nil, at: now, stamp: SQLText.timeText(now)))
            }
            return opened
        }
    }

    /// Restarts, from `now`, the supervision timers of devices that are already overdue, and
    /// returns how many. For when the server starts: a device cannot reach a server that is
    /// down, so silence during an outage says nothing about the device, and declaring every
    /// device offline after a ten-minute maintenance stop would open a "device offline" call
    /// for each of a city's hundreds of thousands, burying the queue and holding up the alarms
    /// behind them. A device really silent is declared offline one interval (plus grace) later.
    /// In chunks, so alarms arriving meanwhile commit between them.
    public func restartOverdueSupervision(now: Date, graceSeconds: Int, chunk: Int = 2_000) async throws -> Int {
        var restarted = 0
        while true {
            let changed = try await database.pool.write { db -> Int in
                try db.execute(
                    sql: """
                        UPDATE device SET deadline_ms = ? + (heartbeat_seconds + ?) * 1000
                        WHERE id IN (SELECT id FROM device WHERE deadline_ms IS NOT NULL AND deadline_ms <= ? LIMIT ?)
                        """, arguments: [now.millis, graceSeconds, now.millis, chunk])
                // The intake's writer keeps deadlines as it last wrote them.
                self.caches.deviceStates.clear()
                return db.changesCount
            }
            restarted += changed
            if changed < chunk { return restarted }
        }
    }

    /// The earliest supervision deadline, so the supervisor can sleep until then.
    public func nextSupervisionDeadline() async throws -> Date? {
        try await database.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT min(deadline_ms) FROM device WHERE deadline_ms IS NOT NULL")
                .map { Date(timeIntervalSince1970: Double($0) / 1000) }
        }
    }
}
