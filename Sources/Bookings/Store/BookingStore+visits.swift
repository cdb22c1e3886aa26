import CareModel
import CareStore
import Foundation
internal import GRDB

extension BookingStore {
    // MARK: - At the door

    /// The worker arrives: within the radius of the elder's home, no sooner than an hour before
    /// the start. A visit marked missed can still be checked in (the worker came late).
    public func checkIn(_ id: Int64, _ check: VisitCheck, by who: Principal) async throws -> Visit {
        let now = self.now
        return try await database.write { db in
            var b = try self.ownVisit(db, id, who)
            guard let service = self.catalogue[b.service] else {
                throw StoreError.conflict(reason: "the service \(b.service) is no longer offered")
            }
            try check.validate(record: service.record, checkingOut: false)
            guard b.status == .confirmed || b.status == .missed else {
                throw StoreError.conflict(reason: "a \(b.status.rawValue) booking cannot be checked in")
            }
            guard now >= b.start.addingTimeInterval(-3600) else {
                throw StoreError.conflict(reason: "check-in opens an hour before the start (\(Self.local(b.start)))")
            }
            let distance = try self.distance(db, b, check.place, field: "place")
            try db.execute(
                sql: """
                    INSERT INTO visit (booking_id, check_in_ms, check_in_latitude, check_in_longitude, check_in_distance_m, notes, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [b.id, now.millis, check.place.latitude, check.place.longitude, distance, check.notes, SQLText.time(now)])
            b.status = .inProgress
            try Self.save(db, b, deadline: nil, reminded: true, stamp: SQLText.time(now))
            try self.database.audit(db, who, "check_in", "visit", String(id))
            try self.logChange(db, try Self.booking(db, id: id), "checked_in", now: now)
            return try Self.visit(db, id)
        }
    }

    /// The worker leaves: the visit is complete, and verified when both places were within the
    /// radius of a known home. A verified visit, a delivered meal or a shopping receipt is a
    /// billable event; a meal nobody opened the door for is a welfare concern, published in the
    /// same transaction for Emergency to open a call on (``WelfareConcern``).
    public func checkOut(_ id: Int64, _ check: VisitCheck, by who: Principal) async throws -> Visit {
        let now = self.now
        return try await database.write { db -> Visit in
            var b = try self.ownVisit(db, id, who)
            guard let service = self.catalogue[b.service] else {
                throw StoreError.conflict(reason: "the service \(b.service) is no longer offered")
            }
            try check.validate(record: service.record, checkingOut: true)
            guard b.status == .inProgress else { throw StoreError.conflict(reason: "a \(b.status.rawValue) booking cannot be checked out") }
            let distance = try self.distance(db, b, check.place, field: "place")
            let inDistance = try Int.fetchOne(db, sql: "SELECT check_in_distance_m FROM visit WHERE booking_id = ?", arguments: [id])
            let verified = distance != nil && inDistance != nil
            try db.execute(
                sql: """
                    UPDATE visit SET check_out_ms = ?, check_out_latitude = ?, check_out_longitude = ?, check_out_distance_m = ?,
                    verified = ?, notes = coalesce(?, notes), meal_delivered = ?, shopping = ?, updated_at = ? WHERE booking_id = ?
                    """,
                arguments: [
                    now.millis, check.place.latitude, check.place.longitude, distance, verified, check.notes, check.meal?.delivered,
                    check.shopping.map(JSONColumn.encode), SQLText.time(now), id,
                ])
            b.status = .completed
            try Self.save(db, b, deadline: nil, reminded: true, stamp: SQLText.time(now))
            try self.database.audit(db, who, "check_out", "visit", String(id))
            try self.logChange(db, try Self.booking(db, id: id), "checked_out", now: now)
            let v = try Self.visit(db, id)
            if verified { try self.logVerified(db, b, v, now: now) }
            if check.meal?.delivered == false {
                try self.database.bus.publish(
                    db,
                    WelfareConcern(elderId: b.elderId, bookingId: b.id, at: now, detail: "送餐时无人开门 (meal delivery: nobody opened the door)"))
            }
            return v
        }
    }

    /// Nobody opened the door: recorded at the door, within the radius, and billable as the rules say.
    public func recordNoShow(_ id: Int64, _ check: VisitCheck, by who: Principal) async throws -> Booking {
        let now = self.now
        return try await database.write { db in
            var b = try self.ownVisit(db, id, who)
            try check.validate(record: .visit, checkingOut: false)
            guard b.status == .confirmed || b.status == .missed else {
                throw StoreError.conflict(reason: "a \(b.status.rawValue) booking cannot be recorded as a no-show")
            }
            guard now >= b.start else { throw StoreError.conflict(reason: "a no-show can be recorded only once the visit was due") }
            let distance = try self.distance(db, b, check.place, field: "place")
            try db.execute(
                sql: """
                    INSERT INTO visit (booking_id, check_in_ms, check_in_latitude, check_in_longitude, check_in_distance_m, notes, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [b.id, now.millis, check.place.latitude, check.place.longitude, distance, check.notes, SQLText.time(now)])
            b.status = .noShow
            try Self.refusingDoubleBooking(worker: b.workerId) {
                try Self.save(db, b, deadline: nil, reminded: true, stamp: SQLText.time(now))
            }
            let saved = try Self.booking(db, id: id)
            try self.database.audit(db, who, "no_show", "visit", String(id))
            try self.logChange(db, saved, "no_show", now: now)
            try self.logBillable(db, self.billable(db, .noShow, saved, at: now))
            return saved
        }
    }

    /// A manual correction by staff: only with a reason, kept in the visit's history. A
    /// correction that verifies the visit makes it billable, once.
    public func correct(_ id: Int64, _ request: VisitCorrectionRequest, by who: Principal) async throws -> Visit {
        try request.validate()
        let now = self.now
        return try await database.write { db in
            var b = try Self.booking(db, id: id, scope: try Scope.of(db, who))
            guard b.workerId != nil, [.inProgress, .completed, .missed].contains(b.status) else {
                throw StoreError.conflict(reason: "only a visit that was started, completed or missed can be corrected")
            }
            let before = try Row.fetchOne(db, sql: "SELECT * FROM visit WHERE booking_id = ?", arguments: [id])
            if before == nil {
                try db.execute(sql: "INSERT INTO visit (booking_id, updated_at) VALUES (?, ?)", arguments: [id, SQLText.time(now)])
            }
            let wasVerified = (before?["verified"] as Bool?) ?? false
            let oldIn: Int64? = before?["check_in_ms"], oldOut: Int64? = before?["check_out_ms"]
            var changes: [String] = []
            func show(_ ms: Int64?) -> String { ms.map { ISO8601DateFormatter().string(from: Date(millis: $0)) } ?? "none" }
            if let t = request.checkInAt { changes.append("checkInAt: \(show(oldIn)) → \(show(t.millis))") }
            if let t = request.checkOutAt { changes.append("checkOutAt: \(show(oldOut)) → \(show(t.millis))") }
            if let v = request.verified, v != wasVerified { changes.append("verified: \(wasVerified) → \(v)") }
            let newIn = request.checkInAt?.millis ?? oldIn, newOut = request.checkOutAt?.millis ?? oldOut
            if let i = newIn, let o = newOut, i >= o {
                throw StoreError.invalid(ValidationFailure(field: "checkOutAt", reason: "must be after checkInAt"))
            }
            let verified = (request.verified ?? wasVerified) && newIn != nil && newOut != nil
            try db.execute(
                sql: "UPDATE visit SET check_in_ms = ?, check_out_ms = ?, verified = ?, updated_at = ? WHERE booking_id = ?",
                arguments: [newIn, newOut, verified, SQLText.time(now), id])
            try db.execute(
                sql: "INSERT INTO visit_correction (booking_id, at, by, reason, changes) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, SQLText.time(now), who.name, request.reason, JSONColumn.encode(changes)])
            if newOut != nil, b.status != .completed {
                b.status = .completed
                try Self.refusingDoubleBooking(worker: b.workerId) {
                    try Self.save(db, b, deadline: nil, reminded: true, stamp: SQLText.time(now))
                }
            }
            try self.database.audit(db, who, "correct", "visit", String(id), fields: ["checkInAt", "checkOutAt", "verified"])
            try self.logChange(db, try Self.booking(db, id: id), "corrected", now: now)
            let v = try Self.visit(db, id)
            if verified && !wasVerified { try self.logVerified(db, b, v, now: now) }
            return v
        }
    }

    /// The elder's or family's rating and complaint.
    public func feedback(_ id: Int64, _ feedback: VisitFeedback, by who: Principal) async throws -> Visit {
        try feedback.validate()
        let now = self.now
        return try await database.write { db in
            let b = try Self.booking(db, id: id, scope: try Scope.of(db, who))
            guard [.completed, .missed, .noShow].contains(b.status) else {
                throw StoreError.conflict(reason: "feedback is for a visit that happened or was missed")
            }
            try db.execute(sql: "INSERT OR IGNORE INTO visit (booking_id, updated_at) VALUES (?, ?)", arguments: [id, SQLText.time(now)])
            try db.execute(
                sql:
                    "UPDATE visit SET rating = coalesce(?, rating), complaint = coalesce(?, complaint), updated_at = ? WHERE booking_id = ?",
                arguments: [feedback.rating, feedback.complaint, SQLText.time(now), id])
            try self.database.audit(
                db, who, "feedback", "visit", String(id), fields: feedback.complaint != nil ? ["rating", "complaint"] : ["rating"])
            if let complaint = feedback.complaint {
                var p = self.payload(b)
                p["complaint"] = complaint
                // Keyed by the time of the feedback, so a later complaint about the same visit is told too.
                try self.tell(
                    db,
                    OutboxEntry(
                        topic: .complaintReceived, key: "visit:\(id):complaint:\(now.millis)", elderId: b.elderId, payload: p),
                    at: SQLText.time(now))
            }
            return try Self.visit(db, id)
        }
    }

    public func visit(_ id: Int64, by who: Principal) async throws -> Visit {
        try await database.read { db in
            _ = try Self.booking(db, id: id, scope: try Scope.of(db, who))
            return try Self.visit(db, id)
        }
    }

    // MARK: - Deadlines

    /// One pass over the due deadlines: reminders the day before, and visits not checked in
    /// within the grace period marked missed, the provider and family told. Deadlines are
    /// columns, so a restart loses none; returns the bookings marked missed.
    @discardableResult
    public func sweepDeadlines(now: Date, limit: Int = 200) async throws -> [Int64] {
        try await database.write { db in
            let stamp = SQLText.time(now)
            var missed: [Int64] = []
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM booking WHERE deadline_ms IS NOT NULL AND deadline_ms <= ? ORDER BY deadline_ms LIMIT ?",
                arguments: [now.millis, limit])
            for row in rows {
                var b = Booking(row: row)
                let reminded: Bool = row["reminded"]
                guard b.status.isPending else {
                    try db.execute(sql: "UPDATE booking SET deadline_ms = NULL WHERE id = ?", arguments: [b.id])
                    continue
                }
                let grace = b.start.addingTimeInterval(Double(self.policy.missedGraceMinutes * 60))
                if !reminded && now < b.start {
                    try db.execute(
                        sql: "UPDATE booking SET reminded = 1, deadline_ms = ? WHERE id = ?", arguments: [grace.millis, b.id])
                    try self.tell(
                        db,
                        OutboxEntry(
                            topic: .bookingReminder, key: "booking:\(b.id):reminder:\(b.start.millis)", elderId: b.elderId,
                            payload: self.payload(b)),
                        at: stamp)
                    continue
                }
                guard now >= grace else {
                    try db.execute(sql: "UPDATE booking SET reminded = 1, deadline_ms = ? WHERE id = ?", arguments: [grace.millis, b.id])
                    continue
                }
                b.status = .missed
                try Self.save(db, b, deadline: nil, reminded: true, stamp: stamp)
                try self.database.audit(db, .system, "missed", "booking", String(b.id))
                let saved = try Self.booking(db, id: b.id)
                try self.logChange(db, saved, "missed", now: now)
                try self.tell(
                    db, OutboxEntry(topic: .visitMissed, key: "booking:\(b.id):missed", elderId: b.elderId, payload: self.payload(saved)),
                    at: stamp)
                missed.append(b.id)
            }
            return missed
        }
    }

    // MARK: - Helpers

    /// A booking assigned to the calling worker (staff may act on any, for the phone that broke).
    func ownVisit(_ db: Database, _ id: Int64, _ who: Principal) throws -> Booking {
        let b = try Self.booking(db, id: id, scope: try Scope.of(db, who))
        guard b.workerId != nil else { throw StoreError.conflict(reason: "the booking has no worker assigned yet") }
        return b
    }

    /// Metres from the elder's home; refused beyond the radius; nil when the home is unknown.
    func distance(_ db: Database, _ b: Booking, _ place: Coordinates, field: String) throws -> Int? {
        guard let home = try Self.home(db, elderId: b.elderId) else { return nil }
        let metres = Int(Geo.distanceMeters(home, place).rounded())
        if metres > policy.checkInRadiusMeters {
            throw StoreError.invalid(
                ValidationFailure(
                    field: field, reason: "is \(metres) m from the elder's home; check in and out within \(policy.checkInRadiusMeters) m"))
        }
        return metres
    }

    func billable(
        _ db: Database, _ kind: BillableEvent.Kind, _ b: Booking, at now: Date, minutes: Int? = nil, amount: Int64? = nil
    ) throws
        -> BillableEvent
    {
        let volunteer = try b.workerId.map {
            try String.fetchOne(db, sql: "SELECT volunteer_group FROM service_worker WHERE id = ?", arguments: [$0]) != nil
        }
        return BillableEvent(
            kind: kind, bookingId: b.id, service: b.service, tariff: catalogue[b.service]?.tariff ?? b.service,
            providerId: b.providerId, elderId: b.elderId, workerId: b.workerId, volunteer: volunteer ?? false, start: b.start,
            end: b.end, minutes: minutes, amountFen: amount, at: now)
    }

    /// The billable event a verified visit is, by what the service records.
    func logVerified(_ db: Database, _ b: Booking, _ v: Visit, now: Date) throws {
        let minutes = v.checkInAt.flatMap { i in v.checkOutAt.map { Int(($0.timeIntervalSince(i) / 60).rounded()) } }
        switch catalogue[b.service]?.record ?? .visit {
        case .visit: try logBillable(db, billable(db, .visitVerified, b, at: now, minutes: minutes))
        case .meal: if v.meal?.delivered == true { try logBillable(db, billable(db, .mealDelivered, b, at: now, minutes: minutes)) }
        case .shopping:
            try logBillable(db, billable(db, .shoppingReceipt, b, at: now, minutes: minutes, amount: v.shopping?.amountFen ?? 0))
        }
    }

    static func visit(_ db: Database, _ id: Int64) throws -> Visit {
        let b = try booking(db, id: id)
        let row = try Row.fetchOne(db, sql: "SELECT * FROM visit WHERE booking_id = ?", arguments: [id])
        func place(_ prefix: String) -> Coordinates? {
            guard let row, let lat: Double = row[prefix + "_latitude"], let lon: Double = row[prefix + "_longitude"] else { return nil }
            return Coordinates(latitude: lat, longitude: lon)
        }
        let history = try Row.fetchAll(db, sql: "SELECT * FROM visit_correction WHERE booking_id = ? ORDER BY id", arguments: [id]).map {
            VisitCorrection(
                at: SQLText.date(fromTimeText: $0["at"]) ?? Date(timeIntervalSince1970: 0), by: $0["by"], reason: $0["reason"],
                changes: JSONColumn.decode([String].self, $0["changes"]) ?? [])
        }
        let delivered: Bool? = row?["meal_delivered"]
        return Visit(
            bookingId: id, service: b.service, elderId: b.elderId, workerId: b.workerId ?? 0, providerId: b.providerId,
            date: CalendarDate(date: b.start), status: b.status, checkInAt: (row?["check_in_ms"] as Int64?).map(Date.init(millis:)),
            checkInPlace: place("check_in"), checkInDistanceMeters: row?["check_in_distance_m"],
            checkOutAt: (row?["check_out_ms"] as Int64?).map(Date.init(millis:)), checkOutPlace: place("check_out"),
            checkOutDistanceMeters: row?["check_out_distance_m"], verified: row?["verified"] ?? false, notes: row?["notes"],
            rating: row?["rating"], complaint: row?["complaint"], meal: delivered.map { MealDelivery(delivered: $0) },
            shopping: JSONColumn.decode(ShoppingReceipt.self, row?["shopping"]), history: history)
    }
}

extension Principal {
    /// The platform itself acting on a deadline.
    static let system = Principal(accountId: nil, name: "eldercare-bookings", role: .admin)
}

extension BookingStore {
    /// How many deadlines are due at `now`.
    func dueCount(now: Date) async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM booking WHERE deadline_ms IS NOT NULL AND deadline_ms <= ?", arguments: [now.millis]) ?? 0
        }
    }
}

extension BookingStore {
    /// The worker sets out: the elder (or their first contact) is told.
    public func onTheWay(_ id: Int64, by who: Principal) async throws -> Booking {
        let now = self.now
        return try await database.write { db in
            let b = try self.ownVisit(db, id, who)
            guard b.status == .confirmed else { throw StoreError.conflict(reason: "a \(b.status.rawValue) booking has no trip to start") }
            guard now >= b.start.addingTimeInterval(-3 * 3600) else {
                throw StoreError.conflict(reason: "it is more than three hours before the visit (\(Self.local(b.start)))")
            }
            let name = try String.fetchOne(db, sql: "SELECT name FROM service_worker WHERE id = ?", arguments: [b.workerId])
            try self.tell(
                db,
                OutboxEntry(
                    topic: .workerOnTheWay, key: "booking:\(id):on-the-way", elderId: b.elderId, payload: self.payload(b, worker: name)),
                at: SQLText.time(now))
            try self.database.audit(db, who, "on_the_way", "visit", String(id))
            return b
        }
    }

    /// Certificates that expire within the warning period and whose provider has not been told:
    /// one message each, once. Returns how many were found.
    @discardableResult
    public func warnExpiringCertificates(now: Date) async throws -> Int {
        let today = CalendarDate(date: now)
        let until = CalendarDate(daysSinceEpoch: today.daysSinceEpoch + policy.certificateWarningDays)
        // A read first: on most passes there is nothing to report and no write is needed.
        let any = try await database.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM worker_certificate WHERE warned_at IS NULL AND expires_on <= ? AND expires_on >= ? LIMIT 1",
                arguments: [until.description, today.description]) ?? false
        }
        guard any else { return 0 }
        return try await database.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.kind, c.expires_on, w.name, w.provider_id FROM worker_certificate c JOIN service_worker w ON w.id = c.worker_id
                    WHERE c.warned_at IS NULL AND c.expires_on <= ? AND c.expires_on >= ? AND w.status = 'active' LIMIT 500
                    """, arguments: [until.description, today.description])
            let stamp = SQLText.time(now)
            for row in rows {
                let id: Int64 = row["id"], provider: Int64 = row["provider_id"]
                try self.tell(
                    db,
                    OutboxEntry(
                        topic: .certificateExpiring, key: "certificate:\(id):expiring", elderId: nil,
                        payload: [
                            "providerId": String(provider), "worker": row["name"], "certificate": row["kind"],
                            "expiresOn": row["expires_on"],
                        ]),
                    at: stamp)
                try db.execute(sql: "UPDATE worker_certificate SET warned_at = ? WHERE id = ?", arguments: [stamp, id])
            }
            return rows.count
        }
    }
}
