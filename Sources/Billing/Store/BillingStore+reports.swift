import CareModel
import CareStore
import Foundation
internal import GRDB

/// One elder's month: every charge, payment, allowance and correction, and the balance before
/// and after. ``closingBalanceFen`` − ``openingBalanceFen`` equals the month's entries on the
/// elder's ledger account.
public struct Statement: Codable, Sendable, Hashable {
    public struct Line: Codable, Sendable, Hashable {
        public var date: CalendarDate
        public var service: String
        public var kind: BillableEvent.Kind
        public var eventId: String
        public var priceFen: Int64
        public var insuranceFen: Int64
        public var voucherFen: Int64
        public var elderFen: Int64
        public var goodsFen: Int64
        /// What the elder owes for the line: their share plus goods.
        public var elderTotalFen: Int64
    }
    public var elderId: Int64
    public var elderName: String
    public var month: BillingMonth
    public var closed: Bool
    public var openingBalanceFen: Int64
    public var lines: [Line]
    public var payments: [Payment]
    public var allowanceFen: Int64
    /// Reversals and credit notes on the elder's account this month (negative: in the elder's favour).
    public var adjustmentsFen: Int64
    public var chargedFen: Int64
    public var insuranceFen: Int64
    public var voucherFen: Int64
    public var elderShareFen: Int64
    public var paidFen: Int64
    public var closingBalanceFen: Int64
}

/// What the funds and the elders owe one provider for one month, with the visit behind every line.
public struct Settlement: Codable, Sendable, Hashable {
    public struct Line: Codable, Sendable, Hashable {
        public var eventId: String
        public var bookingId: Int64
        public var elderId: Int64
        public var date: CalendarDate
        public var service: String
        public var kind: BillableEvent.Kind
        public var priceFen: Int64
        public var insuranceFen: Int64
        public var voucherFen: Int64
        public var elderFen: Int64
        public var goodsFen: Int64
    }
    public var providerId: Int64
    public var providerName: String
    public var month: BillingMonth
    public var closed: Bool
    public var lines: [Line]
    public var insuranceFen: Int64
    public var voucherFen: Int64
    /// What the funds owe: insurance and vouchers.
    public var fundsFen: Int64
    public var elderFen: Int64
    public var goodsFen: Int64
    /// Credit notes and reversals against the provider this month (positive: owed less).
    public var adjustmentsFen: Int64
    /// Placement subsidies for government-supported elders the institution houses, and how many.
    public var placements: Int
    public var placementFen: Int64
    /// What the provider is owed for the month in all: lines and placements less adjustments; equals the credit
    /// on its ledger account for the month.
    public var totalFen: Int64
}

/// A county's month, as the civil-affairs and finance bureaus need it.
public struct CountyReport: Codable, Sendable, Hashable {
    public struct ProviderLine: Codable, Sendable, Hashable {
        public var providerId: Int64
        public var providerName: String
        public var services: Int
        public var insuranceFen: Int64
        public var voucherFen: Int64
        public var elderFen: Int64
    }
    public struct CategoryLine: Codable, Sendable, Hashable {
        public var category: String
        public var elders: Int
    }
    public var county: String
    public var month: BillingMonth
    public var closed: Bool
    /// Elders with at least one charge, by billing category ("none" for elders without one).
    public var eldersServed: [CategoryLine]
    public var vouchersIssuedFen: Int64
    public var vouchersUsedFen: Int64
    public var insuranceFen: Int64
    public var allowanceElders: Int
    public var allowancesPaidFen: Int64
    public var placements: Int
    public var placementsPaidFen: Int64
    public var providers: [ProviderLine]
}

extension BillingStore {
    public func statement(elderId: Int64, month: BillingMonth) async throws -> Statement {
        try await database.read { db in try Self.statement(db, elderId: elderId, month: month) }
    }

    static func statement(_ db: Database, elderId: Int64, month: BillingMonth) throws -> Statement {
        guard let name = try String.fetchOne(db, sql: "SELECT name FROM elder WHERE id = ?", arguments: [elderId]) else {
            throw StoreError.notFound(entity: "elder", id: String(elderId))
        }
        let charges = try charges(db, elderId: elderId, providerId: nil, month: month).filter { $0.status == .posted }
        let lines = charges.map {
            Statement.Line(
                date: $0.serviceDate, service: $0.service, kind: $0.kind, eventId: $0.eventId, priceFen: $0.priceFen,
                insuranceFen: $0.split.insuranceFen, voucherFen: $0.split.voucherFen, elderFen: $0.split.elderFen, goodsFen: $0.goodsFen,
                elderTotalFen: $0.elderTotalFen)
        }
        let payments = try payments(db, elderId: elderId, month: month)
        let allowance =
            try Int64.fetchOne(
                db, sql: "SELECT coalesce(sum(amount_fen), 0) FROM billing_allowance WHERE elder_id = ? AND month = ?",
                arguments: [elderId, month.description]) ?? 0
        let adjustments = try correctionSum(db, .elder(elderId), month: month)
        let opening = try accountSum(db, .elder(elderId), month: nil, before: month)
        let charged = lines.reduce(0) { $0 + $1.elderTotalFen }
        let paid = payments.reduce(0) { $0 + $1.amountFen }
        return Statement(
            elderId: elderId, elderName: name, month: month, closed: try isClosed(db, month), openingBalanceFen: opening, lines: lines,
            payments: payments, allowanceFen: allowance, adjustmentsFen: adjustments,
            chargedFen: lines.reduce(0) { $0 + $1.priceFen + $1.goodsFen },
            insuranceFen: lines.reduce(0) { $0 + $1.insuranceFen }, voucherFen: lines.reduce(0) { $0 + $1.voucherFen },
            elderShareFen: charged, paidFen: paid, closingBalanceFen: opening + charged - paid - allowance + adjustments)
    }

    /// The month's entries on an account from reversals and credit notes.
    static func correctionSum(_ db: Database, _ account: AccountName, month: BillingMonth) throws -> Int64 {
        try Int64.fetchOne(
            db,
            sql: """
                SELECT coalesce(sum(e.amount_fen), 0) FROM billing_entry e JOIN billing_account a ON a.id = e.account_id
                JOIN billing_transaction t ON t.id = e.transaction_id
                WHERE a.name = ? AND e.month = ? AND t.kind IN ('reversal', 'credit_note')
                """, arguments: [account.name, month.description]) ?? 0
    }

    public func settlement(providerId: Int64, month: BillingMonth) async throws -> Settlement {
        try await database.read { db in try Self.settlement(db, providerId: providerId, month: month) }
    }

    static func settlement(_ db: Database, providerId: Int64, month: BillingMonth) throws -> Settlement {
        guard let name = try String.fetchOne(db, sql: "SELECT name FROM institution WHERE id = ?", arguments: [providerId]) else {
            throw StoreError.notFound(entity: "provider", id: String(providerId))
        }
        let lines = try charges(db, elderId: nil, providerId: providerId, month: month).filter { $0.status == .posted }.map {
            Settlement.Line(
                eventId: $0.eventId, bookingId: $0.bookingId, elderId: $0.elderId, date: $0.serviceDate, service: $0.service, kind: $0.kind,
                priceFen: $0.priceFen, insuranceFen: $0.split.insuranceFen, voucherFen: $0.split.voucherFen, elderFen: $0.split.elderFen,
                goodsFen: $0.goodsFen)
        }
        let ins = lines.reduce(0) { $0 + $1.insuranceFen }, vch = lines.reduce(0) { $0 + $1.voucherFen }
        let eld = lines.reduce(0) { $0 + $1.elderFen }, goods = lines.reduce(0) { $0 + $1.goodsFen }
        let adjustments = try correctionSum(db, .provider(providerId), month: month)
        let placement = try Row.fetchOne(
            db, sql: "SELECT count(*), coalesce(sum(amount_fen), 0) FROM billing_placement WHERE institution_id = ? AND month = ?",
            arguments: [providerId, month.description])!
        let placementFen: Int64 = placement[1]
        return Settlement(
            providerId: providerId, providerName: name, month: month, closed: try isClosed(db, month), lines: lines, insuranceFen: ins,
            voucherFen: vch, fundsFen: ins + vch, elderFen: eld, goodsFen: goods, adjustmentsFen: adjustments, placements: placement[0],
            placementFen: placementFen, totalFen: ins + vch + eld + goods + placementFen - adjustments)
    }

    public func countyReport(county: String, month: BillingMonth) async throws -> CountyReport {
        try await database.read { db in try Self.countyReport(db, county: county, month: month) }
    }

    static func countyReport(_ db: Database, county: String, month: BillingMonth) throws -> CountyReport {
        let like = county + "%"
        let m = month.description
        let served = try Row.fetchAll(
            db,
            sql: """
                SELECT DISTINCT c.elder_id, e.categories, e.care_level FROM billing_charge c JOIN elder e ON e.id = c.elder_id
                WHERE c.month = ? AND c.status = 'posted' AND e.region_code LIKE ?
                """, arguments: [m, like])
        var byCategory: [String: Int] = [:]
        for row in served {
            let id: Int64 = row[0]
            let cats =
                try profile(db, elderId: id)?.categories
                ?? BillingCategory.of(SubsidyCategory.set(fromMask: row[1]), careLevel: CareLevel(rawValue: row[2]) ?? .selfCare)
            if cats.isEmpty { byCategory["none", default: 0] += 1 }
            for c in cats { byCategory[c.rawValue, default: 0] += 1 }
        }
        let vouchers = try Row.fetchOne(
            db,
            sql: """
                SELECT coalesce(sum(v.granted_fen), 0), coalesce(sum(v.used_fen), 0), coalesce(sum(v.insurance_used_fen), 0)
                FROM billing_voucher_balance v JOIN elder e ON e.id = v.elder_id WHERE v.month = ? AND e.region_code LIKE ?
                """, arguments: [m, like])!
        let allowance = try Row.fetchOne(
            db, sql: "SELECT count(*), coalesce(sum(amount_fen), 0) FROM billing_allowance WHERE month = ? AND county = ?",
            arguments: [m, county])!
        let placement = try Row.fetchOne(
            db, sql: "SELECT count(*), coalesce(sum(amount_fen), 0) FROM billing_placement WHERE month = ? AND county = ?",
            arguments: [m, county])!
        let providers = try Row.fetchAll(
            db,
            sql: """
                SELECT c.provider_id, coalesce(i.name, ''), count(*), sum(c.insurance_fen), sum(c.voucher_fen), sum(c.elder_fen)
                FROM billing_charge c JOIN elder e ON e.id = c.elder_id LEFT JOIN institution i ON i.id = c.provider_id
                WHERE c.month = ? AND c.status = 'posted' AND e.region_code LIKE ? GROUP BY c.provider_id ORDER BY c.provider_id
                """, arguments: [m, like]
        ).map {
            CountyReport.ProviderLine(
                providerId: $0[0], providerName: $0[1], services: $0[2], insuranceFen: $0[3], voucherFen: $0[4], elderFen: $0[5])
        }
        return CountyReport(
            county: county, month: month, closed: try isClosed(db, month),
            eldersServed: byCategory.sorted { $0.key < $1.key }.map { CountyReport.CategoryLine(category: $0.key, elders: $0.value) },
            vouchersIssuedFen: vouchers[0], vouchersUsedFen: vouchers[1], insuranceFen: vouchers[2], allowanceElders: allowance[0],
            allowancesPaidFen: allowance[1], placements: placement[0], placementsPaidFen: placement[1], providers: providers)
    }
}
