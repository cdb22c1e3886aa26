import CareStore
internal import GRDB

/// The calls' tables: device events as received, the calls they open, their timelines, green-key
/// requests, and the supervision columns of each device. Emergency is their only writer.
enum CallSchema {
    static let migrations = [
        Migration("calls-v1", replaces: ["v2-alarms"], intake),
        Migration("calls-v2", replaces: ["v3-call-handling"], callHandling),
        Migration("calls-v3", replaces: ["v5-lean-call-index"], leanCallIndex),
    ]

    /// Device events as received, the calls they open, green-key requests and device
    /// supervision (columns on the registry's device rows, which only Emergency writes).
    static func intake(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Supervision: when each device must next be heard from. Only devices that have spoken
                -- get a deadline, so a million seeded devices cost nothing until they report.
                ALTER TABLE device ADD COLUMN last_seen_at TEXT;
                ALTER TABLE device ADD COLUMN online INTEGER;            -- NULL: never heard from
                ALTER TABLE device ADD COLUMN deadline_ms INTEGER;       -- unix ms; NULL when not supervised
                CREATE INDEX device_by_deadline ON device(deadline_ms) WHERE deadline_ms IS NOT NULL;

                CREATE TABLE call (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    elder_id INTEGER NOT NULL REFERENCES elder(id) ON DELETE RESTRICT,
                    device_id TEXT NOT NULL REFERENCES device(id) ON DELETE RESTRICT,
                    code TEXT NOT NULL,
                    priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
                    reason TEXT NOT NULL,
                    status TEXT NOT NULL,
                    is_open INTEGER NOT NULL DEFAULT 1,
                    event_count INTEGER NOT NULL DEFAULT 1,
                    opened_at TEXT NOT NULL,
                    opened_ms INTEGER NOT NULL,
                    last_event_at TEXT NOT NULL,
                    last_event_ms INTEGER NOT NULL,
                    cancelled_at TEXT,
                    location TEXT,
                    version INTEGER NOT NULL DEFAULT 1
                );
                -- The queue: open calls, most urgent first, then oldest.
                CREATE INDEX call_queue ON call(priority, opened_ms, id) WHERE is_open = 1;
                CREATE INDEX call_open_by_elder ON call(elder_id, last_event_ms) WHERE is_open = 1;
                CREATE INDEX call_by_elder ON call(elder_id, id);

                -- Every event exactly as received, with the first answer given, so a retry of the same
                -- reference gets the same bytes back and nothing is stored twice.
                CREATE TABLE device_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    device_id TEXT NOT NULL REFERENCES device(id) ON DELETE RESTRICT,
                    ref TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    code TEXT,
                    occurred_at TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    body BLOB NOT NULL,
                    outcome TEXT NOT NULL,
                    call_id INTEGER REFERENCES call(id) ON DELETE RESTRICT,
                    reply BLOB NOT NULL
                );
                CREATE UNIQUE INDEX device_event_by_ref ON device_event(device_id, ref);

                -- Green-key presses, waiting for the bookings service to pick them up.
                CREATE TABLE service_request (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    elder_id INTEGER NOT NULL REFERENCES elder(id) ON DELETE RESTRICT,
                    device_event_id INTEGER NOT NULL REFERENCES device_event(id),
                    call_id INTEGER REFERENCES call(id),
                    status TEXT NOT NULL DEFAULT 'new',
                    created_at TEXT NOT NULL
                );
                CREATE INDEX service_request_by_status ON service_request(status, id);
                """)
    }

    /// The operator's side of a call: its lifecycle state, who holds it, its running deadline,
    /// the append-only timeline, and the summary every list, feed and change-log entry shows.
    static func callHandling(_ db: Database) throws {
        try db.execute(
            sql: """
                -- The lifecycle state (CallState as JSON: responders, outcome, escalation, follow-up);
                -- NULL until an operator first acts. The columns beside it are what queries filter on.
                ALTER TABLE call ADD COLUMN state TEXT;
                ALTER TABLE call ADD COLUMN claimed_by INTEGER;
                ALTER TABLE call ADD COLUMN claimed_by_name TEXT;
                ALTER TABLE call ADD COLUMN claimed_at TEXT;
                ALTER TABLE call ADD COLUMN outcome TEXT;
                ALTER TABLE call ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;
                -- The one running escalation deadline (unix ms) and its kind; a restart loses no timer.
                ALTER TABLE call ADD COLUMN deadline_ms INTEGER;
                ALTER TABLE call ADD COLUMN deadline_kind TEXT;
                CREATE INDEX call_by_deadline ON call(deadline_ms) WHERE deadline_ms IS NOT NULL;
                CREATE INDEX call_by_opened ON call(opened_ms);

                -- Every action on a call: who, what, when, how the status moved. The call's audit record.
                CREATE TABLE call_timeline (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    call_id INTEGER NOT NULL REFERENCES call(id) ON DELETE RESTRICT,
                    at TEXT NOT NULL,
                    at_ms INTEGER NOT NULL,
                    actor_id INTEGER,
                    actor_name TEXT,
                    action TEXT NOT NULL,
                    from_status TEXT NOT NULL,
                    to_status TEXT NOT NULL,
                    note TEXT,
                    detail TEXT NOT NULL DEFAULT '{}'
                );
                CREATE INDEX call_timeline_by_call ON call_timeline(call_id, id);
                CREATE TRIGGER call_timeline_no_update BEFORE UPDATE ON call_timeline
                    BEGIN SELECT RAISE(ABORT, 'the call timeline is append-only'); END;
                CREATE TRIGGER call_timeline_no_delete BEFORE DELETE ON call_timeline
                    BEGIN SELECT RAISE(ABORT, 'the call timeline is append-only'); END;

                -- A call as the queue shows it (CallSummary), as JSON: the list, the live feed and
                -- the change log all use this one definition. Dates are whole-second ISO-8601 UTC.
                CREATE VIEW call_summary AS
                SELECT call.id AS id, json_object(
                    'id', call.id, 'elderId', call.elder_id, 'elderName', elder.name,
                    'age', CAST(strftime('%Y', call.opened_at) AS INTEGER) - CAST(substr(elder.birth_date, 1, 4) AS INTEGER)
                        - (strftime('%m-%d', call.opened_at) < substr(elder.birth_date, 6, 5)),
                    'regionCode', elder.region_code, 'district', district.name,
                    'deviceId', call.device_id, 'code', call.code, 'priority', 'P' || call.priority, 'reason', call.reason,
                    'status', call.status, 'eventCount', call.event_count,
                    'openedAt', strftime('%Y-%m-%dT%H:%M:%SZ', call.opened_at),
                    'lastEventAt', strftime('%Y-%m-%dT%H:%M:%SZ', call.last_event_at),
                    'claimedBy', json(CASE WHEN call.claimed_by IS NULL THEN 'null'
                        ELSE json_object('accountId', call.claimed_by, 'name', call.claimed_by_name) END),
                    'claimedAt', strftime('%Y-%m-%dT%H:%M:%SZ', call.claimed_at),
                    'escalated', json(CASE call.escalated WHEN 0 THEN 'false' ELSE 'true' END),
                    'outcome', call.outcome, 'version', call.version) AS json
                FROM call
                JOIN elder ON elder.id = call.elder_id
                LEFT JOIN region AS district ON district.code = substr(elder.region_code, 1, 6) || '000000';
                """)
    }

    /// An elder's open calls are found by elder alone: with `last_event_ms` in the key, every
    /// joined alarm moved the call's index entry, one more page in each commit's WAL. The few
    /// open calls an elder has are sorted after the lookup.
    static func leanCallIndex(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP INDEX call_open_by_elder;
                CREATE INDEX call_open_by_elder ON call(elder_id) WHERE is_open = 1;
                """)
    }
}
