import CareModel
import CareStore
import Foundation
internal import GRDB

/// What closing a month did.
public struct PeriodClose: Codable, Sendable, Hashable {
    public var month: BillingMonth
    /// Charges made from events still waiting when the month was closed.
    public var charged: Int
    /// High-age allowances paid for the month.
    public var allowances: Int
    public var allowanceFen: Int64
    /// Placement subsidies paid to institutions for the month.
    public var placements: Int
    public var placementFen: Int64
    public var closedAt: Date
}

/// A month and whether it is closed.
public struct BillingPeriod: Codable, Sendable, Hashable {
    public var month: BillingMonth
    public var closed: Bool
    public var closedAt: Date?
    public var closedBy: String?
}

extension BillingStore {
    /// Closes `month`: first charges every event already logged (so nothing delivered in time is
    /// left out), then issues every entitled elder's voucher for it and pays each elder of 80 or
    /// more the county's high-age allowance, then the placement subsidies, then marks it closed.
    /// Anything that arrives later falls into the next open month; the database refuses any
    /// posting into a closed one.
    ///
    /// The elders are taken a slice at a time, each slice in its own short write transaction, so a
    /// city's close never holds the one writer (which the alarm intake shares) for long nor holds
    /// every elder in memory. Each slice skips what an earlier, interrupted close already did, so
    /// closing again after a crash pays nobody twice; the month is closed only by the last step.
    public func close(month: BillingMonth, by who: Principal, slice: Int = 500) async throws -> PeriodClose {
        let now = self.now
        guard now >= LocalTime.midnight(month.next.firstDay) else { throw BillingRefusal.monthNotOver(month) }
        // Checked before charging too, so a refused close changes nothing.
        try await database.read { db in try Self.refuseIfAnEarlierMonthIsOpen(db, month) }
        let run = try await runCharges()
        var after: Int64 = 0
        while true {
            let from = after
            guard let last = try await database.write({ db in try Self.closeSlice(db, month: month, after: from, limit: slice, now: now) })
            else { break }
            after = last
        }
        return try await database.write { db in
            guard try !Self.isClosed(db, month) else { throw BillingRefusal.periodClosed(month) }
            try Self.refuseIfAnEarlierMonthIsOpen(db, month)
            let entitlements = try Self.entitlements(db)
            let housed = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.elder_id, p.placement_institution_id, e.region_code FROM billing_profile p JOIN elder e ON e.id = p.elder_id
                    WHERE p.placement_institution_id IS NOT NULL AND e.status = 'active'
                    AND NOT EXISTS (SELECT 1 FROM billing_placement b WHERE b.elder_id = p.elder_id AND b.month = ?)
                    ORDER BY p.elder_id
                    """, arguments: [month.description])
            for row in housed {
                let elder: Int64 = row[0], institution: Int64 = row[1]
                let county = Self.county(ofRegion: row[2])
                guard let e = Entitlement.pick(entitlements, county: county, on: month.lastDay), e.placementSubsidyFen > 0 else { continue }
                let tx = try Self.post(
                    db, kind: "placement", reference: "placement:\(elder):\(month)", month: month, memo: "机构供养补贴", at: now,
                    legs: [(.placementFund(county), e.placementSubsidyFen), (.provider(institution), -e.placementSubsidyFen)])
                try db.execute(
                    sql: """
                        INSERT INTO billing_placement (elder_id, month, institution_id, county, amount_fen, transaction_id)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [elder, month.description, institution, county, e.placementSubsidyFen, tx])
            }
            try db.execute(
                sql: "INSERT INTO billing_period (month, closed_at, closed_by) VALUES (?, ?, ?)",
                arguments: [month.description, SQLText.timeText(now), who.name])
            try self.database.audit(db, who, "close", "billing_period", month.description)
            // The month's totals, whichever close (this one or one interrupted before it) paid them.
            let allowances = try Row.fetchOne(
                db, sql: "SELECT count(*), coalesce(sum(amount_fen), 0) FROM billing_allowance WHERE month = ?",
                arguments: [month.description])!
            let placements = try Row.fetchOne(
                db, sql: "SELECT count(*), coalesce(sum(amount_fen), 0) FROM billing_placement WHERE month = ?",
                arguments: [month.description])!
            return PeriodClose(
                month: month, charged: run.charged, allowances: allowances[0], allowanceFen: allowances[1], placements: placements[0],
                placementFen: placements[1], closedAt: now)
        }
    }

    /// One slice of a close: the vouchers and high-age allowances of at most `limit` active elders
    /// after id `after`. Returns the last elder's id, or nil when there were none left.
    static func closeSlice(_ db: Database, month: BillingMonth, after: Int64, limit: Int, now: Date) throws -> Int64? {
        guard try !isClosed(db, month) else { throw BillingRefusal.periodClosed(month) }
        let entitlements = try entitlements(db)
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, birth_date, region_code, categories, care_level,
                    EXISTS (SELECT 1 FROM billing_allowance a WHERE a.elder_id = elder.id AND a.month = ?)
                    FROM elder WHERE status = 'active' AND id > ? ORDER BY id LIMIT ?
                    """), arguments: [month.description, after, limit])
        for row in rows {
            let id: Int64 = row[0]
            guard let birth = CalendarDate(iso: row[1]) else { continue }
            let county = county(ofRegion: row[2])
            guard let e = Entitlement.pick(entitlements, county: county, on: month.lastDay) else { continue }
            // Every entitled elder's voucher is issued for the month, used or not, so the county's
            // report counts what was issued and not only what was spent.
            let categories =
                try profile(db, elderId: id)?.categories
                ?? BillingCategory.of(SubsidyCategory.set(fromMask: row[3]), careLevel: CareLevel(rawValue: row[4]) ?? .selfCare)
            if let rule = e.voucher(for: categories) {
                _ = try voucherBalance(db, elderId: id, month: month, rule: rule, entitlement: e)
            }
            let age = birth.years(until: month.lastDay)
            let alreadyPaid: Bool = row[5]
            guard age >= 80, !alreadyPaid else { continue }
            let amount = e.allowance.amount(age: age)
            guard amount > 0 else { continue }
            let tx = try post(
                db, kind: "allowance", reference: "allowance:\(id):\(month)", month: month, memo: "高龄津贴", at: now,
                legs: [(.allowanceFund(county), amount), (.elder(id), -amount)])
            try db.cachedStatement(
                sql: "INSERT INTO billing_allowance (elder_id, month, county, age, amount_fen, transaction_id) VALUES (?, ?, ?, ?, ?, ?)"
            ).execute(arguments: [id, month.description, county, age, amount, tx])
        }
        return rows.last?[0]
    }

    static func refuseIfAnEarlierMonthIsOpen(_ db: Database, _ month: BillingMonth) throws {
        if let open = try String.fetchOne(
            db,
            sql: "SELECT min(month) FROM billing_transaction WHERE month < ? AND month NOT IN (SELECT month FROM billing_period)",
            arguments: [month.description]), let earlier = BillingMonth(open)
        {
            throw BillingRefusal.earlierMonthOpen(earlier)
        }
    }

    /// Closed months, newest first.
    public func periods() async throws -> [BillingPeriod] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM billing_period ORDER BY month DESC").map { row in
                BillingPeriod(
                    month: BillingMonth(row["month"] as String)!, closed: true, closedAt: SQLText.date(fromTimeText: row["closed_at"]),
                    closedBy: row["closed_by"])
            }
        }
    }
}
