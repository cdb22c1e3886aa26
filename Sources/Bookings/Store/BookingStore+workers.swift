import CareModel
import CareStore
import Foundation
internal import GRDB

extension BookingStore {
    // MARK: - Providers

    /// Registers an institution as a home-service provider (or replaces its regions and contract).
    public func saveProvider(_ provider: ServiceProvider, by who: Principal) async throws -> ServiceProvider {
        let p = try provider.validated()
        let saved = try await database.write { db in
            let stamp = SQLText.time(self.now)
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM institution WHERE id = ?", arguments: [p.institutionId]) != nil else {
                throw StoreError.invalid(ValidationFailure(field: "institutionId", reason: "names no institution"))
            }
            try db.execute(
                sql: """
                    INSERT INTO service_provider (institution_id, regions, contract_number, contract_until, status, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (institution_id) DO UPDATE SET regions = excluded.regions, contract_number = excluded.contract_number,
                    contract_until = excluded.contract_until, status = excluded.status, updated_at = excluded.updated_at
                    """,
                arguments: [
                    p.institutionId, JSONColumn.encode(p.regions), p.contractNumber, p.contractUntil.description, p.status.rawValue,
                    stamp, stamp,
                ])
            try self.database.audit(db, who, "save", "service_provider", String(p.institutionId), fields: ["regions", "contract"])
            return p
        }
        workerCache.invalidate()
        return saved
    }

    public func providers() async throws -> [ServiceProvider] {
        try await database.read { db in try Self.providers(db) }
    }

    static func providers(_ db: Database) throws -> [ServiceProvider] {
        try Row.fetchAll(db, sql: "SELECT * FROM service_provider ORDER BY institution_id").map(ServiceProvider.init(row:))
    }

    // MARK: - Workers

    /// Registers a worker under a provider; a provider account may register only its own.
    public func createWorker(_ new: NewServiceWorker, by who: Principal) async throws -> ServiceWorker {
        let validated = try new.validated()
        let made = try await database.write { db in
            var w = validated
            let scope = try Scope.of(db, who)
            if case .provider(let p) = scope, p != w.providerId {
                throw StoreError.invalid(ValidationFailure(field: "providerId", reason: "must be your own provider (\(p))"))
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM service_provider WHERE institution_id = ?", arguments: [w.providerId]) != nil
            else { throw StoreError.invalid(ValidationFailure(field: "providerId", reason: "is not a registered provider")) }
            if let account = w.accountId {
                let role = try String.fetchOne(db, sql: "SELECT role FROM account WHERE id = ?", arguments: [account])
                guard role == Role.worker.rawValue else {
                    throw StoreError.invalid(ValidationFailure(field: "accountId", reason: "must name an account with the role worker"))
                }
            }
            let stamp = SQLText.time(self.now)
            try Self.catchingDuplicate {
                try db.execute(
                    sql: """
                        INSERT INTO service_worker (provider_id, account_id, name, phone, skills, working_hours, latitude, longitude,
                        volunteer_group, status, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 1, ?, ?)
                        """,
                    arguments: [
                        w.providerId, w.accountId, w.name, w.phone, JSONColumn.encode(w.skills), JSONColumn.encode(w.workingHours),
                        w.home.latitude, w.home.longitude, w.volunteerGroup, stamp, stamp,
                    ])
                w.id = db.lastInsertedRowID
                w.certificates = try w.certificates.map { try Self.insertCertificate(db, $0, worker: w.id) }
            }
            try self.database.audit(db, who, "create", "service_worker", String(w.id))
            return w
        }
        workerCache.invalidate()
        return made
    }

    /// Adds a certificate to a worker.
    public func addCertificate(_ certificate: Certificate, toWorker id: Int64, by who: Principal) async throws -> ServiceWorker {
        let c = try certificate.validated()
        let worker = try await database.write { db in
            let w = try Self.worker(db, id: id, scope: try Scope.of(db, who))
            try Self.catchingDuplicate { _ = try Self.insertCertificate(db, c, worker: w.id) }
            try self.database.audit(db, who, "add_certificate", "service_worker", String(id), fields: ["certificates"])
            return try Self.worker(db, id: id, scope: .all)
        }
        workerCache.invalidate()
        return worker
    }

    /// Records leave; refused while the worker holds bookings in that time (move them first).
    public func addLeave(_ leave: WorkerLeave, by who: Principal) async throws -> WorkerLeave {
        let validated = try leave.validated()
        return try await database.write { db in
            var l = validated
            _ = try Self.worker(db, id: l.workerId, scope: try Scope.of(db, who))
            let clashing = try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM booking WHERE worker_id = ? AND start_ms < ? AND end_ms > ? AND status IN ('confirmed','in_progress')
                    ORDER BY start_ms LIMIT 20
                    """, arguments: [l.workerId, l.end.millis, l.start.millis])
            if !clashing.isEmpty {
                throw StoreError.conflict(
                    reason:
                        "the worker holds bookings in that time (\(clashing.map(String.init).joined(separator: ", "))); reassign or move them first"
                )
            }
            try db.execute(
                sql: "INSERT INTO worker_leave (worker_id, start_ms, end_ms, reason) VALUES (?, ?, ?, ?)",
                arguments: [l.workerId, l.start.millis, l.end.millis, l.reason])
            l.id = db.lastInsertedRowID
            try self.database.audit(db, who, "add_leave", "service_worker", String(l.workerId), fields: ["leave"])
            return l
        }
    }

    /// Sets (or with nil clears) an elder's wish about a worker.
    public func setPreference(elderId: Int64, workerId: Int64, _ preference: WorkerPreference?, by who: Principal) async throws {
        try await database.write { db in
            _ = try RegistryStore.elder(db, id: elderId)
            _ = try Self.worker(db, id: workerId, scope: .all)
            if let preference {
                try db.execute(
                    sql: """
                        INSERT INTO elder_worker_preference (elder_id, worker_id, preference) VALUES (?, ?, ?)
                        ON CONFLICT (elder_id, worker_id) DO UPDATE SET preference = excluded.preference
                        """, arguments: [elderId, workerId, preference.rawValue])
            } else {
                try db.execute(
                    sql: "DELETE FROM elder_worker_preference WHERE elder_id = ? AND worker_id = ?", arguments: [elderId, workerId])
            }
            try self.database.audit(db, who, "set_preference", "elder", String(elderId), fields: ["workerPreference"])
        }
    }

    public func worker(id: Int64, by who: Principal) async throws -> ServiceWorker {
        try await database.read { db in try Self.worker(db, id: id, scope: try Scope.of(db, who)) }
    }

    /// Workers, of one provider or all (a provider account sees its own).
    public func workers(provider: Int64?, by who: Principal, page: PageRequest) async throws -> Page<ServiceWorker> {
        try await database.read { db in
            var q = SQLQuery("SELECT * FROM service_worker")
            switch try Scope.of(db, who) {
            case .provider(let p): q.where("provider_id = ?", p)
            case .worker(let w): q.where("id = ?", w)
            case .nothing: q.where("0")
            case .all: break
            }
            if let provider { q.where("provider_id = ?", provider) }
            if let after = page.after.flatMap(Int64.init) { q.where("id > ?", after) }
            q.suffix("ORDER BY id LIMIT ?", page.limit + 1)
            let workers = try Self.withCertificates(db, try q.fetchAll(db).map(ServiceWorker.init(row:)))
            return Page.from(workers, limit: page.limit) { String($0.id) }
        }
    }

    static func worker(_ db: Database, id: Int64, scope: Scope) throws -> ServiceWorker {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM service_worker WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound(entity: "worker", id: String(id))
        }
        let w = ServiceWorker(row: row)
        switch scope {
        case .all: break
        case .provider(let p) where p == w.providerId: break
        case .worker(let me) where me == w.id: break
        default: throw StoreError.notFound(entity: "worker", id: String(id))
        }
        return try withCertificates(db, [w])[0]
    }

    static func withCertificates(_ db: Database, _ workers: [ServiceWorker]) throws -> [ServiceWorker] {
        guard !workers.isEmpty else { return [] }
        var byWorker: [Int64: [Certificate]] = [:]
        for part in workers.map(\.id).inParts() {
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM worker_certificate WHERE worker_id IN (\(part.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments(part))
            for row in rows { byWorker[row["worker_id"], default: []].append(Certificate(row: row)) }
        }
        return workers.map { w in
            var w = w
            w.certificates = byWorker[w.id] ?? []
            return w
        }
    }

    static func insertCertificate(_ db: Database, _ c: Certificate, worker: Int64) throws -> Certificate {
        try db.execute(
            sql: "INSERT INTO worker_certificate (worker_id, kind, number, issuer, expires_on) VALUES (?, ?, ?, ?, ?)",
            arguments: [worker, c.kind, c.number, c.issuer, c.expiresOn.description])
        var c = c
        c.id = db.lastInsertedRowID
        return c
    }

    static func catchingDuplicate<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            let field = error.message?.contains("account_id") == true ? "accountId" : "certificates"
            let reason =
                field == "accountId"
                ? "is already linked to another worker" : "a certificate with this kind, number and issuer is already registered"
            throw StoreError.duplicate(field: field, reason: reason)
        }
    }
}

extension ServiceProvider {
    init(row: Row) {
        self.init(
            institutionId: row["institution_id"], regions: JSONColumn.decode([String].self, row["regions"]) ?? [],
            contractNumber: row["contract_number"],
            contractUntil: CalendarDate(iso: row["contract_until"]) ?? CalendarDate(daysSinceEpoch: 0),
            status: RecordStatus(rawValue: row["status"]) ?? .inactive)
    }
}

extension ServiceWorker {
    init(row: Row) {
        self.init(
            id: row["id"], providerId: row["provider_id"], accountId: row["account_id"], name: row["name"], phone: row["phone"],
            skills: JSONColumn.decode([String].self, row["skills"]) ?? [], certificates: [],
            workingHours: JSONColumn.decode([WorkingHours].self, row["working_hours"]) ?? [],
            home: Coordinates(latitude: row["latitude"], longitude: row["longitude"]), volunteerGroup: row["volunteer_group"],
            status: RecordStatus(rawValue: row["status"]) ?? .inactive, version: row["version"])
    }
}

extension Certificate {
    init(row: Row) {
        self.init(
            id: row["id"], kind: row["kind"], number: row["number"], issuer: row["issuer"],
            expiresOn: CalendarDate(iso: row["expires_on"]) ?? CalendarDate(daysSinceEpoch: 0))
    }
}

extension BookingStore {
    /// Volunteers' time-bank credit: their verified visits between `from` and `to` (by the
    /// booked start) and the minutes between check-in and check-out. A provider sees its own.
    public func volunteerHours(from: Date, to: Date, by who: Principal) async throws -> [VolunteerHours] {
        try await database.read { db in
            var q = SQLQuery(
                """
                SELECT w.id, w.name, w.volunteer_group, count(*) AS visits,
                    coalesce(sum((v.check_out_ms - v.check_in_ms) / 60000), 0) AS minutes
                FROM visit v JOIN booking b ON b.id = v.booking_id JOIN service_worker w ON w.id = b.worker_id
                """)
            q.where("w.volunteer_group IS NOT NULL")
            q.where("v.verified = 1 AND v.check_in_ms IS NOT NULL AND v.check_out_ms IS NOT NULL")
            q.where("b.start_ms >= ? AND b.start_ms < ?", from.millis, to.millis)
            switch try Scope.of(db, who) {
            case .provider(let p): q.where("w.provider_id = ?", p)
            case .worker(let me): q.where("w.id = ?", me)
            case .nothing: q.where("0")
            case .all: break
            }
            q.suffix("GROUP BY w.id ORDER BY w.id")
            return try q.fetchAll(db).map {
                VolunteerHours(workerId: $0[0], name: $0[1], volunteerGroup: $0[2], visits: $0[3], minutes: $0[4])
            }
        }
    }
}

extension Array where Element == Int64 {
    /// The ids in parts of at most 500, each part one `IN (…)` list within SQLite's variable limit.
    func inParts() -> [[Int64]] {
        stride(from: 0, to: count, by: 500).map { Array(self[$0..<Swift.min($0 + 500, count)]) }
    }
}
