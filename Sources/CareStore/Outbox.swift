import CareModel
import Foundation
package import GRDB

/// A message for the notifications worker, as the service that causes it words it: the topic,
/// a key that makes a second enqueue of the same message a no-op, and the facts its templates
/// need (listed per topic on ``NotificationTopic``).
public struct OutboxEntry: Sendable, Hashable {
    public var topic: NotificationTopic
    public var key: String
    public var elderId: Int64?
    public var callId: Int64?
    public var payload: [String: String]

    public init(topic: NotificationTopic, key: String, elderId: Int64?, callId: Int64? = nil, payload: [String: String]) {
        self.topic = topic; self.key = key; self.elderId = elderId; self.callId = callId; self.payload = payload
    }
}

extension CareDatabase {
    /// Adds a message to the outbox inside the caller's transaction, so the change and the
    /// message commit together; the notifications worker sends it.
    package func enqueue(_ db: Database, _ entry: OutboxEntry, at now: DatabaseValue) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO outbox (topic, idempotency_key, elder_id, call_id, payload, status, attempts, due_at, created_at)
                VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)
                """
        ).execute(arguments: [
            entry.topic.rawValue, entry.key, entry.elderId, entry.callId, SQLText.object(entry.payload),
            now, now,
        ])
    }

    /// Adds messages to the outbox outside any other change: for tests, benchmarks and tools.
    /// Services write their outbox rows inside their own transactions instead (``enqueue(_:_:at:)``).
    /// A key already present is skipped. Returns how many were added.
    @discardableResult
    public func enqueueOutbox(_ entries: [OutboxEntry], at now: Date) async throws -> Int {
        try await pool.write { db in
            var added = 0
            for entry in entries {
                try self.enqueue(db, entry, at: SQLText.time(now))
                added += db.changesCount
            }
            return added
        }
    }

    /// The outbox row `key`, to see what became of it.
    public func outboxStatus(key: String) async throws -> (status: String, note: String?)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT status, note FROM outbox WHERE idempotency_key = ?", arguments: [key])
                .map { ($0["status"], $0["note"]) }
        }
    }
}
