import CareModel
import CareStore
import Foundation
internal import GRDB

/// One entry of the change log about a call: what changed, and the call as it then was.
public struct CallChange: Sendable, Hashable {
    /// The change-log position: the live feed's event id, increasing, never reused.
    public var position: Int64
    /// `opened`, `joined`, `claim`, `dispatch`, `escalate`…
    public var change: String
    /// The ``CallSummary`` JSON, exactly as stored.
    public var payload: String
}

extension CallStore {
    /// Call changes after `position`, oldest first: the live feed's source and its replay.
    public func callChanges(after position: Int64, limit: Int) async throws -> [CallChange] {
        try await database.changes(of: Self.changeEntity, after: position, limit: limit).map {
            CallChange(position: $0.position, change: $0.change, payload: $0.payload)
        }
    }

    /// The `call_summary` view's text for one call (tests hold intake's rebuilt summaries to it).
    func viewSummaryJSON(callId: Int64) async throws -> String? {
        try await database.pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT json FROM call_summary WHERE id = ?"), arguments: [callId])
        }
    }
}
