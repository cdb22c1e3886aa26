import CareModel
@testable import CareStore
import Foundation
import GRDB
import Testing

@Suite("Migrations and the file")
struct MigrationTests {
    @Test func migratesAnEmptyDatabase() async throws {
        let t = try await TestDatabase.make(migrate: false)
        defer { t.remove() }
        #expect(try await t.database.isMigrated() == false)
        try await t.database.migrate()
        #expect(try await t.database.isMigrated())
        #expect(try await t.database.appliedMigrations() == Migrations.migrator.migrations)
    }

    @Test func migratingAPopulatedDatabaseKeepsItsRows() async throws {
        // For each migration: stop just before it, add data, then apply the rest.
        let all = Migrations.migrator.migrations
        for index in 1..<all.count {
            let folder = NSTemporaryDirectory() + "carestore-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let queue = try DatabaseQueue(path: folder + "/care.sqlite")
            try Migrations.migrator.migrate(queue, upTo: all[index - 1])
            try queue.close()
            let t = TestDatabase(folder: folder, database: try CareDatabase.open(at: folder + "/care.sqlite"), clock: MovableClock())
            try await t.addRegions()
            _ = try await t.addElder(1)
            try await t.database.migrate()
            try await t.database.migrate()  // running again is a no-op
            #expect(try await t.database.appliedMigrations() == all)
            #expect(try await t.database.elders(ElderFilter(), page: PageRequest()).items.count == 1)
            #expect(try await t.database.contacts(elderId: 1).count == 1)
        }
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
        let count = try await copy.elders(ElderFilter(), page: PageRequest(limit: 500)).items.count
        #expect((20...60).contains(count))
        await #expect(throws: StoreError.self) { try await t.database.backup(to: report.path) }
    }
}
