import CareModel
import Foundation
import GRDB

/// One entry of the change log: what changed, and the call as it then was.
public struct CallChange: Sendable, Hashable {
    /// The change-log position: the live feed's event id, increasing, never reused.
    public var position: Int64
    /// `opened`, `joined`, `claim`, `dispatch`, `escalate`…
    public var change: String
    /// The ``CallSummary`` JSON, exactly as stored.
    public var payload: String
}

extension CareDatabase {
    /// Changes after `position`, oldest first: the live feed's source and its replay.
    public func callChanges(after position: Int64, limit: Int) async throws -> [CallChange] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT position, change, payload FROM change_log WHERE position > ? AND entity = 'call' ORDER BY position LIMIT ?
                """), arguments: [position, limit]).map { CallChange(position: $0[0], change: $0[1], payload: $0[2]) }
        }
    }

    /// Returns once a transaction that changed calls has committed since the caller last saw
    /// `generation` (pass 0 the first time), or after `timeout`; returns the generation to pass next.
    public func waitForCallChanges(after generation: UInt64, timeout: Duration) async -> UInt64 {
        await callsChanged.wait(after: generation, timeout: timeout)
    }

    /// How many transactions that changed calls have committed since the database was opened;
    /// a number that moves while alarms are coming in.
    public var callChangeCount: UInt64 { callsChanged.generation }

    /// The latest change-log position (0 when empty): a client that lists the queue and then
    /// subscribes from here misses nothing in between.
    public func latestChangePosition() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(position), 0) FROM change_log") ?? 0 }
    }

    /// The `call_summary` view's text for one call (tests hold intake's rebuilt summaries to it).
    func viewSummaryJSON(callId: Int64) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT json FROM call_summary WHERE id = ?"), arguments: [callId])
        }
    }
}
