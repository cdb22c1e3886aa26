import CareModel
import CareStore
import Foundation
internal import GRDB

/// What the charge job did in one run.
public struct ChargeRun: Codable, Sendable, Hashable {
    /// Billable events read.
    public var events: Int
    /// Charges created (events already charged are skipped).
    public var charged: Int
    /// The change-log position read up to.
    public var position: Int64

    public init(events: Int = 0, charged: Int = 0, position: Int64 = 0) {
        self.events = events; self.charged = charged; self.position = position
    }
}

/// The registry's facts about an elder that billing needs.
struct ElderFacts {
    var birthDate: CalendarDate
    var county: String
    var categories: [BillingCategory]
    var ltcInsured: Bool

    static func read(_ db: Database, elderId: Int64) throws -> ElderFacts? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT birth_date, region_code, categories, care_level FROM elder WHERE id = ?"),
                arguments: [elderId])
        else { return nil }
        let registry = BillingCategory.of(
            SubsidyCategory.set(fromMask: row["categories"]), careLevel: CareLevel(rawValue: row["care_level"]) ?? .selfCare)
        let profile = try BillingStore.profile(db, elderId: elderId)
        return ElderFacts(
            birthDate: CalendarDate(iso: row["birth_date"]) ?? CalendarDate(year: 1900, month: 1, day: 1)!,
            county: BillingStore.county(ofRegion: row["region_code"]), categories: profile?.categories ?? registry,
            ltcInsured: profile?.ltcInsured ?? false)
    }
}

extension BillingStore {
    static let cursorName = "billable"

    /// Charges every billable event not yet charged, a batch per transaction: the charges, their
    /// ledger postings and the cursor's advance commit together, and an event already charged is
    /// skipped by its id. However often this runs, and wherever a crash stops it, each event is
    /// charged exactly once.
    @discardableResult
    public func runCharges(batch: Int = 500) async throws -> ChargeRun {
        var total = ChargeRun()
        while true {
            let (one, read) = try await chargeBatchReading(limit: batch)
            total.events += one.events; total.charged += one.charged
            total.position = max(total.position, one.position)
            // A short page is the end of the log; a full one may have more behind it, even when
            // another run charged part of it first.
            if read < batch { return total }
        }
    }

    /// One batch: at most `limit` events after the stored cursor.
    public func chargeBatch(limit: Int) async throws -> ChargeRun {
        try await chargeBatchReading(limit: limit).0
    }

    /// How far past the cursor the change log may run with nothing billable in it before the
    /// cursor is moved on anyway, so a run never rescans a long stretch of alarms and calls.
    static let skipAhead: Int64 = 10_000

    /// One batch, and how many events were read for it.
    func chargeBatchReading(limit: Int) async throws -> (ChargeRun, Int) {
        let cursor = try await database.read { db in try Self.cursor(db) }
        // Read before the page: SQLite's one writer assigns positions in commit order, so every
        // entry up to a position already visible has committed and the page below sees it.
        let latest = try await database.latestChangePosition()
        let changes = try await database.changes(of: BillableEvent.entity, after: cursor, limit: limit)
        // A short page means nothing billable lies between its end and `latest`.
        let reach = changes.count < limit ? latest : (changes.last?.position ?? cursor)
        if changes.isEmpty && reach - cursor < Self.skipAhead { return (ChargeRun(position: cursor), 0) }
        let now = self.now, policy = self.policy
        let run = try await database.write { db in
            // Another run may have moved the cursor since it was read: only what lies beyond it now is new.
            let current = try Self.cursor(db)
            let tariffs = try Self.tariffs(db), entitlements = try Self.entitlements(db)
            var run = ChargeRun(position: current)
            let cache = LookupCache()
            for change in changes where change.position > current {
                run.events += 1
                run.position = change.position
                guard let event = JSONColumn.decode(BillableEvent.self, change.payload) else { continue }
                if try Self.charge(
                    db, event, position: change.position, tariffs: tariffs, entitlements: entitlements, policy: policy, now: now,
                    cache: cache)
                {
                    run.charged += 1
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO billing_cursor (name, position) VALUES (?, ?)
                    ON CONFLICT (name) DO UPDATE SET position = excluded.position
                    """, arguments: [Self.cursorName, max(run.position, reach)])
            return run
        }
        return (run, changes.count)
    }

    /// The change-log position the charge job has charged up to.
    public func chargedUpTo() async throws -> Int64 {
        try await database.read { db in try Self.cursor(db) }
    }

    static func cursor(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT position FROM billing_cursor WHERE name = ?", arguments: [cursorName]) ?? 0
    }

    /// Charges one event unless its id was charged before; returns whether it made a charge.
    static func charge(
        _ db: Database, _ event: BillableEvent, position: Int64, tariffs: [Tariff], entitlements: [Entitlement], policy: BillingPolicy,
        now: Date, cache: LookupCache? = nil
    ) throws -> Bool {
        if try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM billing_charge WHERE event_id = ?)"), arguments: [event.eventId]) == true
        {
            return false
        }
        let day = CalendarDate(date: event.start)
        let month = try openMonth(db, from: BillingMonth(day))
        let facts: ElderFacts?
        if let known = cache?.facts[event.elderId] {
            facts = known
        } else {
            facts = try ElderFacts.read(db, elderId: event.elderId)
            cache?.facts[event.elderId] = .some(facts)
        }
        let tariff = Tariff.pick(tariffs, code: event.tariff, provider: event.providerId, on: day)
        var status = Charge.Status.unpriced
        var priced = PricedEvent(priceFen: 0, goodsFen: 0, subsidised: false)
        var split = PayerSplit(insuranceFen: 0, voucherFen: 0, elderFen: 0)
        var tx: Int64?
        if let tariff {
            priced = PricedEvent.price(event, tariff: tariff, policy: policy)
            status = priced.priceFen + priced.goodsFen == 0 ? .free : .posted
            let county = facts?.county ?? "000000"
            let entitlement = Entitlement.pick(entitlements, county: county, on: day)
            let voucher = entitlement?.voucher(for: facts?.categories ?? [])
            let insurance = facts?.ltcInsured == true ? entitlement?.insurance : nil
            let balance = try voucherBalance(db, elderId: event.elderId, month: month, rule: voucher, entitlement: entitlement)
            split = PayerSplit.split(
                priceFen: priced.priceFen, insurance: insurance,
                insuranceRemainingFen: insurance?.monthlyCapFen.map { $0 - balance.insuranceUsed },
                voucher: voucher, voucherRemainingFen: balance.granted - balance.used, subsidised: priced.subsidised)
            if split.voucherFen > 0 || split.insuranceFen > 0 {
                try db.cachedStatement(
                    sql: """
                        UPDATE billing_voucher_balance SET used_fen = used_fen + ?, insurance_used_fen = insurance_used_fen + ?
                        WHERE elder_id = ? AND month = ?
                        """
                ).execute(arguments: [split.voucherFen, split.insuranceFen, event.elderId, month.description])
            }
            if status == .posted {
                tx = try post(
                    db, kind: "charge", reference: "charge:" + event.eventId, month: month, memo: event.service, at: now,
                    legs: [
                        (.insurance(county), split.insuranceFen), (.voucherFund(county), split.voucherFen),
                        (.elder(event.elderId), split.elderFen + priced.goodsFen),
                        (.provider(event.providerId), -(priced.priceFen + priced.goodsFen)),
                    ], cache: cache)
            }
        }
        try closedMonthRefused(month) {
            try db.cachedStatement(
                sql: """
                    INSERT INTO billing_charge (event_id, position, kind, booking_id, elder_id, provider_id, service, tariff, tariff_id,
                    month, service_date, price_fen, goods_fen, insurance_fen, voucher_fen, elder_fen, status, transaction_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    event.eventId, position, event.kind.rawValue, event.bookingId, event.elderId, event.providerId, event.service,
                    event.tariff, tariff?.id, month.description, day.description, priced.priceFen, priced.goodsFen, split.insuranceFen,
                    split.voucherFen, split.elderFen, status.rawValue, tx, SQLText.timeText(now),
                ])
        }
        return true
    }

    /// The elder's voucher balance for `month`, granted on first use: the month's voucher value,
    /// plus last month's unused value where the county carries it over.
    static func voucherBalance(
        _ db: Database, elderId: Int64, month: BillingMonth, rule: VoucherRule?, entitlement: Entitlement?
    ) throws -> (granted: Int64, used: Int64, insuranceUsed: Int64) {
        if let row = try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT granted_fen, used_fen, insurance_used_fen FROM billing_voucher_balance WHERE elder_id = ? AND month = ?"),
            arguments: [elderId, month.description])
        {
            return (row[0], row[1], row[2])
        }
        var granted = rule?.monthlyFen ?? 0
        if entitlement?.carryOver == true,
            let left = try Int64.fetchOne(
                db, sql: "SELECT granted_fen - used_fen FROM billing_voucher_balance WHERE elder_id = ? AND month = ?",
                arguments: [elderId, month.previous.description])
        {
            granted += max(0, left)
        }
        try db.cachedStatement(sql: "INSERT INTO billing_voucher_balance (elder_id, month, granted_fen) VALUES (?, ?, ?)")
            .execute(arguments: [elderId, month.description, granted])
        return (granted, 0, 0)
    }

    // MARK: Reading charges

    public func charges(elderId: Int64? = nil, providerId: Int64? = nil, month: BillingMonth? = nil) async throws -> [Charge] {
        try await database.read { db in try Self.charges(db, elderId: elderId, providerId: providerId, month: month) }
    }

    public func charge(id: Int64) async throws -> Charge {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM billing_charge WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound(entity: "charge", id: String(id))
            }
            return Charge(row: row)
        }
    }

    static func charges(_ db: Database, elderId: Int64?, providerId: Int64?, month: BillingMonth?) throws -> [Charge] {
        var sql = "SELECT * FROM billing_charge WHERE 1"
        var args: [any DatabaseValueConvertible] = []
        if let elderId { sql += " AND elder_id = ?"; args.append(elderId) }
        if let providerId { sql += " AND provider_id = ?"; args.append(providerId) }
        if let month { sql += " AND month = ?"; args.append(month.description) }
        sql += " ORDER BY service_date, id LIMIT 100000"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Charge.init(row:))
    }
}

extension Charge {
    init(row: Row) {
        self.init(
            id: row["id"], eventId: row["event_id"], kind: BillableEvent.Kind(rawValue: row["kind"]) ?? .visitVerified,
            bookingId: row["booking_id"], elderId: row["elder_id"], providerId: row["provider_id"], service: row["service"],
            tariff: row["tariff"], month: BillingMonth(row["month"] as String) ?? BillingMonth(year: 2000, month: 1)!,
            serviceDate: CalendarDate(iso: row["service_date"]) ?? CalendarDate(year: 2000, month: 1, day: 1)!,
            priceFen: row["price_fen"], goodsFen: row["goods_fen"],
            split: PayerSplit(insuranceFen: row["insurance_fen"], voucherFen: row["voucher_fen"], elderFen: row["elder_fen"]),
            status: Charge.Status(rawValue: row["status"]) ?? .unpriced, transactionId: row["transaction_id"],
            createdAt: SQLText.date(fromTimeText: row["created_at"]) ?? Date(timeIntervalSince1970: 0))
    }
}
