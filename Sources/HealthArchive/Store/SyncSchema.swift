import CareStore
internal import GRDB

/// The sync engine's tables: the archive's change feed, which elders each agency holds, pushes
/// already answered, conflicts, and what each agency last did. Registered after every other
/// store's migrations, since the order of shipped migrations never changes.
enum SyncSchema {
    static let migrations = [
        Migration("archive-v2", sync)
    ]

    static func sync(_ db: Database) throws {
        try db.execute(
            sql: """
                -- The position of each version in the feed. Rows written before the feed existed (and the
                -- bulk seed's) keep 0: they are older than any position, so a snapshot includes them.
                ALTER TABLE health_resource ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE health_resource_version ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;

                -- The feed: one row per version of a resource (create, update, delete) and per elder
                -- entering or leaving an agency's scope. Written by the one writer in the change's own
                -- transaction, so positions are in commit order and, with AUTOINCREMENT (never reused,
                -- rolled back with the transaction), without gaps.
                CREATE TABLE health_change (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at_ms INTEGER NOT NULL,
                    op TEXT NOT NULL CHECK (op IN ('create','update','delete','enter','leave')),
                    elder_id INTEGER NOT NULL,
                    rid INTEGER,
                    type TEXT,
                    id TEXT,
                    version INTEGER,
                    -- Scope events only: the agency whose scope the elder entered or left.
                    institution_id INTEGER
                );
                CREATE INDEX health_change_scope ON health_change(institution_id, seq) WHERE institution_id IS NOT NULL;

                -- When each elder was in each agency's scope, as feed positions: entered after
                -- entered_seq's event, left at left_seq (NULL while still in scope). The registry
                -- changes an elder (a move, consent withdrawn) before a pull notices, so the elder's
                -- changes are hidden from cut_seq on, the first position at or after the registry's
                -- change: none reaches the agency after the elder left, even before the leave line.
                CREATE TABLE sync_membership (
                    institution_id INTEGER NOT NULL REFERENCES institution(id) ON DELETE RESTRICT,
                    elder_id INTEGER NOT NULL,
                    entered_seq INTEGER NOT NULL,
                    left_seq INTEGER,
                    cut_seq INTEGER,
                    PRIMARY KEY (institution_id, elder_id, entered_seq)
                ) WITHOUT ROWID;
                CREATE INDEX sync_membership_open ON sync_membership(institution_id, elder_id) WHERE left_seq IS NULL;

                -- Pushes answered, so that a retried push gets the first answer and changes nothing.
                CREATE TABLE sync_push (
                    institution_id INTEGER NOT NULL,
                    push_id TEXT NOT NULL,
                    body_sha1 TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    response TEXT NOT NULL,
                    at TEXT NOT NULL,
                    PRIMARY KEY (institution_id, push_id)
                ) WITHOUT ROWID;

                -- A field both sides changed since the agency's base version: both values kept until
                -- someone chooses.
                CREATE TABLE sync_conflict (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    institution_id INTEGER NOT NULL,
                    elder_id INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    resource_id TEXT NOT NULL,
                    base_version INTEGER NOT NULL,
                    platform_version INTEGER NOT NULL,
                    fields TEXT NOT NULL,
                    agency_json TEXT NOT NULL,
                    platform_json TEXT NOT NULL,
                    push_id TEXT,
                    status TEXT NOT NULL CHECK (status IN ('open','resolved')),
                    created_at TEXT NOT NULL,
                    resolution TEXT,
                    resolved_version INTEGER,
                    resolved_by TEXT,
                    resolved_at TEXT
                );
                CREATE INDEX sync_conflict_open ON sync_conflict(institution_id, status, id);

                -- What each syncing system (an agency's account) last did, for an honest status; one
                -- institution may run more than one.
                CREATE TABLE sync_agency (
                    institution_id INTEGER NOT NULL,
                    account_id INTEGER NOT NULL,
                    cursor INTEGER,
                    last_pull_at TEXT,
                    last_push_at TEXT,
                    last_error TEXT,
                    last_error_at TEXT,
                    PRIMARY KEY (institution_id, account_id)
                ) WITHOUT ROWID;

                -- The feed's first kept position (rows before it were pruned after the retention window),
                -- and per agency the last position a pull handed out.
                CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                """)
    }
}
