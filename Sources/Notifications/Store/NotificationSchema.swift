import CareStore
internal import GRDB

/// The notifications worker's tables: one notification per recipient and every attempt to send it.
enum NotificationSchema {
    static let migrations = [
        Migration("notifications-v1", replaces: ["v4-notifications"], notifications)
    ]

    /// What the notifications worker makes of the outbox. An outbox row is one event ("call
    /// 4812 opened"); the worker fans it out into one `notification` per recipient, sends each,
    /// and records every attempt.
    static func notifications(_ db: Database) throws {
        try db.execute(
            sql: """
                -- One message to one recipient. Times the worker compares are unix milliseconds.
                CREATE TABLE notification (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE RESTRICT,
                    -- What receivers see as Idempotency-Key: the same on every attempt and channel.
                    idempotency_key TEXT NOT NULL UNIQUE,
                    topic TEXT NOT NULL,
                    urgency TEXT NOT NULL CHECK (urgency IN ('low','normal','high','critical')),
                    elder_id INTEGER,
                    call_id INTEGER,
                    recipient_kind TEXT NOT NULL,
                    recipient_id INTEGER,
                    recipient_name TEXT NOT NULL,
                    recipient_phone TEXT,
                    -- The channels to try, in order, comma-separated; channel_index is the next one.
                    channels TEXT NOT NULL,
                    channel_index INTEGER NOT NULL DEFAULT 0,
                    -- The channel of the next (or the last) attempt: channels[channel_index].
                    channel TEXT,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending','sending','sent','dead','cancelled')),
                    -- Sends started (a claim counts one), so a crash loop cannot retry for ever.
                    attempts INTEGER NOT NULL DEFAULT 0,
                    -- pending: when the next attempt is due; sending: when the lease runs out.
                    due_ms INTEGER NOT NULL,
                    -- Position in an emergency escalation chain (1 = first contact); NULL outside chains.
                    chain_step INTEGER,
                    ack_token TEXT UNIQUE,
                    acked_at TEXT,
                    acked_by TEXT,
                    last_status INTEGER,
                    last_error TEXT,
                    sent_at TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                -- The worker's queue: what is due, soonest first. Rows that are done leave the index.
                CREATE INDEX notification_due ON notification(due_ms) WHERE status IN ('pending','sending');
                CREATE INDEX notification_by_status ON notification(status, id);
                CREATE INDEX notification_by_call ON notification(call_id, id) WHERE call_id IS NOT NULL;
                CREATE INDEX notification_chain ON notification(outbox_id, chain_step);
                CREATE INDEX notification_by_recipient ON notification(recipient_kind, recipient_id, id);

                -- Every send: when, on which channel, how long, what came back, what followed.
                CREATE TABLE notification_attempt (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    notification_id INTEGER NOT NULL REFERENCES notification(id) ON DELETE CASCADE,
                    number INTEGER NOT NULL,
                    channel TEXT NOT NULL,
                    at TEXT NOT NULL,
                    latency_ms INTEGER,
                    http_status INTEGER,
                    outcome TEXT NOT NULL,
                    error TEXT
                );
                CREATE INDEX notification_attempt_by_notification ON notification_attempt(notification_id, id);
                """)
    }
}
