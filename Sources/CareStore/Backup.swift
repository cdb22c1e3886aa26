import Foundation
internal import GRDB

extension CareDatabase {
    /// Copies a consistent snapshot of the database to `destination` while the server keeps
    /// serving: SQLite's online backup API reads through a WAL reader, so writers never wait.
    /// The copy is checked with `PRAGMA quick_check` before this returns.
    ///
    /// Restore: stop the server, move the copy to the configured database path (remove any
    /// `-wal` and `-shm` files beside the old one), start the server. See Docs/runbook.md.
    public func backup(to destination: String) async throws -> BackupReport {
        let started = Date()
        if FileManager.default.fileExists(atPath: destination) {
            throw StoreError.conflict(reason: "\(destination) already exists; choose a new file so no backup is overwritten")
        }
        let folder = (destination as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let target = try DatabaseQueue(path: destination)
        try await Task.detached { [pool] in try pool.backup(to: target) }.value
        let check = try await target.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "" }
        let migrations = try await target.read { db in try self.schema.migrator.appliedMigrations(db) }
        try target.close()
        guard check == "ok" else { throw StoreError.conflict(reason: "the backup failed its integrity check: \(check)") }
        let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
        return BackupReport(path: destination, bytes: size, migrations: migrations, seconds: Date().timeIntervalSince(started))
    }
}

/// What a backup produced.
public struct BackupReport: Sendable {
    public var path: String
    public var bytes: Int
    public var migrations: [String]
    public var seconds: Double
}
