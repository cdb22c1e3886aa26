internal import GRDB

/// The registry's tables: regions, elders and their name index, emergency contacts, devices,
/// institutions.
enum RegistrySchema {
    static let migrations = [
        Migration("registry-v1", replaces: ["v1-registry"], registry)
    ]

    static func registry(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE region (
                    code TEXT PRIMARY KEY NOT NULL CHECK (length(code) = 12),
                    name TEXT NOT NULL,
                    level TEXT NOT NULL CHECK (level IN ('city','district','street','community')),
                    parent_code TEXT REFERENCES region(code) ON DELETE RESTRICT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX region_by_parent ON region(parent_code, code);

                CREATE TABLE elder (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    national_id TEXT NOT NULL,
                    birth_date TEXT NOT NULL,
                    sex TEXT NOT NULL,
                    phone TEXT,
                    address TEXT NOT NULL,
                    latitude REAL,
                    longitude REAL,
                    region_code TEXT NOT NULL REFERENCES region(code) ON DELETE RESTRICT,
                    living_situation TEXT NOT NULL,
                    care_level TEXT NOT NULL,
                    categories INTEGER NOT NULL DEFAULT 0,
                    consent_share_health INTEGER NOT NULL,
                    consent_use_location INTEGER NOT NULL,
                    consent_notify_family INTEGER NOT NULL,
                    status TEXT NOT NULL DEFAULT 'active',
                    version INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE UNIQUE INDEX elder_by_national_id ON elder(national_id);
                CREATE INDEX elder_by_region ON elder(region_code);

                -- Names indexed one character per token, so 「伟」 finds 张伟 and 「张伟」 finds 张伟明.
                CREATE VIRTUAL TABLE elder_name_search USING fts5(chars);

                CREATE TABLE emergency_contact (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    elder_id INTEGER NOT NULL REFERENCES elder(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    relation TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    has_key INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX contact_by_elder ON emergency_contact(elder_id, position);

                CREATE TABLE device (
                    id TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL,
                    -- RESTRICT: an elder with devices has history and cannot be deleted.
                    elder_id INTEGER NOT NULL REFERENCES elder(id) ON DELETE RESTRICT,
                    secret TEXT NOT NULL,
                    heartbeat_seconds INTEGER NOT NULL,
                    status TEXT NOT NULL DEFAULT 'active',
                    seq INTEGER NOT NULL UNIQUE,
                    version INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX device_by_elder ON device(elder_id);

                CREATE TABLE institution (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    region_code TEXT NOT NULL REFERENCES region(code) ON DELETE RESTRICT,
                    address TEXT NOT NULL,
                    latitude REAL,
                    longitude REAL,
                    phone TEXT NOT NULL,
                    beds INTEGER NOT NULL DEFAULT 0,
                    nursing_beds INTEGER NOT NULL DEFAULT 0 CHECK (nursing_beds <= beds),
                    status TEXT NOT NULL DEFAULT 'active',
                    version INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX institution_by_region ON institution(region_code);
                """)
    }
}
