import CareModel
import CareStore
import Foundation
internal import GRDB

extension BookingStore {
    /// Puts every green-key press on the worklist, in the intake's transaction, so a press the
    /// device was told was received is never missing from it. Registered when the store is made.
    func acceptServiceRequests() {
        database.bus.subscribe(ServiceRequested.self) { db, press in
            try db.cachedStatement(
                sql: "INSERT INTO home_service_request (elder_id, call_id, device_id, requested_at) VALUES (?, ?, ?, ?)"
            ).execute(arguments: [press.elderId, press.callId, press.deviceId, SQLText.time(press.at)])
        }
    }

    /// The worklist, oldest first: operators see every request, a provider those of elders in the
    /// regions it serves.
    public func serviceRequests(
        status: HomeServiceRequestStatus?, call: Int64? = nil, by who: Principal, page: PageRequest
    ) async throws -> Page<HomeServiceRequest> {
        try await database.read { db in
            var q = SQLQuery(Self.requestSelect)
            switch try Scope.of(db, who) {
            case .provider(let p):
                let regions = try Self.providers(db).first { $0.institutionId == p }?.regions ?? []
                guard !regions.isEmpty else { return Page(items: [], nextCursor: nil) }
                // Region codes are validated digits; kept to digits here too, since they are spliced in.
                q.where(
                    "(" + regions.map { "e.region_code LIKE '\(RegionCode.prefix(of: $0).filter(\.isNumber))%'" }.joined(separator: " OR ")
                        + ")")
            case .worker, .nothing: q.where("0")
            case .all: break
            }
            if let status { q.where("r.status = ?", status.rawValue) }
            if let call { q.where("r.call_id = ?", call) }
            if let after = page.after.flatMap(Int64.init) { q.where("r.id > ?", after) }
            q.suffix("ORDER BY r.id LIMIT ?", page.limit + 1)
            return Page.from(try q.fetchAll(db).map(HomeServiceRequest.init(row:)), limit: page.limit) { String($0.id) }
        }
    }

    public func serviceRequest(id: Int64, by who: Principal) async throws -> HomeServiceRequest {
        try await database.read { db in try Self.serviceRequest(db, id: id, visibleTo: try Scope.of(db, who)) }
    }

    /// Closes a request without a booking, with the reason the caller gives.
    public func declineServiceRequest(_ id: Int64, reason: String, by who: Principal) async throws -> HomeServiceRequest {
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, reason.unicodeScalars.count <= 500 else {
            throw StoreError.invalid(ValidationFailure(field: "reason", reason: "must be 1 to 500 characters"))
        }
        let now = self.now
        return try await database.write { db in
            let request = try Self.serviceRequest(db, id: id, visibleTo: try Scope.of(db, who))
            try self.handle(db, request, status: .declined, booking: nil, reason: text, by: who, now: now)
            try self.database.audit(db, who, "decline", "service_request", String(id), elderId: request.elderId, reason: text)
            return try Self.serviceRequest(db, id: id, visibleTo: .all)
        }
    }

    /// Marks the request a new booking answers, in the booking's transaction: the request must be
    /// waiting and be the same elder's.
    func answer(_ db: Database, serviceRequest id: Int64, with booking: Booking, by who: Principal, now: Date) throws {
        let request: HomeServiceRequest
        do {
            request = try Self.serviceRequest(db, id: id, visibleTo: try Scope.of(db, who))
        } catch StoreError.notFound {
            throw StoreError.invalid(ValidationFailure(field: "serviceRequestId", reason: "names no service request you can see"))
        }
        guard request.elderId == booking.elderId else {
            throw StoreError.invalid(ValidationFailure(field: "serviceRequestId", reason: "is another elder's request"))
        }
        try handle(db, request, status: .booked, booking: booking.id, reason: nil, by: who, now: now)
    }

    private func handle(
        _ db: Database, _ request: HomeServiceRequest, status: HomeServiceRequestStatus, booking: Int64?, reason: String?,
        by who: Principal, now: Date
    ) throws {
        guard request.status == .new else {
            let answer = request.bookingId.map { " (booking \($0))" } ?? ""
            throw StoreError.conflict(reason: "service request \(request.id) is already \(request.status.rawValue)\(answer)")
        }
        try db.execute(
            sql: """
                UPDATE home_service_request SET status = ?, booking_id = ?, reason = ?, handled_by = ?, handled_at = ?
                WHERE id = ? AND status = 'new'
                """, arguments: [status.rawValue, booking, reason, "\(who.role.rawValue) \(who.name)", SQLText.time(now), request.id])
    }

    static func serviceRequest(_ db: Database, id: Int64, visibleTo scope: Scope) throws -> HomeServiceRequest {
        guard let row = try Row.fetchOne(db, sql: requestSelect + " WHERE r.id = ?", arguments: [id]) else {
            throw StoreError.notFound(entity: "service request", id: String(id))
        }
        let request = HomeServiceRequest(row: row)
        switch scope {
        case .all: return request
        case .provider(let p):
            if try providers(db).first(where: { $0.institutionId == p })?.serves(request.regionCode) == true { return request }
        case .worker, .nothing: break
        }
        throw StoreError.notFound(entity: "service request", id: String(id))
    }

    static let requestSelect = """
        SELECT r.*, e.name AS elder_name, e.region_code FROM home_service_request r JOIN elder e ON e.id = r.elder_id
        """
}

extension HomeServiceRequest {
    init(row: Row) {
        self.init(
            id: row["id"], elderId: row["elder_id"], elderName: row["elder_name"], regionCode: row["region_code"],
            callId: row["call_id"], deviceId: row["device_id"],
            requestedAt: SQLText.date(fromTimeText: row["requested_at"]) ?? Date(timeIntervalSince1970: 0),
            status: HomeServiceRequestStatus(rawValue: row["status"]) ?? .new, bookingId: row["booking_id"],
            handledBy: row["handled_by"], handledAt: (row["handled_at"] as String?).flatMap { SQLText.date(fromTimeText: $0) },
            reason: row["reason"])
    }
}
