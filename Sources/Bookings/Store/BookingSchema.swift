import CareModel
import CareStore
internal import GRDB

/// Bookings' tables: providers and their workers (certificates, leave, the elders' preferences),
/// bookings, visits and their corrections, and the answers kept for idempotent creates.
enum BookingSchema {
    static let migrations = [Migration("bookings-v1", bookings), Migration("bookings-v2", greenKeyRequests)]

    /// The worklist of green-key presses, and meals' dietary needs.
    ///
    /// The worklist of green-key presses: each waits here until a booking answers it or someone
    /// declines it with a reason. Presses made before this table existed stay as P4 calls.
    static func greenKeyRequests(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE home_service_request (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    elder_id INTEGER NOT NULL REFERENCES elder(id) ON DELETE RESTRICT,
                    call_id INTEGER,
                    device_id TEXT NOT NULL,
                    requested_at TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'booked', 'declined')),
                    booking_id INTEGER REFERENCES booking(id) ON DELETE RESTRICT,
                    handled_by TEXT,
                    handled_at TEXT,
                    reason TEXT
                );
                CREATE INDEX home_service_request_by_status ON home_service_request(status, id);

                -- A meal's dietary needs as the archive gave them when it was booked (JSON list).
                ALTER TABLE booking ADD COLUMN dietary_needs TEXT;
                """)
    }

    static func bookings(_ db: Database) throws {
        try db.execute(
            sql: """
                -- A registry institution that delivers home services: what it serves, under what contract.
                CREATE TABLE service_provider (
                    institution_id INTEGER PRIMARY KEY REFERENCES institution(id) ON DELETE RESTRICT,
                    regions TEXT NOT NULL,
                    contract_number TEXT NOT NULL,
                    contract_until TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'active',
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );

                -- Skills and working hours are JSON: the scheduler reads whole workers, never filters on them in SQL.
                CREATE TABLE service_worker (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    provider_id INTEGER NOT NULL REFERENCES service_provider(institution_id) ON DELETE RESTRICT,
                    account_id INTEGER UNIQUE REFERENCES account(id) ON DELETE RESTRICT,
                    name TEXT NOT NULL,
                    phone TEXT,
                    skills TEXT NOT NULL,
                    working_hours TEXT NOT NULL,
                    latitude REAL NOT NULL,
                    longitude REAL NOT NULL,
                    volunteer_group TEXT,
                    status TEXT NOT NULL DEFAULT 'active',
                    version INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX service_worker_by_provider ON service_worker(provider_id);

                CREATE TABLE worker_certificate (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    worker_id INTEGER NOT NULL REFERENCES service_worker(id) ON DELETE RESTRICT,
                    kind TEXT NOT NULL,
                    number TEXT NOT NULL,
                    issuer TEXT NOT NULL,
                    expires_on TEXT NOT NULL,
                    -- When the provider was told it expires soon; set once.
                    warned_at TEXT,
                    UNIQUE (kind, number, issuer)
                );
                CREATE INDEX worker_certificate_by_worker ON worker_certificate(worker_id);
                CREATE INDEX worker_certificate_unwarned ON worker_certificate(expires_on) WHERE warned_at IS NULL;

                CREATE TABLE worker_leave (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    worker_id INTEGER NOT NULL REFERENCES service_worker(id) ON DELETE RESTRICT,
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL CHECK (end_ms > start_ms),
                    reason TEXT NOT NULL
                );
                CREATE INDEX worker_leave_by_worker ON worker_leave(worker_id, end_ms);

                CREATE TABLE elder_worker_preference (
                    elder_id INTEGER NOT NULL REFERENCES elder(id) ON DELETE RESTRICT,
                    worker_id INTEGER NOT NULL REFERENCES service_worker(id) ON DELETE RESTRICT,
                    preference TEXT NOT NULL CHECK (preference IN ('preferred','refused')),
                    PRIMARY KEY (elder_id, worker_id)
                ) WITHOUT ROWID;

                -- Times the rules compare are unix milliseconds. A booking lasts at most a day, which
                -- bounds the overlap search below to one index range.
                CREATE TABLE booking (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    elder_id INTEGER NOT NULL REFERENCES elder(id) ON DELETE RESTRICT,
                    service TEXT NOT NULL,
                    provider_id INTEGER NOT NULL REFERENCES service_provider(institution_id) ON DELETE RESTRICT,
                    worker_id INTEGER REFERENCES service_worker(id) ON DELETE RESTRICT,
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL CHECK (end_ms > start_ms AND end_ms - start_ms <= 86400000),
                    -- Where the visit is (the elder's home when booked), so travel between a worker's
                    -- visits is computed without reading the registry for every visit.
                    latitude REAL,
                    longitude REAL,
                    status TEXT NOT NULL,
                    series_id INTEGER,
                    note TEXT,
                    cancel_reason TEXT,
                    -- The next deadline a sweep acts on: the reminder, then the missed-visit check; NULL when none.
                    deadline_ms INTEGER,
                    reminded INTEGER NOT NULL DEFAULT 0,
                    version INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                -- Covers a worker's calendar (the overlap trigger, availability, assignment) without
                -- reading the table: two thousand workers' fortnight is tens of thousands of rows.
                CREATE INDEX booking_by_worker ON booking(worker_id, start_ms, end_ms, status, latitude, longitude);
                CREATE INDEX booking_by_elder ON booking(elder_id, start_ms);
                CREATE INDEX booking_by_provider ON booking(provider_id, start_ms);
                CREATE INDEX booking_due ON booking(deadline_ms) WHERE deadline_ms IS NOT NULL;

                -- The invariant: a worker is never held by two bookings whose times overlap. Checked by
                -- the database inside the writing transaction, so no writer, present or future, can break it.
                CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON booking
                WHEN NEW.worker_id IS NOT NULL AND NEW.status IN \(BookingStatus.holdingSQL)
                BEGIN
                    SELECT RAISE(ABORT, 'worker_double_booked') WHERE EXISTS (
                        SELECT 1 FROM booking WHERE worker_id = NEW.worker_id
                        AND start_ms > NEW.start_ms - 86400000 AND start_ms < NEW.end_ms AND end_ms > NEW.start_ms
                        AND status IN \(BookingStatus.holdingSQL));
                END;
                CREATE TRIGGER booking_no_overlap_update BEFORE UPDATE OF worker_id, start_ms, end_ms, status ON booking
                WHEN NEW.worker_id IS NOT NULL AND NEW.status IN \(BookingStatus.holdingSQL)
                BEGIN
                    SELECT RAISE(ABORT, 'worker_double_booked') WHERE EXISTS (
                        SELECT 1 FROM booking WHERE worker_id = NEW.worker_id AND id != NEW.id
                        AND start_ms > NEW.start_ms - 86400000 AND start_ms < NEW.end_ms AND end_ms > NEW.start_ms
                        AND status IN \(BookingStatus.holdingSQL));
                END;

                -- The first answer to a create, by the caller's Idempotency-Key: a retry gets it again.
                CREATE TABLE booking_request (
                    key TEXT PRIMARY KEY NOT NULL,
                    answer TEXT NOT NULL,
                    created_at TEXT NOT NULL
                ) WITHOUT ROWID;

                -- What the worker's phone recorded, one row per booking that was visited.
                CREATE TABLE visit (
                    booking_id INTEGER PRIMARY KEY REFERENCES booking(id) ON DELETE RESTRICT,
                    check_in_ms INTEGER,
                    check_in_latitude REAL,
                    check_in_longitude REAL,
                    check_in_distance_m INTEGER,
                    check_out_ms INTEGER,
                    check_out_latitude REAL,
                    check_out_longitude REAL,
                    check_out_distance_m INTEGER,
                    verified INTEGER NOT NULL DEFAULT 0,
                    notes TEXT,
                    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
                    complaint TEXT,
                    meal_delivered INTEGER,
                    shopping TEXT,
                    updated_at TEXT NOT NULL
                );

                -- Manual corrections, append-only.
                CREATE TABLE visit_correction (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    booking_id INTEGER NOT NULL REFERENCES booking(id) ON DELETE RESTRICT,
                    at TEXT NOT NULL,
                    by TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    changes TEXT NOT NULL
                );
                CREATE INDEX visit_correction_by_booking ON visit_correction(booking_id);
                CREATE TRIGGER visit_correction_no_update BEFORE UPDATE ON visit_correction
                    BEGIN SELECT RAISE(ABORT, 'visit corrections are append-only'); END;
                CREATE TRIGGER visit_correction_no_delete BEFORE DELETE ON visit_correction
                    BEGIN SELECT RAISE(ABORT, 'visit corrections are append-only'); END;
                """)
    }
}
