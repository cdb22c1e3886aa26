import CareModel
import CareStore
import Foundation
internal import GRDB

extension NotificationStore {
    /// Fans out up to `limit` outbox rows that are due at `now`, in ONE transaction: for each row
    /// the store reads what the planner needs (elder, contacts, the call's escalation chain, named
    /// institutions; the message's payload carries the rest), asks `plan`, inserts the notifications it returns and marks the row
    /// dispatched. Inserting is idempotent on the notification key, so a row fanned out twice
    /// (it cannot be, but a crash between passes is harmless) makes no duplicates.
    public func fanOutOutbox(
        now: Date, limit: Int,
        plan: @escaping @Sendable (FanOutContext) -> FanOutPlan
    ) async throws -> FanOutReport {
        // A read first: most passes find nothing, and a read does not queue behind intake's writes.
        let due = try await database.pool.read { db in
            try Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM outbox WHERE status = 'pending' AND due_at <= ?)
                        """), arguments: [now]) ?? false
        }
        guard due else { return FanOutReport() }
        return try await database.pool.write { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, topic, idempotency_key, elder_id, call_id, payload, created_at FROM outbox
                        WHERE status = 'pending' AND due_at <= ? ORDER BY status, due_at LIMIT ?
                        """), arguments: [now, limit])
            var report = FanOutReport()
            // Converted once: GRDB formats a Date through ICU each time it binds one.
            let stamp = SQLText.time(now)
            for row in rows {
                let message = Self.outboxMessage(row)
                let context = try self.fanOutContext(db, message, now: now)
                let planned = plan(context)
                if planned.cancelsChain, let callId = message.callId {
                    try Self.cancelChain(db, callId: callId, reason: "the call ended (\(message.topic))", now: now)
                }
                for n in planned.notifications {
                    if try self.insertNotification(
                        db, n, outboxId: message.id, topic: message.topic, elderId: message.elderId,
                        callId: message.callId, stamp: stamp)
                    {
                        report.notifications += 1
                        if n.channels.isEmpty { report.unreachable += 1 }
                    }
                }
                try db.cachedStatement(sql: "UPDATE outbox SET status = 'dispatched', dispatched_at = ?, note = ? WHERE id = ?")
                    .execute(arguments: [stamp, planned.note, message.id])
                report.messages += 1
            }
            return report
        }
    }

    // MARK: - Reading the context

    static func outboxMessage(_ row: Row) -> OutboxMessage {
        let json: String = row["payload"]
        let payload = (try? CareJSON.decoder.decode([String: String].self, from: Data(json.utf8))) ?? [:]
        return OutboxMessage(
            id: row["id"], topic: row["topic"], key: row["idempotency_key"], elderId: row["elder_id"],
            callId: row["call_id"], payload: payload, createdAt: row["created_at"])
    }

    func fanOutContext(_ db: Database, _ message: OutboxMessage, now: Date) throws -> FanOutContext {
        var context = FanOutContext(message: message)
        if let elderId = message.elderId {
            if let known = recipients.value(for: elderId, now: now) {
                context.elder = known.elder
                context.contacts = known.contacts
            } else if let elder = try? RegistryStore.elder(db, id: elderId) {
                let contacts = try RegistryStore.contacts(db, elderId: elderId)
                recipients.remember(Recipients(elder: elder, contacts: contacts), for: elderId, now: now)
                context.elder = elder
                context.contacts = contacts
            }
        }
        if let callId = message.callId {
            context.chain = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT recipient_kind, recipient_id, chain_step, attempts, status, acked_at FROM notification
                        INDEXED BY notification_by_call
                        WHERE call_id = ? AND topic = 'call_opened' AND chain_step IS NOT NULL ORDER BY chain_step
                        """), arguments: [callId]
            ).map { row in
                ChainLink(
                    recipientKind: RecipientKind(rawValue: row["recipient_kind"]) ?? .familyContact,
                    recipientId: row["recipient_id"], step: row["chain_step"], attempts: row["attempts"],
                    status: NotificationStatus(rawValue: row["status"]) ?? .pending,
                    acknowledged: (row["acked_at"] as String?) != nil)
            }
        }
        for key in ["providerId", "agencyId", "institutionId"] {
            if let id = message.payload[key].flatMap({ Int64($0) }), let institution = try? RegistryStore.institution(db, id: id) {
                context.institutions[id] = institution
            }
        }
        return context
    }

    /// Inserts one planned notification; false when its key was already there.
    func insertNotification(
        _ db: Database, _ n: PlannedNotification, outboxId: Int64, topic: String, elderId: Int64?,
        callId: Int64?, stamp: DatabaseValue
    ) throws -> Bool {
        let unreachable = n.channels.isEmpty
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO notification (outbox_id, idempotency_key, topic, urgency, elder_id, call_id, recipient_kind,
                    recipient_id, recipient_name, recipient_phone, channels, channel_index, channel, title, body, status, attempts,
                    due_ms, chain_step, ack_token, last_error, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            outboxId, n.key, topic, n.urgency.rawValue, elderId, callId, n.recipient.kind.rawValue, n.recipient.id,
            n.recipient.name, n.recipient.phone, n.channels.map(\.rawValue).joined(separator: ","), n.channels.first?.rawValue,
            n.title, n.text,
            unreachable ? NotificationStatus.dead.rawValue : NotificationStatus.pending.rawValue, n.due.millis,
            n.chainStep, n.ackToken, unreachable ? (n.deadReason ?? "no configured channel reaches this recipient") : nil,
            stamp, stamp,
        ])
        return db.changesCount > 0
    }

    /// Cancels the call's escalation-chain steps that have not gone out yet.
    @discardableResult
    static func cancelChain(_ db: Database, callId: Int64, reason: String, now: Date) throws -> Int {
        try db.cachedStatement(
            sql: """
                UPDATE notification INDEXED BY notification_by_call SET status = 'cancelled', last_error = ?, updated_at = ?
                WHERE call_id = ? AND topic = 'call_opened' AND chain_step IS NOT NULL AND status = 'pending'
                """
        ).execute(arguments: [reason, now, callId])
        return db.changesCount
    }
}
