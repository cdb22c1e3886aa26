import CareModel
import CareStore
import Foundation
internal import GRDB

/// The notifications worker's store: the `notification` and `notification_attempt` tables (the
/// `notifications-*` migrations), the fan-out of the shared outbox into them, claims, delivery
/// records, acknowledgements and requeues. One per worker: it keeps the elders and contacts the
/// fan-out reads for every message (``recipients``).
public final class NotificationStore: Sendable {
    public let database: CareDatabase
    /// Each elder and their contacts in call order, as the fan-out last read them: a backlog of
    /// messages names the same few elders again and again, and decoding an elder row is most of
    /// a message's reads. Kept exact by ``watch``, which drops an elder when their row or any
    /// contact row changes, whoever writes it.
    let recipients = ExpiringCache<Int64, Recipients>(lifetime: 600, capacity: 10_000)
    private let watch: RowWatch

    /// The notifications' migrations, registered after Emergency's.
    public static let migrations = NotificationSchema.migrations

    public init(_ database: CareDatabase) {
        self.database = database
        let recipients = self.recipients
        self.watch = RowWatch(
            [.init("elder"), .init("emergency_contact", inserts: true)],
            changed: { table, rowID in
                // A contact's rowid is not its elder's: any contact change drops them all.
                if table == "elder" { recipients.forget(rowID) } else { recipients.clear() }
            },
            rolledBack: { recipients.clear() })
        database.observe(watch)
    }

    /// An elder as a message's recipients: the elder and their contacts in call order.
    struct Recipients: Sendable {
        var elder: Elder
        var contacts: [EmergencyContact]
    }
}

extension NotificationStore {
    // MARK: - The worker's side

    /// Claims up to `limit` notifications due at `now`, in one transaction: each becomes
    /// `sending`, its attempt count goes up by one, and its due time becomes the end of the lease
    /// (`now + lease`). A row whose lease ran out (the worker died mid-send) is due again and is
    /// claimed like any other, with the same idempotency key; its lost attempt is logged.
    ///
    /// Steps of an escalation chain whose call has ended are cancelled instead of claimed.
    public func claimDueNotifications(now: Date, limit: Int, lease: TimeInterval) async throws -> [ClaimedNotification] {
        try await database.pool.write { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT * FROM notification INDEXED BY notification_due
                        WHERE status IN ('pending','sending') AND due_ms <= ? ORDER BY due_ms LIMIT ?
                        """), arguments: [now.millis, limit])
            var claimed: [ClaimedNotification] = []
            claimed.reserveCapacity(rows.count)
            let leaseEnd = now.addingTimeInterval(lease).millis
            // Converted once: GRDB formats a Date through ICU each time it binds one.
            let stamp = SQLText.time(now)
            for row in rows {
                let id: Int64 = row["id"]
                let status: String = row["status"]
                if row["chain_step"] as Int? != nil, let callId: Int64 = row["call_id"],
                    try Bool.fetchOne(db.cachedStatement(sql: "SELECT is_open = 0 FROM call WHERE id = ?"), arguments: [callId]) == true
                {
                    try db.cachedStatement(
                        sql: """
                            UPDATE notification SET status = 'cancelled', last_error = ?, updated_at = ? WHERE id = ?
                            """
                    ).execute(arguments: ["the call ended before this step was due", stamp, id])
                    continue
                }
                if status == NotificationStatus.sending.rawValue, let channel = Self.channel(row) {
                    // Claimed before and never recorded: the server stopped while sending it.
                    try Self.logAttempt(
                        db, id: id, channel: channel, at: Date(millis: row["due_ms"]).databaseValue, latencyMs: nil,
                        httpStatus: nil, outcome: .retry,
                        error: "interrupted: the server stopped while sending; sent again with the same key")
                }
                try db.cachedStatement(
                    sql: """
                        UPDATE notification SET status = 'sending', attempts = attempts + 1, due_ms = ?, updated_at = ? WHERE id = ?
                        """
                ).execute(arguments: [leaseEnd, stamp, id])
                claimed.append(
                    ClaimedNotification(
                        id: id, key: row["idempotency_key"], topic: row["topic"],
                        urgency: NotificationUrgency(rawValue: row["urgency"]) ?? .normal, elderId: row["elder_id"],
                        callId: row["call_id"], recipient: Self.recipient(row), channels: Self.channels(row),
                        channelIndex: row["channel_index"], title: row["title"], text: row["body"],
                        attempt: (row["attempts"] as Int) + 1, chainStep: row["chain_step"], ackToken: row["ack_token"],
                        createdAt: row["created_at"]))
            }
            return claimed
        }
    }

    /// Writes back what became of claimed notifications, all in one transaction (group commit):
    /// an attempt row each (unless deferred) and the notification's new state. A record whose
    /// claim is no longer current (the row was reclaimed, acknowledged or requeued meanwhile) is
    /// skipped. Returns how many were applied.
    ///
    /// When a step of an escalation chain dies, the next step is brought forward to now: nobody
    /// waits out an acknowledgement time for a message that never went out.
    @discardableResult
    public func recordDeliveries(_ records: [DeliveryRecord], now: Date) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        return try await database.pool.write { db in
            var applied = 0
            let stamp = SQLText.time(now)
            for r in records {
                let guardSQL = "WHERE id = ? AND status = 'sending' AND attempts = ?"
                func name(_ index: Int) -> String? { r.channels.indices.contains(index) ? r.channels[index].rawValue : nil }
                switch r.next {
                case .sent(let index):
                    try db.cachedStatement(
                        sql: """
                            UPDATE notification SET status = 'sent', sent_at = ?, channel_index = ?, channel = ?, last_status = ?,
                                last_error = NULL, updated_at = ? \(guardSQL)
                            """
                    ).execute(arguments: [stamp, index, name(index), r.httpStatus, stamp, r.id, r.attempt])
                case .retry(let due, let index, _):
                    try db.cachedStatement(
                        sql: """
                            UPDATE notification SET status = 'pending', due_ms = ?, channel_index = ?, channel = ?, last_status = ?,
                                last_error = ?, updated_at = ? \(guardSQL)
                            """
                    ).execute(arguments: [due.millis, index, name(index), r.httpStatus, r.error, stamp, r.id, r.attempt])
                case .dead(let index):
                    try db.cachedStatement(
                        sql: """
                            UPDATE notification SET status = 'dead', channel_index = ?, channel = ?, last_status = ?, last_error = ?,
                                updated_at = ? \(guardSQL)
                            """
                    ).execute(arguments: [index, name(index), r.httpStatus, r.error, stamp, r.id, r.attempt])
                case .deferred(let due, let index):
                    try db.cachedStatement(
                        sql: """
                            UPDATE notification SET status = 'pending', attempts = attempts - 1, due_ms = ?, channel_index = ?,
                                channel = ?, updated_at = ? \(guardSQL)
                            """
                    ).execute(arguments: [due.millis, index, name(index), stamp, r.id, r.attempt])
                }
                guard db.changesCount > 0 else { continue }
                applied += 1
                if let channel = r.channel {
                    let outcome: AttemptOutcome? =
                        switch r.next {
                        case .sent: .delivered
                        case .retry(_, _, let outcome): outcome
                        case .dead: .dead
                        case .deferred: nil
                        }
                    if let outcome {
                        try Self.logAttempt(
                            db, id: r.id, channel: channel, at: SQLText.time(r.startedAt), latencyMs: r.latencyMs,
                            httpStatus: r.httpStatus, outcome: outcome, error: r.error)
                    }
                }
                if case .dead = r.next,
                    let chain = try Row.fetchOne(
                        db.cachedStatement(sql: "SELECT outbox_id, chain_step FROM notification WHERE id = ?"),
                        arguments: [r.id]),
                    let step: Int = chain["chain_step"]
                {
                    try db.cachedStatement(
                        sql: """
                            UPDATE notification INDEXED BY notification_chain SET due_ms = min(due_ms, ?), updated_at = ?
                            WHERE outbox_id = ? AND chain_step = ? AND status = 'pending'
                            """
                    ).execute(arguments: [now.millis, stamp, chain["outbox_id"] as Int64, step + 1])
                }
            }
            return applied
        }
    }

    /// Makes every `sending` row due now. The server is the only process that sends (one SQLite
    /// file, one server), so at start-up any such row was interrupted by a crash: it goes out
    /// again at once, with its idempotency key, instead of waiting for its lease to run out.
    @discardableResult
    public func releaseNotificationLeases(now: Date) async throws -> Int {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE notification SET due_ms = min(due_ms, ?) WHERE status = 'sending'", arguments: [now.millis])
            return db.changesCount
        }
    }

    /// When the earliest pending notification or outbox row is due, so the worker can sleep until then.
    public func nextNotificationDue() async throws -> Date? {
        try await database.pool.read { db in
            let n = try Int64.fetchOne(
                db,
                sql: """
                    SELECT min(due_ms) FROM notification INDEXED BY notification_due WHERE status IN ('pending','sending')
                    """
            ).map { Date(millis: $0) }
            let o = try Date.fetchOne(db, sql: "SELECT min(due_at) FROM outbox WHERE status = 'pending'")
            return [n, o].compactMap { $0 }.min()
        }
    }

    /// How much is waiting.
    public func notificationQueueDepth() async throws -> NotificationQueueDepth {
        try await database.pool.read { db in
            let counts = try Row.fetchAll(
                db,
                sql: """
                    SELECT status, count(*) AS n FROM notification WHERE status IN ('pending','sending') GROUP BY status
                    """)
            func count(_ s: String) -> Int { counts.first { ($0["status"] as String) == s }?["n"] ?? 0 }
            let dead = try Int.fetchOne(db, sql: "SELECT count(*) FROM notification WHERE status = 'dead'") ?? 0
            let outbox = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE status = 'pending'") ?? 0
            return NotificationQueueDepth(outbox: outbox, pending: count("pending"), sending: count("sending"), dead: dead)
        }
    }

    // MARK: - Reading

    /// Notifications, newest first.
    public func notifications(_ filter: NotificationFilter, page: PageRequest) async throws -> Page<NotificationView> {
        try await database.pool.read { db in
            var q = SQLQuery("SELECT * FROM notification")
            if let s = filter.status { q.where("status = ?", s.rawValue) }
            // The channel of the next or the last attempt.
            if let c = filter.channel { q.where("channel = ?", c.rawValue) }
            if let callId = filter.callId { q.where("call_id = ?", callId) }
            if let elderId = filter.elderId { q.where("elder_id = ?", elderId) }
            if let topic = filter.topic { q.where("topic = ?", topic) }
            if let r = filter.recipient?.trimmingCharacters(in: .whitespaces), !r.isEmpty {
                let parts = r.split(separator: ":", maxSplits: 1).map(String.init)
                if let kind = RecipientKind(rawValue: parts[0]) {
                    q.where("recipient_kind = ?", kind.rawValue)
                    if parts.count == 2 {
                        guard let id = Int64(parts[1]) else {
                            throw StoreError.invalid(ValidationFailure(field: "recipient", reason: "has an id that is not a whole number"))
                        }
                        q.where("recipient_id = ?", id)
                    }
                } else if r.allSatisfy({ $0.isNumber || $0 == "+" }) {
                    q.where("recipient_phone = ?", r)
                } else {
                    throw StoreError.invalid(
                        ValidationFailure(
                            field: "recipient",
                            reason:
                                "must be a recipient kind (\(RecipientKind.allCases.map(\.rawValue).joined(separator: ", "))), a kind and id such as family_contact:5531, or a phone number"
                        ))
                }
            }
            if let after = page.after {
                guard let id = Int64(after) else {
                    throw StoreError.invalid(ValidationFailure(field: "cursor", reason: "is not a notification cursor"))
                }
                q.where("id < ?", id)
            }
            q.suffix("ORDER BY id DESC LIMIT ?", page.limit + 1)
            let rows = try q.fetchAll(db).map { Self.notificationView($0) }
            return Page.from(rows, limit: page.limit) { String($0.id) }
        }
    }

    /// One notification with its attempt log.
    public func notification(id: Int64) async throws -> NotificationView {
        try await database.pool.read { db in try Self.notification(db, id: id, withAttempts: true) }
    }

    static func notification(_ db: Database, id: Int64, withAttempts: Bool) throws -> NotificationView {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM notification WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound(entity: "notification", id: String(id))
        }
        var view = notificationView(row)
        if withAttempts {
            view.attemptLog = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM notification_attempt WHERE notification_id = ? ORDER BY id
                    """, arguments: [id]
            ).map { a in
                NotificationAttempt(
                    number: a["number"], channel: NotificationChannelKind(rawValue: a["channel"]) ?? .webhook,
                    at: a["at"], latencyMs: a["latency_ms"], httpStatus: a["http_status"],
                    outcome: AttemptOutcome(rawValue: a["outcome"]) ?? .retry, error: a["error"])
            }
        }
        return view
    }

    // MARK: - Admin actions

    /// Puts a dead letter back in the queue: due now, on its first channel, with a fresh budget
    /// of attempts. Its attempt log keeps the earlier attempts.
    public func requeueNotification(id: Int64, by who: Principal) async throws -> NotificationView {
        try await database.pool.write { db in
            let now = self.database.clock.now()
            let current = try Self.notification(db, id: id, withAttempts: false)
            guard current.status == .dead else {
                throw StoreError.conflict(reason: "notification \(id) is \(current.status.rawValue); only dead letters can be requeued")
            }
            try Self.requeue(db, where: "id = ?", [id], now: now)
            try self.database.audit(db, who, "requeue", "notification", String(id))
            return try Self.notification(db, id: id, withAttempts: true)
        }
    }

    /// Requeues every dead letter matching `filter` (its status is ignored), at most `limit`.
    public func requeueDeadNotifications(_ filter: NotificationFilter, limit: Int, by who: Principal) async throws -> Int {
        try await database.pool.write { db in
            let now = self.database.clock.now()
            var conditions = ["status = 'dead'"]
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let c = filter.channel { conditions.append("channel = ?"); arguments.append(c.rawValue) }
            if let callId = filter.callId { conditions.append("call_id = ?"); arguments.append(callId) }
            if let elderId = filter.elderId { conditions.append("elder_id = ?"); arguments.append(elderId) }
            if let topic = filter.topic { conditions.append("topic = ?"); arguments.append(topic) }
            let ids = try Int64.fetchAll(
                db, sql: "SELECT id FROM notification WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?",
                arguments: StatementArguments(arguments + [limit]))
            for id in ids { try Self.requeue(db, where: "id = ?", [id], now: now) }
            try self.database.audit(db, who, "requeue", "notifications", "dead", fields: ["count:\(ids.count)"])
            return ids.count
        }
    }

    static func requeue(_ db: Database, where condition: String, _ arguments: StatementArguments, now: Date) throws {
        try db.execute(
            sql: """
                UPDATE notification SET status = 'pending', attempts = 0, channel_index = 0,
                    channel = substr(channels, 1, instr(channels || ',', ',') - 1), due_ms = ?, updated_at = ?
                WHERE \(condition)
                """, arguments: [now.millis, now] + arguments)
    }

    /// Records that the recipient has the message, by a member of staff (the family member
    /// phoned in, say). Steps of its escalation chain not yet sent are cancelled.
    public func acknowledgeNotification(id: Int64, by who: Principal) async throws -> NotificationAcknowledgement {
        try await database.pool.write { db in
            let by = "account:\(who.accountId.map(String.init) ?? "-") \(who.name)"
            let ack = try self.acknowledge(db, id: id, by: by)
            if !ack.alreadyAcknowledged { try self.database.audit(db, who, "acknowledge", "notification", String(id)) }
            return ack
        }
    }

    /// Records an acknowledgement made with the link in the message. Nil for an unknown token.
    public func acknowledgeNotification(token: String) async throws -> NotificationAcknowledgement? {
        try await database.pool.write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM notification WHERE ack_token = ?", arguments: [token]) else {
                return nil
            }
            return try self.acknowledge(db, id: id, by: "link")
        }
    }

    /// The notification an acknowledgement link names, for the page that asks to confirm it.
    public func notification(ackToken token: String) async throws -> NotificationView? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM notification WHERE ack_token = ?", arguments: [token]).map {
                Self.notificationView($0)
            }
        }
    }

    func acknowledge(_ db: Database, id: Int64, by: String) throws -> NotificationAcknowledgement {
        let now = database.clock.now()
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT id, outbox_id, call_id, chain_step, acked_at, acked_by FROM notification WHERE id = ?
                    """, arguments: [id])
        else {
            throw StoreError.notFound(entity: "notification", id: String(id))
        }
        if let at: Date = row["acked_at"] {
            return NotificationAcknowledgement(
                notificationId: id, callId: row["call_id"], acknowledgedAt: at,
                acknowledgedBy: row["acked_by"] ?? "", cancelled: 0, alreadyAcknowledged: true)
        }
        try db.execute(
            sql: "UPDATE notification SET acked_at = ?, acked_by = ?, updated_at = ? WHERE id = ?",
            arguments: [now, by, now, id])
        var cancelled = 0
        if let step: Int = row["chain_step"] {
            // Everyone after (and this step itself, if it has not gone out yet) need not be told.
            try db.execute(
                sql: """
                    UPDATE notification INDEXED BY notification_chain SET status = 'cancelled', last_error = ?, updated_at = ?
                    WHERE outbox_id = ? AND chain_step IS NOT NULL AND status = 'pending'
                    """, arguments: ["acknowledged at step \(step)", now, row["outbox_id"] as Int64])
            cancelled = db.changesCount
        }
        return NotificationAcknowledgement(
            notificationId: id, callId: row["call_id"], acknowledgedAt: now, acknowledgedBy: by,
            cancelled: cancelled, alreadyAcknowledged: false)
    }

    // MARK: - Rows

    static func logAttempt(
        _ db: Database, id: Int64, channel: NotificationChannelKind, at: DatabaseValue, latencyMs: Int?,
        httpStatus: Int?, outcome: AttemptOutcome, error: String?
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO notification_attempt (notification_id, number, channel, at, latency_ms, http_status, outcome, error)
                VALUES (?, (SELECT count(*) + 1 FROM notification_attempt WHERE notification_id = ?), ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [id, id, channel.rawValue, at, latencyMs, httpStatus, outcome.rawValue, error])
    }

    static func channels(_ row: Row) -> [NotificationChannelKind] {
        let text: String = row["channels"]
        return text.split(separator: ",").compactMap { NotificationChannelKind(rawValue: String($0)) }
    }

    static func channel(_ row: Row) -> NotificationChannelKind? {
        (row["channel"] as String?).flatMap(NotificationChannelKind.init(rawValue:))
    }

    static func recipient(_ row: Row) -> NotificationRecipient {
        NotificationRecipient(
            kind: RecipientKind(rawValue: row["recipient_kind"]) ?? .familyContact, id: row["recipient_id"],
            name: row["recipient_name"], phone: row["recipient_phone"])
    }

    static func notificationView(_ row: Row) -> NotificationView {
        let status = NotificationStatus(rawValue: row["status"]) ?? .pending
        return NotificationView(
            id: row["id"], idempotencyKey: row["idempotency_key"], topic: row["topic"],
            urgency: NotificationUrgency(rawValue: row["urgency"]) ?? .normal, status: status, elderId: row["elder_id"],
            callId: row["call_id"], recipient: recipient(row).masked, channels: channels(row), channel: channel(row),
            attempts: row["attempts"],
            nextAttemptAt: status == .pending || status == .sending ? Date(millis: row["due_ms"]) : nil,
            chainStep: row["chain_step"], acknowledgedAt: row["acked_at"], acknowledgedBy: row["acked_by"],
            title: row["title"], text: row["body"], lastStatus: row["last_status"], lastError: row["last_error"],
            sentAt: row["sent_at"], createdAt: row["created_at"])
    }
}

extension Date {
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}
