import CareStore
internal import GRDB

/// The health archive's tables: each elder's FHIR resources, their old versions, the archive
/// numbers, enrolments with agencies, and health consultations.
enum ArchiveSchema {
    static let migrations = [
        Migration("archive-v1", archive)
    ]

    static func archive(_ db: Database) throws {
        try db.execute(
            sql: """
                -- One row per resource as it now is. `json` is the resource exactly as served (id and
                -- meta included), so a read is a copy; the columns beside it are what searches use.
                -- A deleted resource keeps its row as a tombstone (deleted = 1, json empty).
                CREATE TABLE health_resource (
                    rid INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    id TEXT NOT NULL,
                    elder_id INTEGER NOT NULL REFERENCES elder(id) ON DELETE RESTRICT,
                    version INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    changed_by TEXT NOT NULL,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    -- The main code as "system|code"; the clinical date in unix milliseconds.
                    code TEXT,
                    effective_ms INTEGER,
                    -- For the call screen: a line of text, and whether it is an active chronic condition.
                    summary TEXT,
                    chronic INTEGER NOT NULL DEFAULT 0,
                    -- What made it (a device event: "device:ref:n"; a consultation). Not indexed: the
                    -- intake's own dedupe already records each event once, and an index here would
                    -- cost every alarm that carries vitals.
                    source_key TEXT,
                    json TEXT NOT NULL,
                    UNIQUE (type, id)
                );
                CREATE INDEX health_by_elder ON health_resource(elder_id, type, effective_ms);
                CREATE INDEX health_chronic ON health_resource(elder_id) WHERE chronic = 1 AND deleted = 0;

                -- Every version but the current one, for vread and history. Append-only.
                CREATE TABLE health_resource_version (
                    rid INTEGER NOT NULL REFERENCES health_resource(rid) ON DELETE RESTRICT,
                    version INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    changed_by TEXT NOT NULL,
                    deleted INTEGER NOT NULL,
                    json TEXT NOT NULL,
                    PRIMARY KEY (rid, version)
                ) WITHOUT ROWID;
                CREATE TRIGGER health_version_no_update BEFORE UPDATE ON health_resource_version
                    BEGIN SELECT RAISE(ABORT, 'old versions of health records never change'); END;
                CREATE TRIGGER health_version_no_delete BEFORE DELETE ON health_resource_version
                    BEGIN SELECT RAISE(ABORT, 'old versions of health records are never deleted'); END;

                -- The elder's archive: its number (健康档案编号), and the registry version its Patient follows.
                CREATE TABLE health_archive (
                    elder_id INTEGER PRIMARY KEY REFERENCES elder(id) ON DELETE RESTRICT,
                    archive_number TEXT NOT NULL UNIQUE,
                    elder_version INTEGER NOT NULL,
                    created_at TEXT NOT NULL
                );

                -- A hospital's patients: elders it may read beyond any service area.
                CREATE TABLE health_enrolment (
                    institution_id INTEGER NOT NULL REFERENCES institution(id) ON DELETE RESTRICT,
                    elder_id INTEGER NOT NULL REFERENCES elder(id) ON DELETE RESTRICT,
                    enrolled_at TEXT NOT NULL,
                    enrolled_by TEXT NOT NULL,
                    PRIMARY KEY (institution_id, elder_id)
                ) WITHOUT ROWID;
                CREATE INDEX enrolment_by_elder ON health_enrolment(elder_id);

                -- Health consultations (健康咨询): a question, routed to a health centre, answered.
                CREATE TABLE health_consultation (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    elder_id INTEGER NOT NULL REFERENCES elder(id) ON DELETE RESTRICT,
                    institution_id INTEGER REFERENCES institution(id) ON DELETE RESTRICT,
                    channel TEXT NOT NULL,
                    question TEXT NOT NULL,
                    asked_by TEXT NOT NULL,
                    asked_at TEXT NOT NULL,
                    answer TEXT,
                    answered_by TEXT,
                    answered_at TEXT,
                    encounter_id TEXT,
                    status TEXT NOT NULL CHECK (status IN ('open','answered'))
                );
                CREATE INDEX consultation_queue ON health_consultation(institution_id, status, id);
                CREATE INDEX consultation_by_elder ON health_consultation(elder_id, id);
                """)
    }
}
