import CareModel
import CareStore
import Foundation
internal import GRDB

/// Bookings' store: providers, workers (certificates, leave, elders' preferences), bookings,
/// visits and their corrections (the `bookings-*` migrations). Every change commits with its
/// audit entry, its outbox messages and its billable change-log entries in one transaction.
///
/// ```swift
/// let bookings = BookingStore(database, catalogue: .standard, policy: .standard)
/// let made = try await bookings.create(request, idempotencyKey: "k1", by: principal)
/// ```
public final class BookingStore: Sendable {
    public let database: CareDatabase
    public let catalogue: ServiceCatalogue
    public let policy: BookingPolicy
    /// Workers as availability reads them (see ``WorkerCache``).
    let workerCache = WorkerCache()
    /// Workers' calendars as availability reads them (see ``CalendarCache``).
    let calendarCache: CalendarCache
    /// Whether changes are told to people through the outbox; a store loading demo or benchmark
    /// data (`eldercare seed`) tells nobody.
    let notifies: Bool

    /// Bookings' migrations, registered after the notifications'.
    public static let migrations = BookingSchema.migrations

    public init(
        _ database: CareDatabase, catalogue: ServiceCatalogue = .standard, policy: BookingPolicy = .standard,
        notifies: Bool = true
    ) {
        self.database = database
        self.notifies = notifies
        self.catalogue = catalogue
        self.policy = policy
        self.calendarCache = CalendarCache(database)
        answerHealthQuestions()
        answerOversightQuestions()
        acceptServiceRequests()
    }

    var now: Date { database.clock.now() }
}

/// Whose rows a caller may see and change: a provider its own, a worker their own visits.
enum Scope: Equatable {
    case all
    case provider(Int64)
    case worker(Int64)
    /// A provider or worker account not linked to any provider or worker: sees nothing.
    case nothing

    static func of(_ db: Database, _ who: Principal) throws -> Scope {
        switch who.role {
        case .provider:
            guard let account = who.accountId,
                let institution = try Int64.fetchOne(db, sql: "SELECT institution_id FROM account WHERE id = ?", arguments: [account])
            else { return .nothing }
            return .provider(institution)
        case .worker:
            guard let account = who.accountId,
                let worker = try Int64.fetchOne(db, sql: "SELECT id FROM service_worker WHERE account_id = ?", arguments: [account])
            else { return .nothing }
            return .worker(worker)
        default: return .all
        }
    }

    /// The providers a caller may book with: a provider account its own, an unlinked one none.
    func restrict(_ providers: [ServiceProvider]) -> [ServiceProvider] {
        switch self {
        case .all, .worker: providers
        case .provider(let p): providers.filter { $0.institutionId == p }
        case .nothing: []
        }
    }

    func sees(_ b: Booking) -> Bool {
        switch self {
        case .all: true
        case .provider(let p): b.providerId == p
        case .worker(let w): b.workerId == w
        case .nothing: false
        }
    }
}

// MARK: - Rows

extension Date {
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}

extension Booking {
    init(row: Row) {
        self.init(
            id: row["id"], elderId: row["elder_id"], service: row["service"], providerId: row["provider_id"],
            workerId: row["worker_id"], start: Date(millis: row["start_ms"]), end: Date(millis: row["end_ms"]),
            status: BookingStatus(rawValue: row["status"]) ?? .cancelled, seriesId: row["series_id"], note: row["note"],
            cancelReason: row["cancel_reason"], version: row["version"],
            createdAt: SQLText.date(fromTimeText: row["created_at"]) ?? Date(timeIntervalSince1970: 0),
            updatedAt: SQLText.date(fromTimeText: row["updated_at"]) ?? Date(timeIntervalSince1970: 0))
        dietaryNeeds = JSONColumn.decode([String].self, row["dietary_needs"])
    }
}

enum JSONColumn {
    static func encode<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? CareJSON.encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let text else { return nil }
        return try? CareJSON.decoder.decode(type, from: Data(text.utf8))
    }
}

extension BookingStore {
    static func booking(_ db: Database, id: Int64) throws -> Booking {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM booking WHERE id = ?"), arguments: [id]) else {
            throw StoreError.notFound(entity: "booking", id: String(id))
        }
        return Booking(row: row)
    }

    /// A booking the caller may see, or not found (a provider never learns of another's bookings).
    static func booking(_ db: Database, id: Int64, scope: Scope) throws -> Booking {
        let b = try booking(db, id: id)
        guard scope.sees(b) else { throw StoreError.notFound(entity: "booking", id: String(id)) }
        return b
    }

    /// The elder's home, when the registry knows it.
    static func home(_ db: Database, elderId: Int64) throws -> Coordinates? {
        guard let row = try Row.fetchOne(db, sql: "SELECT latitude, longitude FROM elder WHERE id = ?", arguments: [elderId]),
            let lat: Double = row["latitude"], let lon: Double = row["longitude"]
        else { return nil }
        return Coordinates(latitude: lat, longitude: lon)
    }

    /// `booking` rewritten as it now is; its version goes up by one.
    static func save(_ db: Database, _ b: Booking, deadline: Int64?, reminded: Bool, stamp: DatabaseValue) throws {
        try db.execute(
            sql: """
                UPDATE booking SET worker_id = ?, start_ms = ?, end_ms = ?, status = ?, cancel_reason = ?, deadline_ms = ?,
                reminded = ?, version = version + 1, updated_at = ? WHERE id = ?
                """,
            arguments: [
                b.workerId, b.start.millis, b.end.millis, b.status.rawValue, b.cancelReason, deadline, reminded, stamp, b.id,
            ])
    }

    /// The next deadline of a confirmed booking: the reminder while it is ahead, then the
    /// missed-visit check.
    func deadline(start: Date, now: Date) -> (deadline: Int64, reminded: Bool) {
        let remindAt = start.addingTimeInterval(-Double(policy.reminderHoursBefore * 3600))
        if remindAt > now { return (remindAt.millis, false) }
        return (start.addingTimeInterval(Double(policy.missedGraceMinutes * 60)).millis, true)
    }

    /// The facts every booking message carries (NotificationTopic lists them).
    func payload(_ b: Booking, worker: String? = nil) -> [String: String] {
        var p = [
            "service": catalogue[b.service]?.name ?? b.service, "at": ISO8601DateFormatter().string(from: b.start),
            "providerId": String(b.providerId), "bookingId": String(b.id),
        ]
        if let worker { p["worker"] = worker }
        return p
    }

    /// Adds a message to the outbox in the caller's transaction, unless this store tells nobody.
    func tell(_ db: Database, _ entry: OutboxEntry, at stamp: DatabaseValue) throws {
        if notifies { try database.enqueue(db, entry, at: stamp) }
    }

    /// The booking as the change log carries it, for anyone following bookings.
    func logChange(_ db: Database, _ b: Booking, _ change: String, now: Date) throws {
        try database.appendChange(db, entity: "booking", id: b.id, change: change, payload: JSONColumn.encode(b), at: SQLText.timeText(now))
    }

    /// A billable event for billing, in the caller's transaction.
    func logBillable(_ db: Database, _ event: BillableEvent) throws {
        try database.appendChange(
            db, entity: BillableEvent.entity, id: event.bookingId, change: event.kind.rawValue, payload: JSONColumn.encode(event),
            at: SQLText.timeText(event.at))
    }

    /// Maps the overlap trigger's refusal to words.
    static func refusingDoubleBooking<T>(worker: Int64?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.message?.contains("worker_double_booked") == true {
            throw StoreError.conflict(reason: "worker \(worker.map(String.init) ?? "?") is already booked at an overlapping time")
        }
    }
}
