package import GRDB

/// One schema change of one store. Identifiers are namespaced by store (`registry-v1`,
/// `calls-v3`) and never edited once shipped: a change is a new migration.
public struct Migration: Sendable {
    public let id: String
    /// Identifiers of the single-file schema this migration's tables came from before the
    /// stores were split (`v2-alarms` …): a database that applied all of them already has what
    /// this migration creates, so it is marked applied instead of run.
    let replaces: Set<String>
    let body: @Sendable (Database) throws -> Void

    package init(_ id: String, replaces: Set<String> = [], _ body: @escaping @Sendable (Database) throws -> Void) {
        self.id = id
        self.replaces = replaces
        self.body = body
    }
}

/// Every store's migrations, in the fixed order they run: the core first, then the registry,
/// then each service's in the order the server lists them. One migrator for one file.
public struct Schema: Sendable {
    public let migrations: [Migration]

    public init(_ stores: [[Migration]]) { self.migrations = stores.flatMap { $0 } }

    /// The tables every service shares: the core's and the registry's.
    public static let shared = Schema([CoreSchema.migrations, RegistrySchema.migrations])

    /// This schema followed by `more` (a service's migrations).
    public func adding(_ more: [Migration]) -> Schema { Schema([migrations, more]) }

    var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        for migration in migrations { m.registerMigration(migration.id, migrate: migration.body) }
        return m
    }

    /// Renames the migrations of a database made before the split, then runs what is pending.
    func migrate(_ pool: DatabasePool) throws {
        try pool.write { db in try adoptSingleFileMigrations(db) }
        try migrator.migrate(pool)
    }

    /// A database migrated by the single-file schema lists `v1-registry` … `v5-lean-call-index`:
    /// each namespaced migration whose tables those made is recorded as applied, so nothing runs
    /// twice and no row is touched. The old identifiers stay (GRDB ignores ones it does not
    /// know), so a tool that opens the file with fewer stores leaves the rest to adopt later.
    func adoptSingleFileMigrations(_ db: Database) throws {
        guard try db.tableExists("grdb_migrations") else { return }
        let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        for migration in migrations where !migration.replaces.isEmpty && !applied.contains(migration.id) {
            let done = migration.replaces.intersection(applied)
            if done.isEmpty { continue }
            guard done == migration.replaces else {
                let missing = migration.replaces.subtracting(applied).sorted().joined(separator: ", ")
                throw StoreError.conflict(
                    reason: """
                        this database was left part-way through an older build's migrations (\(missing) not applied); \
                        run `eldercare migrate` with that build first
                        """)
            }
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.id])
        }
    }
}

/// The core's tables: accounts and tokens, the audit log, the change log and the outbox.
enum CoreSchema {
    static let migrations = [
        Migration("core-v1", replaces: ["v1-registry", "v2-alarms", "v4-notifications"], core),
        Migration("core-v2", auditedElder),
    ]

    /// Health data is read as well as written, and an auditor asks per elder: "who looked at this
    /// record, and why". Each entry can name the elder it concerns and the reason given.
    static func auditedElder(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE audit_log ADD COLUMN elder_id INTEGER;
                ALTER TABLE audit_log ADD COLUMN reason TEXT;
                CREATE INDEX audit_by_elder ON audit_log(elder_id, id) WHERE elder_id IS NOT NULL;
                """)
    }

    static func core(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE account (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    institution_id INTEGER REFERENCES institution(id) ON DELETE RESTRICT,
                    status TEXT NOT NULL DEFAULT 'active',
                    version INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    UNIQUE (name, role)
                );

                -- Tokens are kept only as a SHA-256 hash; `id` is the public prefix of the token.
                CREATE TABLE api_token (
                    id TEXT PRIMARY KEY NOT NULL,
                    account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE RESTRICT,
                    hash BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    revoked_at TEXT
                ) WITHOUT ROWID;
                CREATE INDEX token_by_account ON api_token(account_id);

                -- Append-only: the triggers below refuse every update and delete.
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    actor_name TEXT NOT NULL,
                    actor_account_id INTEGER,
                    actor_role TEXT NOT NULL,
                    action TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    entity_id TEXT NOT NULL,
                    fields TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX audit_by_entity ON audit_log(entity, entity_id);
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

                -- Every change a subscriber may follow, in commit order: the live feed replays it by position.
                CREATE TABLE change_log (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    entity_id INTEGER NOT NULL,
                    change TEXT NOT NULL,
                    payload TEXT NOT NULL
                );

                -- Messages to send, written in the same transaction as the change that causes them.
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    topic TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    elder_id INTEGER,
                    call_id INTEGER,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    due_at TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    -- When the worker fanned the row out, and what it made of it ("3 messages", "unknown topic").
                    dispatched_at TEXT,
                    note TEXT
                );
                CREATE INDEX outbox_due ON outbox(status, due_at);
                """)
    }
}
