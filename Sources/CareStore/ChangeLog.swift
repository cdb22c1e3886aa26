import CareModel
import Foundation
package import GRDB
import Synchronization

/// One entry of the change log: what changed, and the entity as it then was.
public struct LoggedChange: Sendable, Hashable {
    /// The change-log position: a feed's event id, increasing, never reused.
    public var position: Int64
    /// What happened, as the writing store names its changes (`opened`, `claim` …).
    public var change: String
    /// The entity's JSON as the writing store logged it.
    public var payload: String

    public init(position: Int64, change: String, payload: String) {
        self.position = position; self.change = change; self.payload = payload
    }
}

extension CareDatabase {
    /// Appends one entry to the change log inside the caller's transaction; the commit then
    /// wakes every waiter on ``waitForChanges(after:timeout:)``. Bound through SQLite's C API,
    /// since a hot writer may append one per event.
    package func appendChange(
        _ db: Database, entity: String, id: Int64, change: String, payload: String,
        at stamp: String
    ) throws {
        try db.cachedStatement(sql: "INSERT INTO change_log (at, entity, entity_id, change, payload) VALUES (?, ?, ?, ?, ?)")
            .run {
                $0.add(stamp); $0.add(entity); $0.add(id); $0.add(change); $0.add(payload)
            }
        changeLogged.store(true, ordering: .relaxed)
    }

    /// Marks the write transaction in progress as one whose commit wakes every waiter on
    /// ``waitForChanges(after:timeout:)``, for a store that keeps a change feed of its own (the
    /// health archive's sync feed) rather than writing to the change log.
    package func noteChangeForWaiters() {
        changeLogged.store(true, ordering: .relaxed)
    }

    /// Changes of `entity` after `position`, oldest first: a feed's source and its replay.
    package func changes(of entity: String, after position: Int64, limit: Int) async throws -> [LoggedChange] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT position, change, payload FROM change_log WHERE position > ? AND entity = ? ORDER BY position LIMIT ?
                        """), arguments: [position, entity, limit]
            ).map { LoggedChange(position: $0[0], change: $0[1], payload: $0[2]) }
        }
    }

    /// Returns once a transaction that wrote to the change log has committed since the caller
    /// last saw `generation` (pass 0 the first time), or after `timeout`; returns the generation
    /// to pass next.
    public func waitForChanges(after generation: UInt64, timeout: Duration) async -> UInt64 {
        await changesCommitted.wait(after: generation, timeout: timeout)
    }

    /// How many transactions that wrote to the change log have committed since the database was
    /// opened; a number that moves while changes are being written.
    public var changeCount: UInt64 { changesCommitted.generation }

    /// The latest change-log position (0 when empty): a client that lists and then subscribes
    /// from here misses nothing in between.
    public func latestChangePosition() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(position), 0) FROM change_log") ?? 0 }
    }
}
