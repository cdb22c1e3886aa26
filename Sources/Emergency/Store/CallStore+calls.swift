import CareModel
import CareStore
import Foundation
internal import GRDB

/// Filters for the call queue.
public struct CallFilter: Sendable {
    /// Only open calls (the queue); false lists closed ones too.
    public var openOnly: Bool
    public var priority: Priority?
    public var status: CallStatus?
    public var code: AlarmCode?
    /// Region code at any level: calls of elders in it or under it.
    public var region: String?
    /// Calls this operator (account id) holds.
    public var claimedBy: Int64?

    public init(
        openOnly: Bool = true, priority: Priority? = nil, status: CallStatus? = nil, code: AlarmCode? = nil,
        region: String? = nil, claimedBy: Int64? = nil
    ) {
        self.openOnly = openOnly; self.priority = priority; self.status = status; self.code = code; self.region = region
        self.claimedBy = claimedBy
    }
}

/// An event as stored, for devices' histories and for checking that nothing was lost.
public struct StoredEvent: Codable, Sendable, Hashable {
    public var ref: String
    public var kind: EventKind
    public var code: AlarmCode?
    public var occurredAt: Date
    public var receivedAt: Date
    public var outcome: EventOutcome
    public var callId: Int64?
}

extension CallStore {
    /// Calls, most urgent first, then oldest: the operators' queue.
    public func calls(_ filter: CallFilter, page: PageRequest) async throws -> Page<Call> {
        try await database.pool.read { db in
            let (rows, next) = try Self.callPage(db, filter, page: page, columns: "call.*")
            return Page(items: rows.map(Call.init(row:)), nextCursor: next)
        }
    }

    /// The queue as operators see it (``CallSummary``), most urgent first, then oldest.
    public func callSummaries(_ filter: CallFilter, page: PageRequest) async throws -> Page<CallSummary> {
        try await database.pool.read { db in
            let (rows, next) = try Self.callPage(
                db, filter, page: page, columns: "call.priority, call.opened_ms, call.id, call_summary.json",
                join: "JOIN call_summary ON call_summary.id = call.id")
            return Page(
                items: try rows.map { try CareJSON.decoder.decode(CallSummary.self, from: Data(($0["json"] as String).utf8)) },
                nextCursor: next)
        }
    }

    private static func callPage(
        _ db: Database, _ filter: CallFilter, page: PageRequest, columns: String,
        join: String = ""
    ) throws -> (rows: [Row], nextCursor: String?) {
        var q = SQLQuery("SELECT \(columns) FROM call \(join)" + (filter.region == nil ? "" : " JOIN elder ON elder.id = call.elder_id"))
        if let r = filter.region { q.where("elder.region_code GLOB ?", RegionCode.prefix(of: RegionCode.normalise(r)) + "*") }
        if filter.openOnly { q.where("call.is_open = 1") }
        if let p = filter.priority { q.where("call.priority = ?", p.rawValue) }
        if let s = filter.status { q.where("call.status = ?", s.rawValue) }
        if let c = filter.code { q.where("call.code = ?", c.rawValue) }
        if let who = filter.claimedBy { q.where("call.claimed_by = ?", who) }
        if let after = page.after {
            let parts = after.split(separator: ":").compactMap { Int64($0) }
            guard parts.count == 3 else { throw StoreError.invalid(ValidationFailure(field: "cursor", reason: "is not a call cursor")) }
            q.where("(call.priority, call.opened_ms, call.id) > (?, ?, ?)", parts[0], parts[1], parts[2])
        }
        q.suffix("ORDER BY call.priority, call.opened_ms, call.id LIMIT ?", page.limit + 1)
        let rows = try q.fetchAll(db)
        let next: String? =
            rows.count > page.limit
            ? Cursor.encode(
                "\(rows[page.limit - 1]["priority"] as Int64):\(rows[page.limit - 1]["opened_ms"] as Int64):\(rows[page.limit - 1]["id"] as Int64)"
            )
            : nil
        return (Array(rows.prefix(page.limit)), next)
    }

    public func call(id: Int64) async throws -> Call {
        try await database.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM call WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound(entity: "call", id: String(id))
            }
            return Call(row: row)
        }
    }

    /// A device's events as stored, oldest first.
    public func deviceEvents(deviceId: String, page: PageRequest) async throws -> Page<StoredEvent> {
        try await database.pool.read { db in
            _ = try RegistryStore.device(db, id: deviceId)
            var q = SQLQuery("SELECT * FROM device_event")
            q.where("device_id = ?", deviceId)
            if let after = page.after.flatMap(Int64.init) { q.where("id > ?", after) }
            q.suffix("ORDER BY id LIMIT ?", page.limit + 1)
            let rows = try q.fetchAll(db)
            let next: String? = rows.count > page.limit ? Cursor.encode(rows[page.limit - 1]["id"] as Int64) : nil
            return Page(items: rows.prefix(page.limit).map(StoredEvent.init(row:)), nextCursor: next)
        }
    }
}

extension CallStore {
    /// Green-key requests the bookings service has not picked up yet.
    public func pendingServiceRequestCount() async throws -> Int {
        try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM service_request WHERE status = 'new'") ?? 0 }
    }
}
