import CareModel
import CareStore
import Foundation
internal import GRDB

/// One entry of the change log about a call: its change (`opened`, `joined`, `claim`,
/// `dispatch` …) and, as payload, the call's ``CallSummary`` JSON exactly as stored.
public typealias CallChange = LoggedChange

extension CallStore {
    /// Call changes after `position`, oldest first: the live feed's source and its replay.
    public func callChanges(after position: Int64, limit: Int) async throws -> [CallChange] {
        try await database.changes(of: Self.changeEntity, after: position, limit: limit)
    }

    /// The `call_summary` view's text for one call (tests hold intake's rebuilt summaries to it).
    func viewSummaryJSON(callId: Int64) async throws -> String? {
        try await database.pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT json FROM call_summary WHERE id = ?"), arguments: [callId])
        }
    }
}
