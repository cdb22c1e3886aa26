import CareStore
internal import GRDB

/// Oversight's tables: what the bureau records about institutions and communities beyond the
/// registry's rows, inspections and their findings with rectification deadlines, the grading
/// history, and the frozen statistics returns.
///
/// The registry's tables are read, never written: a profile and a facility are keyed by the
/// institution's id and the community's code. Assessments and returns are history and refuse
/// UPDATE and DELETE in the database itself, so a published grade or figure never changes.
enum OversightSchema {
    static let migrations = [Migration("oversight-v1", oversight)]

    static func appendOnly(_ table: String) -> String {
        """
        CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) is append-only: record a new one instead'); END;
        CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) is append-only: record a new one instead'); END;
        """
    }

    static func oversight(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Counting elders aged 60+ per county at a date reads only this index, never the
                -- registry's wide rows: a million elders are counted from a narrow covering index.
                CREATE INDEX oversight_elder_age ON elder(status, region_code, birth_date);

                CREATE TABLE oversight_institution_profile (
                    institution_id INTEGER PRIMARY KEY REFERENCES institution(id) ON DELETE RESTRICT,
                    operating_model TEXT NOT NULL,
                    rural_centre INTEGER NOT NULL,
                    comprehensive INTEGER NOT NULL,
                    new_public_facility INTEGER NOT NULL,
                    medical_service TEXT NOT NULL,
                    rehabilitation_place INTEGER NOT NULL,
                    social_workers INTEGER NOT NULL,
                    staff INTEGER NOT NULL,
                    carers INTEGER NOT NULL,
                    residents INTEGER NOT NULL,
                    san_wu_residents INTEGER NOT NULL,
                    wu_bao_residents INTEGER NOT NULL,
                    wu_bao_non_self_care INTEGER NOT NULL,
                    construction_subsidy_fen INTEGER NOT NULL,
                    operating_subsidy_fen_per_month INTEGER NOT NULL,
                    updated_at TEXT NOT NULL
                );

                CREATE TABLE oversight_community_facility (
                    region_code TEXT PRIMARY KEY NOT NULL REFERENCES region(code) ON DELETE RESTRICT,
                    urban INTEGER NOT NULL,
                    day_care_centre INTEGER NOT NULL,
                    happiness_home INTEGER NOT NULL,
                    rehabilitation_place INTEGER NOT NULL,
                    updated_at TEXT NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE oversight_inspection (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    institution_id INTEGER NOT NULL REFERENCES institution(id) ON DELETE RESTRICT,
                    inspected_on TEXT NOT NULL,
                    inspector TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX oversight_inspection_by_institution ON oversight_inspection(institution_id, id);

                -- The deadlines are columns, so the sweeper reads only what is due and a restart loses none.
                CREATE TABLE oversight_finding (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    inspection_id INTEGER NOT NULL REFERENCES oversight_inspection(id) ON DELETE RESTRICT,
                    institution_id INTEGER NOT NULL REFERENCES institution(id) ON DELETE RESTRICT,
                    domain TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    clause TEXT,
                    description TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'overdue', 'rectified')),
                    deadline_ms INTEGER NOT NULL,
                    remind_ms INTEGER,
                    suspended_at TEXT,
                    publish_ms INTEGER,
                    published_at TEXT,
                    reply TEXT,
                    rectified_at TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX oversight_finding_by_institution ON oversight_finding(institution_id, id);
                CREATE INDEX oversight_finding_deadline ON oversight_finding(deadline_ms) WHERE status = 'open';
                CREATE INDEX oversight_finding_remind ON oversight_finding(remind_ms) WHERE remind_ms IS NOT NULL;
                CREATE INDEX oversight_finding_publish ON oversight_finding(publish_ms) WHERE published_at IS NULL AND publish_ms IS NOT NULL;
                CREATE INDEX oversight_finding_published ON oversight_finding(published_at) WHERE published_at IS NOT NULL;

                CREATE TABLE oversight_assessment (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    institution_id INTEGER NOT NULL REFERENCES institution(id) ON DELETE RESTRICT,
                    assessed_on TEXT NOT NULL,
                    assessor TEXT NOT NULL,
                    scores TEXT NOT NULL,
                    level INTEGER,
                    total REAL NOT NULL,
                    limited_by TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX oversight_assessment_by_institution ON oversight_assessment(institution_id, id);
                \(appendOnly("oversight_assessment"))

                CREATE TABLE oversight_return (
                    period TEXT PRIMARY KEY NOT NULL,
                    as_of TEXT NOT NULL,
                    region_code TEXT NOT NULL,
                    figures TEXT NOT NULL,
                    created_at TEXT NOT NULL
                ) WITHOUT ROWID;
                \(appendOnly("oversight_return"))
                """)
    }
}
