import CareModel
import Foundation
import GRDB
import Testing

@testable import CareStore

@Suite("Migrations and the file")
struct MigrationTests {
    @Test func migratesAnEmptyDatabase() async throws {
        let t = try await TestDatabase.make(migrate: false)
        defer { t.remove() }
        #expect(try await t.database.isMigrated() == false)
        try await t.database.migrate()
        #expect(try await t.database.isMigrated())
        #expect(try await t.database.appliedMigrations() == ["core-v1", "core-v2", "registry-v1"])
        try await t.addRegions()
        _ = try await t.addElder(1)
        try await t.database.migrate()  // running again is a no-op
        #expect(try await t.database.registry.elders(ElderFilter(), page: PageRequest()).items.count == 1)
    }

    @Test func aDatabaseLeftPartWayThroughTheSingleFileMigrationsIsRefusedWithASentence() async throws {
        let t = try await TestDatabase.make(migrate: false)
        defer { t.remove() }
        // As if an old build had applied its first migration and stopped before its second.
        try await t.database.pool.write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v1-registry')")
        }
        let error = await #expect(throws: StoreError.self) { try await t.database.migrate() }
        guard case .conflict(let reason) = error else { Issue.record("not a conflict: \(String(describing: error))"); return }
        #expect(reason.contains("v2-alarms, v4-notifications not applied"))
    }

    @Test func opensInWALWithFullSyncAndForeignKeys() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        let p = try await t.database.pragmas()
        #expect(p["journal_mode"] == "wal")
        #expect(p["synchronous"] == "2")  // FULL
        #expect(p["foreign_keys"] == "1")
        #expect(p["busy_timeout"] == "5000")
    }

    @Test func backupIsAConsistentCopyThatOpensAndHoldsTheData() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        for n in 1...20 { _ = try await t.addElder(n) }
        // Writers keep going while the backup runs.
        async let writes: Void = { for n in 21...60 { _ = try await t.addElder(n) } }()
        let report = try await t.database.backup(to: t.folder + "/backup.sqlite")
        try await writes
        #expect(report.bytes > 0)
        let copy = try CareDatabase.open(at: report.path)
        #expect(try await copy.isMigrated())
        let count = try await copy.registry.elders(ElderFilter(), page: PageRequest(limit: 500)).items.count
        #expect((20...60).contains(count))
        await #expect(throws: StoreError.self) { try await t.database.backup(to: report.path) }
    }
}
