import CareModel
import CareStore
import Emergency
import Foundation
import GRDB
import Notifications
import Testing

@testable import CareAPI

/// A database written by the build before the stores were split (commit 2aa94cd: one migrator,
/// `v1-registry` … `v5-lean-call-index`) opens, migrates and serves under the split schema, with
/// every row of every table where it was. The fixture is that build's `sqlite3 .dump` of a
/// seeded city after device scenarios (SOS, fall, cancel, smoke, a green-key press), a claim and
/// notification attempts to an unreachable webhook: every table holds rows.
@Suite("Upgrading a database made before the store split")
struct StoreUpgradeTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/main-2aa94cd.sql")

    /// Every table and view with its row count, and every index, as the file now holds them.
    static func inventory(_ db: Database) throws -> (counts: [String: Int], indexes: Set<String>, columns: [String: [String]]) {
        let tables = try String.fetchAll(
            db,
            sql: """
                SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'
                    AND name NOT LIKE 'elder_name_search_%' AND name <> 'grdb_migrations' ORDER BY name
                """)
        var counts: [String: Int] = [:], columns: [String: [String]] = [:]
        for table in tables {
            counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(table)\"")
            columns[table] = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]).map { $0["name"] }
        }
        let indexes = Set(
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_%'"))
        return (counts, indexes, columns)
    }

    @Test func everyRowSurvivesAndTheSchemaMatchesAFreshOne() async throws {
        let folder = NSTemporaryDirectory() + "upgrade-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let legacy = try DatabaseQueue(path: folder + "/old.sqlite")
        // The dump has its own BEGIN and COMMIT.
        try await legacy.writeWithoutTransaction { db in try db.execute(sql: String(contentsOf: Self.fixture, encoding: .utf8)) }
        // The dump writes the name index's virtual table into the schema directly: a new
        // connection sees it.
        try legacy.close()
        let reopened = try DatabaseQueue(path: folder + "/old.sqlite")
        let before = try await reopened.read { db in try Self.inventory(db) }
        try reopened.close()
        #expect(before.counts.filter { $0.key != "call_summary" }.allSatisfy { $0.value > 0 }, "the fixture has rows in every table")

        let database = try CareDatabase.open(at: folder + "/old.sqlite", schema: CareServer.schema)
        try await database.migrate()
        #expect(try await database.isMigrated())
        #expect(try await database.appliedMigrations() == CareServer.schema.migrations.map(\.id))
        let after = try await database.pool.read { db in try Self.inventory(db) }
        #expect(after.counts.filter { before.counts[$0.key] != nil } == before.counts, "no row lost or added")
        // Stores added after the split (bookings, …) start with tables of their own, empty.
        #expect(after.counts.filter { before.counts[$0.key] == nil }.values.allSatisfy { $0 == 0 })

        // The same tables, columns, indexes and triggers as a database the split schema made.
        let fresh = try CareDatabase.open(at: folder + "/new.sqlite", schema: CareServer.schema)
        try await fresh.migrate()
        let made = try await fresh.pool.read { db in try Self.inventory(db) }
        #expect(made.columns == after.columns)
        #expect(made.indexes == after.indexes)

        // And it still works: the registry, the calls and their feed, the notifications.
        let calls = CallStore(database)
        let open = try await calls.callSummaries(CallFilter(), page: PageRequest(limit: 50))
        #expect(!open.items.isEmpty)
        let first = try #require(open.items.first)
        let claimed = try await calls.act(
            on: first.id, .note("after the upgrade"), expectedVersion: nil,
            by: CallActor(accountId: 1, name: "王芳"))
        #expect(claimed.timeline.last?.action == "note")
        #expect(try await calls.callChanges(after: 0, limit: 1000).count == before.counts["change_log"]! + 1)
        let sent = try await NotificationStore(database).notifications(NotificationFilter(), page: PageRequest(limit: 100))
        #expect(sent.items.count == before.counts["notification"])
        #expect(try await database.registry.elders(ElderFilter(), page: PageRequest(limit: 100)).items.count == before.counts["elder"])
        try database.close()
        try fresh.close()
    }
}
