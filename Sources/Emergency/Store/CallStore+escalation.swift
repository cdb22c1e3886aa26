import CareModel
import CareStore
import Foundation
internal import GRDB

extension CallStore {
    /// Escalates up to `limit` calls whose deadline is at or before `now` (unclaimed too long, a
    /// responder late, a follow-up due), each through the same path as an operator's action:
    /// timeline entry, change-log entry, outbox message to the supervisor, next deadline.
    /// Reads only the calls that are due, through the deadline index.
    /// - Returns: the ids of the calls escalated.
    public func escalateOverdueCalls(now: Date, limit: Int) async throws -> [Int64] {
        try await database.write { db in
            let due = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, deadline_kind, deadline_ms FROM call WHERE deadline_ms IS NOT NULL AND deadline_ms <= ?
                        ORDER BY deadline_ms LIMIT ?
                        """), arguments: [now.millis, limit])
            var escalated: [Int64] = []
            for row in due {
                let id: Int64 = row["id"]
                guard let kind = (row["deadline_kind"] as String?).flatMap(CallDeadlineKind.init(rawValue:)) else {
                    try db.execute(sql: "UPDATE call SET deadline_ms = NULL WHERE id = ?", arguments: [id])
                    continue
                }
                do {
                    try self.apply(db, .escalate(kind), to: id, expectedVersion: nil, by: .system)
                    escalated.append(id)
                } catch is CallRefusal {
                    // The stored deadline no longer matches the call (written before a change that
                    // stopped it): set the one that runs now, so the sweep does not see it again.
                    let (_, state) = try Self.callState(db, id: id)
                    let next = self.escalation.nextDeadline(for: state).flatMap { $0.dueMillis > (row["deadline_ms"] as Int64) ? $0 : nil }
                    try db.execute(
                        sql: "UPDATE call SET deadline_ms = ?, deadline_kind = ? WHERE id = ?",
                        arguments: [next?.dueMillis, next?.kind.rawValue, id])
                }
            }
            return escalated
        }
    }

    /// The earliest escalation deadline, so the escalator can sleep until then.
    public func nextCallDeadline() async throws -> Date? {
        try await database.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT min(deadline_ms) FROM call WHERE deadline_ms IS NOT NULL")
                .map { Date(timeIntervalSince1970: Double($0) / 1000) }
        }
    }
}
