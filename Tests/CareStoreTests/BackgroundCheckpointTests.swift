import Foundation
import GRDB
import Testing

@testable import CareStore

/// The WAL is copied into the database file by the background connection, not by the writer.
@Suite("Background checkpoints")
struct BackgroundCheckpointTests {
    static func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    @Test func committedPagesReachTheDatabaseFileWithoutTheWriterCheckpointing() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        let checkpoints = try t.database.checkpointInBackground(every: .milliseconds(20), fallbackPages: 100_000)
        let writerLimit = try await t.database.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(writerLimit == 100_000)

        let before = Self.fileSize(t.database.path)
        // About 2 MB of new pages: far below the writer's own limit, so only the background
        // connection can move them into the file.
        try await t.database.pool.write { db in
            try db.execute(sql: "CREATE TABLE filler (bytes BLOB)")
            for _ in 0..<500 { try db.execute(sql: "INSERT INTO filler VALUES (zeroblob(4000))") }
        }
        var grown = Self.fileSize(t.database.path)
        let deadline = ContinuousClock.now + .seconds(5)
        while grown < before + 2_000_000, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            grown = Self.fileSize(t.database.path)
        }
        #expect(grown >= before + 2_000_000)

        checkpoints.stop()
        // Stopped means its connection is closed: the file still opens and reads normally.
        let count = try await t.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM filler") }
        #expect(count == 500)
    }
}
