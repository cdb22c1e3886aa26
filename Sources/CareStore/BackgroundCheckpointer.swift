import Foundation
internal import GRDB
internal import GRDBSQLite

/// Copies committed pages from the WAL back into the database file on a thread of its own, so
/// the writer does not.
///
/// Left to itself, SQLite checkpoints on the connection that commits: the commit that takes the
/// WAL past `wal_autocheckpoint` pages (1,000 by default) then copies them all into the file and
/// fsyncs it before returning: tens of milliseconds on the one writer thread, while every caller
/// waiting for the next commit waits too (Docs/performance.md has the figures). Here a separate connection runs a PASSIVE
/// checkpoint every ``interval``: it never takes the write lock, so commits go on while it copies.
///
/// The writer keeps a fallback. Under continuous load a checkpoint may never catch the WAL fully
/// copied at the moment a transaction begins, which is when SQLite rewinds it, so the file would
/// only grow; the writer's own checkpoint at ``fallbackPages`` then copies what little the
/// background has not, and the WAL starts again from its beginning.
///
/// ```swift
/// let checkpoints = try database.checkpointInBackground()
/// // … serve …
/// checkpoints.stop()
/// ```
public final class BackgroundCheckpointer: @unchecked Sendable {
    /// How often the background connection checkpoints.
    public let interval: Duration
    /// The WAL size, in pages, at which the writer checkpoints itself.
    public let fallbackPages: Int

    private let connection: OpaquePointer
    /// Guards `stopping` and `running`; the thread sleeps on it between checkpoints.
    private let condition = NSCondition()
    private var stopping = false
    private var running = true

    init(path: String, interval: Duration, fallbackPages: Int) throws {
        self.interval = interval
        self.fallbackPages = fallbackPages
        var handle: OpaquePointer?
        let opened = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        guard opened == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: opened), message: message)
        }
        // The checkpoint syncs the WAL before copying and the file after, as the writer's would.
        sqlite3_exec(handle, "PRAGMA synchronous = FULL", nil, nil, nil)
        connection = handle
        DedicatedThread.start(named: "wal-checkpoint") { [self] in run() }
    }

    private func run() {
        let pause = Double(interval / .microseconds(1)) / 1e6
        condition.lock()
        while !stopping {
            condition.unlock()
            // PASSIVE: copies what no reader still needs, without waiting for anyone; a busy
            // answer (the writer's fallback is checkpointing) just means next time.
            var walPages: Int32 = 0, copiedPages: Int32 = 0
            sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, &walPages, &copiedPages)
            condition.lock()
            if !stopping { _ = condition.wait(until: Date().addingTimeInterval(pause)) }
        }
        running = false
        condition.broadcast()
        condition.unlock()
        sqlite3_close(connection)
    }

    /// Ends the thread after its current checkpoint and closes its connection; returns once both
    /// are done. The writer's own checkpoints carry on at the fallback size.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }
}

extension CareDatabase {
    /// Starts checkpointing the WAL on a background thread, and raises the writer's own
    /// checkpoint to a fallback size (see ``BackgroundCheckpointer``).
    public func checkpointInBackground(
        every interval: Duration = .milliseconds(100),
        fallbackPages: Int = 4_000
    ) throws -> BackgroundCheckpointer {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = \(fallbackPages)") }
        return try BackgroundCheckpointer(path: path, interval: interval, fallbackPages: fallbackPages)
    }
}
