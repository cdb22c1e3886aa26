import CareModel
import CareStore
import Foundation
internal import GRDB

/// Filters for listing bookings.
public struct BookingFilter: Sendable {
    public var elderId: Int64?
    public var workerId: Int64?
    public var providerId: Int64?
    public var status: BookingStatus?
    public var from: Date?
    public var to: Date?
    public init(
        elderId: Int64? = nil, workerId: Int64? = nil, providerId: Int64? = nil, status: BookingStatus? = nil, from: Date? = nil,
        to: Date? = nil
    ) {
        self.elderId = elderId; self.workerId = workerId; self.providerId = providerId; self.status = status
        self.from = from; self.to = to
    }
}

extension BookingStore {
    // MARK: - Availability

    /// Free slots for `service` at the elder's home between `from` and `to`.
    public func availability(service: String, elderId: Int64, from: Date, to: Date, by who: Principal) async throws -> [AvailableSlot] {
        guard let type = catalogue[service] else {
            throw StoreError.invalid(
                ValidationFailure(field: "service", reason: "must be one of: \(catalogue.services.map(\.id).joined(separator: ", "))"))
        }
        guard from < to else { throw StoreError.invalid(ValidationFailure(field: "to", reason: "must be after from")) }
        guard to.timeIntervalSince(from) <= Double(policy.horizonDays + 1) * 86_400 else {
            throw StoreError.invalid(ValidationFailure(field: "to", reason: "must be at most \(policy.horizonDays) days after from"))
        }
        let now = self.now
        let dirty = calendarCache.takeDirty()
        return try await database.read { db in
            let elder = try Self.elderForBooking(db, elderId)
            var providers = try Self.providers(db).filter { $0.status == .active && $0.serves(elder.regionCode) }
            providers = try Scope.of(db, who).restrict(providers)
            let candidates = try self.candidates(
                db, providers: providers.map(\.institutionId), elderId: elderId, window: TimeSpan(from, to), excluding: nil,
                cached: true, dirty: dirty)
            return Scheduler.availability(
                candidates, service: type, at: try Self.home(db, elderId: elderId), from: from, to: to, now: now, policy: self.policy)
        }
    }

    /// The workers of `providers` with their calendars around `window` and what ranks them for this elder.
    ///
    /// - Parameters:
    ///   - only: just this worker (a booking that names one), instead of every worker of `providers`.
    ///   - cached: read workers through ``WorkerCache`` (availability); writes read their own rows.
    ///   - dirty: read calendars through ``CalendarCache`` (availability), with the booking ids
    ///     changed since the last request, taken before this read transaction began.
    func candidates(
        _ db: Database, providers: [Int64], elderId: Int64, window: TimeSpan, excluding booking: Int64?, only: Int64? = nil,
        cached: Bool = false, dirty: Set<Int64>? = nil
    ) throws -> [SchedulingCandidate] {
        guard !providers.isEmpty else { return [] }
        func load(_ ids: [Int64]) throws -> [ServiceWorker] {
            var sql =
                "SELECT * FROM service_worker WHERE status = 'active' AND provider_id IN (\(ids.map { _ in "?" }.joined(separator: ",")))"
            var arguments = StatementArguments(ids)
            if let only {
                sql += " AND id = ?"
                arguments += [only]
            }
            return try Self.withCertificates(db, try Row.fetchAll(db, sql: sql, arguments: arguments).map(ServiceWorker.init(row:)))
        }
        let workers =
            cached && only == nil
            ? try workerCache.workers(of: providers) { missing in Dictionary(grouping: try load(missing), by: \.providerId) }
            : try load(providers)
        guard !workers.isEmpty else { return [] }
        // Travel to or from a visit up to a day away cannot matter more than the visit itself,
        // and no booking lasts more than a day, which bounds each worker's index range.
        let from = window.start.addingTimeInterval(-86_400).millis, to = window.end.addingTimeInterval(86_400).millis
        var leave: [Int64: [TimeSpan]] = [:]
        var busy: [Int64: [BusySpan]] = [:]
        let marks = providers.map { _ in "?" }.joined(separator: ",")
        let workerFilter =
            only.map { "worker_id = \($0)" }
            ?? "worker_id IN (SELECT id FROM service_worker WHERE status = 'active' AND provider_id IN (\(marks)))"
        let workerArguments = only != nil ? StatementArguments() : StatementArguments(providers)
        for row in try Row.fetchAll(
            db, sql: "SELECT worker_id, start_ms, end_ms FROM worker_leave WHERE \(workerFilter) AND end_ms > ? AND start_ms < ?",
            arguments: workerArguments + [from, to])
        {
            leave[row[0], default: []].append(TimeSpan(Date(millis: row[1]), Date(millis: row[2])))
        }
        var visits: [Int64: Int] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT worker_id, count(*) FROM booking WHERE elder_id = ? AND status = 'completed' GROUP BY worker_id",
            arguments: [elderId])
        {
            if let w: Int64 = row[0] { visits[w] = row[1] }
        }
        var preference: [Int64: WorkerPreference] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT worker_id, preference FROM elder_worker_preference WHERE elder_id = ?", arguments: [elderId])
        {
            preference[row[0]] = WorkerPreference(rawValue: row[1])
        }
        let lowest = from - 86_400_000
        if let dirty, let span = calendarSpan(covering: lowest, to) {
            let calendars = try calendarCache.calendars(
                of: workers.map(\.id), from: lowest, to: to, span: span, dirty: dirty,
                workerOf: { ids in try Self.workers(db, holding: ids) },
                load: { ids, a, b in try Self.calendars(db, workers: ids, from: a, to: b) })
            // Straight into candidates: two thousand workers' dictionaries of spans cost more than the spans.
            return workers.map { w in
                var spans: [BusySpan] = []
                if let calendar = calendars[w.id] {
                    // The read's own bounds, over the calendar ordered by start.
                    var i = CalendarCache.first(in: calendar, startingAfter: lowest)
                    while i < calendar.count, calendar[i].start < to {
                        let held = calendar[i]
                        if held.end > from, held.id != booking {
                            spans.append(BusySpan(TimeSpan(Date(millis: held.start), Date(millis: held.end)), at: held.place))
                        }
                        i += 1
                    }
                }
                return SchedulingCandidate(
                    worker: w, leave: leave[w.id] ?? [], busy: spans, preference: preference[w.id], load: spans.count,
                    visitsWithElder: visits[w.id] ?? 0)
            }
        } else {
            // A cursor, not an array of rows: two thousand workers' fortnight is tens of thousands of visits.
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT worker_id, start_ms, end_ms, latitude, longitude FROM booking
                    WHERE \(workerFilter) AND start_ms > ? AND start_ms < ? AND end_ms > ?
                    AND status IN \(BookingStatus.holdingSQL) AND id != ?
                    """, arguments: workerArguments + [lowest, to, from, booking ?? -1])
            while let row = try rows.next() {
                let lat: Double? = row[3], lon: Double? = row[4]
                let place = lat.flatMap { la in lon.map { Coordinates(latitude: la, longitude: $0) } }
                busy[row[0], default: []].append(BusySpan(TimeSpan(Date(millis: row[1]), Date(millis: row[2])), at: place))
            }
        }
        // Fair load: what each worker already holds around the time asked about.
        let load = busy.mapValues(\.count)
        return workers.map { w in
            SchedulingCandidate(
                worker: w, leave: leave[w.id] ?? [], busy: busy[w.id] ?? [], preference: preference[w.id], load: load[w.id] ?? 0,
                visitsWithElder: visits[w.id] ?? 0)
        }
    }

    /// The `start_ms` range the calendar cache keeps, from three days before today to three days
    /// past the horizon; nil when `from..<to` does not fit in it (such a request reads SQLite).
    func calendarSpan(covering from: Int64, _ to: Int64) -> (from: Int64, to: Int64)? {
        let today = LocalTime.midnight(CalendarDate(date: now)).millis
        let span = (from: today - 3 * 86_400_000, to: today + Int64(policy.horizonDays + 3) * 86_400_000)
        return from >= span.from && to <= span.to ? span : nil
    }

    /// The workers the given bookings hold now.
    static func workers(_ db: Database, holding ids: Set<Int64>) throws -> [Int64: Int64] {
        var found: [Int64: Int64] = [:]
        for part in Array(ids).inParts() {
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT id, worker_id FROM booking WHERE worker_id IS NOT NULL AND id IN (\(part.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments(part))
            {
                found[row[0]] = row[1]
            }
        }
        return found
    }

    /// The holding bookings of `workers` starting in `from..<to`, each worker's by start.
    static func calendars(_ db: Database, workers: [Int64], from: Int64, to: Int64) throws -> [Int64: [CalendarCache.Held]] {
        var calendars: [Int64: [CalendarCache.Held]] = [:]
        for part in workers.inParts() {
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, worker_id, start_ms, end_ms, latitude, longitude FROM booking
                    WHERE worker_id IN (\(part.map { _ in "?" }.joined(separator: ","))) AND start_ms > ? AND start_ms < ?
                    AND status IN \(BookingStatus.holdingSQL) ORDER BY worker_id, start_ms
                    """, arguments: StatementArguments(part) + [from, to])
            while let row = try rows.next() {
                let lat: Double? = row[4], lon: Double? = row[5]
                let place = lat.flatMap { la in lon.map { Coordinates(latitude: la, longitude: $0) } }
                calendars[row[1], default: []].append(CalendarCache.Held(id: row[0], start: row[2], end: row[3], place: place))
            }
        }
        return calendars
    }

    static func elderForBooking(_ db: Database, _ id: Int64) throws -> Elder {
        let elder: Elder
        do {
            elder = try RegistryStore.elder(db, id: id)
        } catch StoreError.notFound {
            throw StoreError.invalid(ValidationFailure(field: "elderId", reason: "names no elder"))
        }
        guard elder.status == .active else {
            throw StoreError.invalid(ValidationFailure(field: "elderId", reason: "names an elder who is no longer active"))
        }
        return elder
    }

    // MARK: - Creating

    /// Books a service (or a series) in one write transaction: the worker is chosen, and the
    /// choice checked, with every other write waiting, and the database's overlap trigger refuses
    /// anything that would still double-book. A request with an `idempotencyKey` already answered
    /// gets that answer again (`replayed`), and nothing new is made.
    public func create(
        _ request: NewBooking, idempotencyKey: String?, by who: Principal
    ) async throws -> (result: BookingResult, replayed: Bool) {
        let now = self.now
        let service = try request.validate(catalogue: catalogue, policy: policy, now: now)
        let key = idempotencyKey.map { "\(who.accountId ?? 0):\($0)" }
        return try await database.write { db in
            if let key, let answer = try String.fetchOne(db, sql: "SELECT answer FROM booking_request WHERE key = ?", arguments: [key]),
                let result = JSONColumn.decode(BookingResult.self, answer)
            {
                return (result, true)
            }
            let result = try self.book(db, request, service: service, now: now, by: who)
            if let key {
                try db.execute(
                    sql: "INSERT INTO booking_request (key, answer, created_at) VALUES (?, ?, ?)",
                    arguments: [key, JSONColumn.encode(result), SQLText.time(now)])
            }
            return (result, false)
        }
    }

    private func book(_ db: Database, _ request: NewBooking, service: ServiceType, now: Date, by who: Principal) throws -> BookingResult {
        let elder = try Self.elderForBooking(db, request.elderId)
        let scope = try Scope.of(db, who)
        var providers = try Self.providers(db).filter { $0.status == .active && $0.serves(elder.regionCode) }
        providers = scope.restrict(providers)
        if let wanted = request.providerId {
            providers = providers.filter { $0.institutionId == wanted }
            guard !providers.isEmpty else {
                throw StoreError.invalid(ValidationFailure(field: "providerId", reason: "is not a provider serving the elder's region"))
            }
        }
        guard !providers.isEmpty else { throw StoreError.conflict(reason: "no provider serves the elder's region (\(elder.regionCode))") }
        let starts = request.recurrence?.starts(from: request.start) ?? [request.start]
        let spans = starts.map { TimeSpan($0, $0.addingTimeInterval(service.duration)) }
        let window = TimeSpan(spans.first!.start, spans.last!.end)
        var candidates = try candidates(
            db, providers: providers.map(\.institutionId), elderId: elder.id, window: window, excluding: nil,
            only: request.leaveToProvider == true ? nil : request.workerId)
        let home = try Self.home(db, elderId: elder.id)
        if let wanted = request.workerId, !candidates.contains(where: { $0.worker.id == wanted }) {
            throw StoreError.invalid(ValidationFailure(field: "workerId", reason: "names no active worker of a provider serving the elder"))
        }

        // Choose every occurrence's worker first; the series is checked as a whole.
        var chosen: [(span: TimeSpan, worker: ServiceWorker?, provider: Int64)] = []
        var conflicts: [BookingConflict] = []
        var seriesWorker: Int64? = nil
        for span in spans {
            if request.leaveToProvider == true, let provider = request.providerId {
                chosen.append((span, nil, provider))
                continue
            }
            switch pick(candidates, service: service, span: span, home: home, wanted: request.workerId, usual: seriesWorker) {
            case .success(let index):
                let worker = candidates[index].worker
                candidates[index].busy.append(BusySpan(span, at: home))
                seriesWorker = seriesWorker ?? worker.id
                chosen.append((span, worker, worker.providerId))
            case .failure(let reason):
                conflicts.append(BookingConflict(start: span.start, reason: reason.text))
            }
        }
        if !conflicts.isEmpty && (request.skipConflicts != true || chosen.isEmpty) {
            let list = conflicts.map { "\(Self.local($0.start)): \($0.reason)" }.joined(separator: "; ")
            throw StoreError.conflict(
                reason: spans.count == 1
                    ? conflicts[0].reason
                    : "\(conflicts.count) of the series' \(spans.count) bookings cannot be made (\(list)); nothing was booked. Send skipConflicts to book the rest"
            )
        }

        let stamp = SQLText.time(now)
        var made: [Booking] = []
        for c in chosen {
            let status: BookingStatus = c.worker == nil ? .requested : .confirmed
            let (deadline, reminded) = deadline(start: c.span.start, now: now)
            try Self.refusingDoubleBooking(worker: c.worker?.id) {
                try db.execute(
                    sql: """
                        INSERT INTO booking (elder_id, service, provider_id, worker_id, start_ms, end_ms, latitude, longitude, status,
                        series_id, note, deadline_ms, reminded, version, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                        """,
                    arguments: [
                        elder.id, service.id, c.provider, c.worker?.id, c.span.start.millis, c.span.end.millis, home?.latitude,
                        home?.longitude, status.rawValue, made.first?.id, request.note, deadline, reminded, stamp, stamp,
                    ])
            }
            let id = db.lastInsertedRowID
            let b = Booking(
                id: id, elderId: elder.id, service: service.id, providerId: c.provider, workerId: c.worker?.id, start: c.span.start,
                end: c.span.end, status: status, seriesId: spans.count > 1 ? (made.first?.id ?? id) : nil, note: request.note,
                cancelReason: nil, version: 1, createdAt: now, updatedAt: now)
            made.append(b)
            try database.audit(db, who, "create", "booking", String(id))
            try logChange(db, b, "created", now: now)
            if let worker = c.worker {
                try tell(
                    db,
                    OutboxEntry(
                        topic: .workerAssigned, key: "booking:\(id):worker:\(worker.id)", elderId: elder.id,
                        payload: payload(b, worker: worker.name)),
                    at: stamp)
            }
        }
        if spans.count > 1, let first = made.first {
            try db.execute(sql: "UPDATE booking SET series_id = ? WHERE id = ?", arguments: [first.id, first.id])
        }
        // A meal is cooked for the elder's allergies: the archive says which, when the elder shares it.
        if service.record == .meal, let first = made.first {
            let needs =
                try database.bus.ask(
                    db, FoodAllergiesOf(elderId: elder.id, askedBy: who, reason: "meal booking \(first.id)"), as: [String].self)
                ?? []
            try db.execute(
                sql: "UPDATE booking SET dietary_needs = ? WHERE id >= ? AND id <= ?",
                arguments: [JSONColumn.encode(needs), first.id, made.last!.id])
            for i in made.indices { made[i].dietaryNeeds = needs }
        }
        if let id = request.serviceRequestId, let first = made.first {
            try answer(db, serviceRequest: id, with: first, by: who, now: now)
        }
        // One confirmation for the request, naming the first visit and how many there are.
        if let first = made.first {
            var p = payload(first)
            if made.count > 1 { p["count"] = String(made.count) }
            try tell(
                db, OutboxEntry(topic: .bookingConfirmed, key: "booking:\(first.id):confirmed", elderId: elder.id, payload: p), at: stamp)
        }
        return BookingResult(bookings: made, conflicts: conflicts)
    }

    struct Refusal: Error { var text: String }

    /// The worker for one occurrence: the one asked for, if qualified and free; else the series'
    /// worker, if free; else the best ranked.
    private func pick(
        _ candidates: [SchedulingCandidate], service: ServiceType, span: TimeSpan, home: Coordinates?, wanted: Int64?, usual: Int64?
    ) -> Result<Int, Refusal> {
        let day = CalendarDate(date: span.start)
        if let wanted, let i = candidates.firstIndex(where: { $0.worker.id == wanted }) {
            let c = candidates[i]
            if c.preference == .refused { return .failure(Refusal(text: "the elder has refused worker \(wanted)")) }
            if !c.worker.skills.contains(service.skill) {
                return .failure(Refusal(text: "worker \(wanted) lacks the skill \(service.skill)"))
            }
            if !c.worker.isQualified(for: service, on: day) {
                return .failure(Refusal(text: "worker \(wanted) holds no \(service.certificate ?? "") certificate valid on \(day)"))
            }
            if !Scheduler.isFree(c, for: span, at: home, policy: policy) {
                return .failure(
                    Refusal(text: "worker \(wanted) is not free at \(Self.local(span.start)) (booked, on leave, off duty or travelling)"))
            }
            return .success(i)
        }
        let ranked = Scheduler.ranked(candidates, service: service, span: span, at: home, policy: policy)
        let best = ranked.first { $0.worker.id == usual } ?? ranked.first
        guard let best, let i = candidates.firstIndex(where: { $0.worker.id == best.worker.id }) else {
            return .failure(Refusal(text: "no qualified worker is free at \(Self.local(span.start))"))
        }
        return .success(i)
    }

    /// `2026-12-08 09:00` in local time, for refusals people read.
    static func local(_ date: Date) -> String { "\(CalendarDate(date: date)) \(LocalTime.clock(date))" }

    // MARK: - Changing

    /// Moves a booking, keeping its worker when they are free at the new time and otherwise
    /// choosing another; refused after the cut-off.
    public func reschedule(_ id: Int64, to start: Date, expectedVersion: Int?, by who: Principal) async throws -> Booking {
        let now = self.now
        return try await database.write { db in
            var b = try Self.booking(db, id: id, scope: try Scope.of(db, who))
            try Self.check(b, expectedVersion)
            guard b.status.isPending else { throw StoreError.conflict(reason: "a \(b.status.rawValue) booking cannot be moved") }
            if let reason = CancellationRules.reschedule(start: b.start, to: start, now: now, policy: self.policy) {
                throw StoreError.conflict(reason: reason)
            }
            guard let service = self.catalogue[b.service] else {
                throw StoreError.conflict(reason: "the service \(b.service) is no longer offered")
            }
            let span = TimeSpan(start, start.addingTimeInterval(service.duration))
            let previous = b.workerId
            if b.workerId != nil {
                let candidates = try self.candidates(db, providers: [b.providerId], elderId: b.elderId, window: span, excluding: b.id)
                let home = try Self.home(db, elderId: b.elderId)
                switch self.pick(candidates, service: service, span: span, home: home, wanted: nil, usual: b.workerId) {
                case .success(let i): b.workerId = candidates[i].worker.id
                case .failure(let r): throw StoreError.conflict(reason: r.text)
                }
            }
            b.start = span.start
            b.end = span.end
            let (deadline, reminded) = self.deadline(start: b.start, now: now)
            try Self.refusingDoubleBooking(worker: b.workerId) {
                try Self.save(db, b, deadline: deadline, reminded: reminded, stamp: SQLText.time(now))
            }
            b = try Self.booking(db, id: id)
            try self.database.audit(
                db, who, "reschedule", "booking", String(id), fields: ["start", "end"] + (previous != b.workerId ? ["workerId"] : []))
            try self.logChange(db, b, "rescheduled", now: now)
            let stamp = SQLText.time(now)
            try self.tell(
                db,
                OutboxEntry(
                    topic: .bookingConfirmed, key: "booking:\(id):confirmed:v\(b.version)", elderId: b.elderId, payload: self.payload(b)),
                at: stamp)
            if let w = b.workerId, w != previous {
                let name = try String.fetchOne(db, sql: "SELECT name FROM service_worker WHERE id = ?", arguments: [w])
                try self.tell(
                    db,
                    OutboxEntry(
                        topic: .workerAssigned, key: "booking:\(id):worker:\(w):v\(b.version)", elderId: b.elderId,
                        payload: self.payload(b, worker: name)),
                    at: stamp)
            }
            return b
        }
    }

    /// Cancels a booking: free before the cut-off, late (and billable) after it.
    public func cancel(_ id: Int64, reason: String, expectedVersion: Int?, by who: Principal) async throws -> Booking {
        let now = self.now
        var v = Validator()
        v.checkText(reason, "reason", maxLength: 500)
        try v.finish()
        return try await database.write { db in
            var b = try Self.booking(db, id: id, scope: try Scope.of(db, who))
            try Self.check(b, expectedVersion)
            guard b.status.isPending else { throw StoreError.conflict(reason: "a \(b.status.rawValue) booking cannot be cancelled") }
            switch CancellationRules.cancel(start: b.start, now: now, policy: self.policy) {
            case .refused(let why): throw StoreError.conflict(reason: why)
            case .cancelled: b.status = .cancelled
            case .late: b.status = .lateCancelled
            }
            b.cancelReason = reason
            try Self.save(db, b, deadline: nil, reminded: true, stamp: SQLText.time(now))
            b = try Self.booking(db, id: id)
            try self.database.audit(db, who, "cancel", "booking", String(id), fields: ["status"])
            try self.logChange(db, b, b.status.rawValue, now: now)
            if b.status == .lateCancelled { try self.logBillable(db, self.billable(db, .lateCancellation, b, at: now)) }
            return b
        }
    }

    /// Assigns (or reassigns) a worker: the provider's choice for a `requested` booking.
    public func assign(_ id: Int64, worker workerId: Int64, expectedVersion: Int?, by who: Principal) async throws -> Booking {
        let now = self.now
        return try await database.write { db in
            var b = try Self.booking(db, id: id, scope: try Scope.of(db, who))
            try Self.check(b, expectedVersion)
            guard b.status.isPending else { throw StoreError.conflict(reason: "a \(b.status.rawValue) booking cannot be assigned") }
            guard now < b.start else { throw StoreError.conflict(reason: "the visit has already started") }
            guard let service = self.catalogue[b.service] else {
                throw StoreError.conflict(reason: "the service \(b.service) is no longer offered")
            }
            let candidates = try self.candidates(
                db, providers: [b.providerId], elderId: b.elderId, window: b.span, excluding: b.id, only: workerId)
            guard candidates.contains(where: { $0.worker.id == workerId }) else {
                throw StoreError.invalid(ValidationFailure(field: "workerId", reason: "names no active worker of the booking's provider"))
            }
            switch self.pick(
                candidates, service: service, span: b.span, home: try Self.home(db, elderId: b.elderId), wanted: workerId, usual: nil)
            {
            case .success: break
            case .failure(let r): throw StoreError.conflict(reason: r.text)
            }
            b.workerId = workerId
            b.status = .confirmed
            let (deadline, reminded) = self.deadline(start: b.start, now: now)
            try Self.refusingDoubleBooking(worker: workerId) {
                try Self.save(db, b, deadline: deadline, reminded: reminded, stamp: SQLText.time(now))
            }
            b = try Self.booking(db, id: id)
            try self.database.audit(db, who, "assign", "booking", String(id), fields: ["workerId", "status"])
            try self.logChange(db, b, "assigned", now: now)
            let name = try String.fetchOne(db, sql: "SELECT name FROM service_worker WHERE id = ?", arguments: [workerId])
            try self.tell(
                db,
                OutboxEntry(
                    topic: .workerAssigned, key: "booking:\(id):worker:\(workerId):v\(b.version)", elderId: b.elderId,
                    payload: self.payload(b, worker: name)),
                at: SQLText.time(now))
            return b
        }
    }

    static func check(_ b: Booking, _ expected: Int?) throws {
        if let expected, expected != b.version {
            throw StoreError.versionMismatch(entity: "booking", id: String(b.id), expected: expected, current: b.version)
        }
    }

    // MARK: - Reading

    public func booking(id: Int64, by who: Principal) async throws -> Booking {
        try await database.read { db in try Self.booking(db, id: id, scope: try Scope.of(db, who)) }
    }

    /// Bookings by start time (then id), filtered; a provider sees its own, a worker theirs.
    public func bookings(_ filter: BookingFilter, by who: Principal, page: PageRequest) async throws -> Page<Booking> {
        try await database.read { db in
            var q = SQLQuery("SELECT * FROM booking")
            switch try Scope.of(db, who) {
            case .provider(let p): q.where("provider_id = ?", p)
            case .worker(let w): q.where("worker_id = ?", w)
            case .nothing: q.where("0")
            case .all: break
            }
            if let e = filter.elderId { q.where("elder_id = ?", e) }
            if let w = filter.workerId { q.where("worker_id = ?", w) }
            if let p = filter.providerId { q.where("provider_id = ?", p) }
            if let s = filter.status { q.where("status = ?", s.rawValue) }
            if let f = filter.from { q.where("end_ms > ?", f.millis) }
            if let t = filter.to { q.where("start_ms < ?", t.millis) }
            if let after = page.after {
                let parts = after.split(separator: ":")
                if parts.count == 2, let s = Int64(parts[0]), let i = Int64(parts[1]) {
                    q.where("(start_ms > ? OR (start_ms = ? AND id > ?))", s, s, i)
                }
            }
            q.suffix("ORDER BY start_ms, id LIMIT ?", page.limit + 1)
            return Page.from(try q.fetchAll(db).map(Booking.init(row:)), limit: page.limit) { "\($0.start.millis):\($0.id)" }
        }
    }

    /// Pairs of bookings holding one worker at overlapping times, over the whole table: none, ever.
    public func overlappingBookings() async throws -> [(Int64, Int64)] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, b.id FROM booking a JOIN booking b ON a.worker_id = b.worker_id AND a.id < b.id
                    AND a.start_ms < b.end_ms AND b.start_ms < a.end_ms
                    WHERE a.status IN \(BookingStatus.holdingSQL) AND b.status IN \(BookingStatus.holdingSQL)
                    """
            ).map { ($0[0], $0[1]) }
        }
    }
}
