import Foundation
import GRDB
import Testing

@testable import CareStore

/// A bulk load runs with the rollback journal and leaves the file as every other write expects it.
@Suite("Bulk loads in rollback-journal mode")
struct BulkJournalTests {
    @Test func aLoadRunsWithoutTheWALAndTheFileReturnsToWALWithFullSync() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        // A reader has been open: the load closes it, or SQLite would refuse to leave WAL mode.
        _ = try await t.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM elder") }

        let modeDuringLoad = try t.database.withRollbackJournal { db in
            try db.execute(sql: "CREATE TABLE filler (bytes BLOB)")
            try db.inTransaction {
                for _ in 0..<200 { try db.execute(sql: "INSERT INTO filler VALUES (zeroblob(4000))") }
                return .commit
            }
            return try String.fetchOne(db, sql: "PRAGMA journal_mode")
        }
        #expect(modeDuringLoad == "delete")
        #expect(!FileManager.default.fileExists(atPath: t.database.path + "-journal"))

        let pragmas = try await t.database.pragmas()
        #expect(pragmas["journal_mode"] == "wal")
        #expect(pragmas["synchronous"] == "2")  // FULL
        let count = try await t.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM filler") }
        #expect(count == 200)

        // After a restart the rows are there too.
        let reopened = try t.reopened()
        let again = try await reopened.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM filler") }
        #expect(again == 200)
    }

    @Test func aLoadWhileAnotherConnectionHasTheFileOpenRunsInTheWAL() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        // Another process's connection, holding a read transaction open.
        let other = try DatabaseQueue(path: t.database.path)
        let reading = DispatchSemaphore(value: 0)
        let finish = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? other.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM elder")
                reading.signal()
                finish.wait()
            }
        }
        reading.wait()
        let modeDuringLoad = try t.database.withRollbackJournal { db in
            try db.execute(sql: "CREATE TABLE filler (n INTEGER)")
            try db.execute(sql: "INSERT INTO filler VALUES (1)")
            return try String.fetchOne(db, sql: "PRAGMA journal_mode")
        }
        finish.signal()
        #expect(modeDuringLoad == "wal")
        let pragmas = try await t.database.pragmas()
        #expect(pragmas["journal_mode"] == "wal")
        #expect(pragmas["synchronous"] == "2")
    }
}
