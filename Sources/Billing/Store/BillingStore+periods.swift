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
    /// left out), then pays each elder of 80 or more the county's high-age allowance for it, then
    /// marks it closed. Anything that arrives later falls into the next open month; the database
    /// refuses any posting into a closed one.
    public func close(month: BillingMonth, by who: Principal) async throws -> PeriodClose {
        let now = self.now
        guard now >= LocalTime.midnight(month.next.firstDay) else { throw BillingRefusal.monthNotOver(month) }
        // Checked before charging too, so a refused close changes nothing.
        try await database.read { db in try Self.refuseIfAnEarlierMonthIsOpen(db, month) }
        let run = try await runCharges()
        return try await database.write { db in
            guard try !Self.isClosed(db, month) else { throw BillingRefusal.periodClosed(month) }
            try Self.refuseIfAnEarlierMonthIsOpen(db, month)
            let entitlements = try Self.entitlements(db)
            var paid = 0
            var paidFen: Int64 = 0
            let elders = try Row.fetchCursor(
                db, sql: "SELECT id, birth_date, region_code, categories, care_level FROM elder WHERE status = 'active' ORDER BY id")
            var due: [(Int64, String, Int, Int64)] = []
            var entitled: [(Int64, VoucherRule, Entitlement)] = []
            while let row = try elders.next() {
                guard let birth = CalendarDate(iso: row[1]) else { continue }
                let county = Self.county(ofRegion: row[2])
                // Every entitled elder's voucher is issued for the month, used or not, so the
                // county's report counts what was issued and not only what was spent.
                if let e = Entitlement.pick(entitlements, county: county, on: month.lastDay) {
                    let id: Int64 = row[0]
                    let categories =
                        try Self.profile(db, elderId: id)?.categories
                        ?? BillingCategory.of(SubsidyCategory.set(fromMask: row[3]), careLevel: CareLevel(rawValue: row[4]) ?? .selfCare)
                    if let rule = e.voucher(for: categories) { entitled.append((id, rule, e)) }
                }
                let age = birth.years(until: month.lastDay)
                guard age >= 80, let e = Entitlement.pick(entitlements, county: county, on: month.lastDay) else { continue }
                let amount = e.allowance.amount(age: age)
                if amount > 0 { due.append((row[0], county, age, amount)) }
            }
            for (elder, rule, e) in entitled {
                _ = try Self.voucherBalance(db, elderId: elder, month: month, rule: rule, entitlement: e)
            }
            for (elder, county, age, amount) in due {
                let tx = try Self.post(
                    db, kind: "allowance", reference: "allowance:\(elder):\(month)", month: month, memo: "高龄津贴", at: now,
                    legs: [(.allowanceFund(county), amount), (.elder(elder), -amount)])
                try db.execute(
                    sql:
                        "INSERT INTO billing_allowance (elder_id, month, county, age, amount_fen, transaction_id) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [elder, month.description, county, age, amount, tx])
                paid += 1
                paidFen += amount
            }
            var placed = 0
            var placedFen: Int64 = 0
            let housed = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.elder_id, p.placement_institution_id, e.region_code FROM billing_profile p JOIN elder e ON e.id = p.elder_id
                    WHERE p.placement_institution_id IS NOT NULL AND e.status = 'active' ORDER BY p.elder_id
                    """)
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
                placed += 1
                placedFen += e.placementSubsidyFen
            }
            try db.execute(
                sql: "INSERT INTO billing_period (month, closed_at, closed_by) VALUES (?, ?, ?)",
                arguments: [month.description, SQLText.timeText(now), who.name])
            try self.database.audit(db, who, "close", "billing_period", month.description)
            return PeriodClose(
                month: month, charged: run.charged, allowances: paid, allowanceFen: paidFen, placements: placed, placementFen: placedFen,
                closedAt: now)
        }
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
