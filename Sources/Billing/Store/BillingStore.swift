import CareModel
import CareStore
import Foundation
internal import GRDB

/// Billing's store: tariffs and entitlements, charges made from Bookings' billable events, the
/// double-entry ledger, payments and receipts, periods, and the statements, settlements and
/// reports read from them (the `billing-*` migrations). Billing learns of events only from the
/// change log (entity `billable`) and never reads Bookings' tables.
///
/// ```swift
/// let billing = BillingStore(database)
/// try await billing.runCharges()          // charge what was delivered since the last run
/// let s = try await billing.statement(elderId: 1024, month: BillingMonth("2026-10")!)
/// ```
public final class BillingStore: Sendable {
    public let database: CareDatabase
    public let policy: BillingPolicy

    /// Billing's migrations, registered after Bookings'.
    public static let migrations = BillingSchema.migrations

    public init(_ database: CareDatabase, policy: BillingPolicy = .standard) {
        self.database = database
        self.policy = policy
    }

    var now: Date { database.clock.now() }
}

/// What billing refuses, in words the API and the command line show as they are.
public enum BillingRefusal: Error, Sendable, Equatable {
    /// A payment with this external reference was already recorded.
    case duplicatePayment(externalRef: String, receiptNumber: String)
    /// The month is closed; nothing in it changes.
    case periodClosed(BillingMonth)
    /// A month cannot be closed before it has ended.
    case monthNotOver(BillingMonth)
    /// Months close in order: an earlier month with postings is still open.
    case earlierMonthOpen(BillingMonth)
    /// A payment callback whose signature does not verify.
    case badSignature
    /// A correction that cannot be made (already reversed, more than was charged …).
    case notCorrectable(String)

    public var sentence: String {
        switch self {
        case .duplicatePayment(let ref, let receipt):
            "The payment \(ref) was already recorded (receipt \(receipt)); it is not recorded twice."
        case .periodClosed(let m): "The month \(m) is closed; a closed month never changes."
        case .monthNotOver(let m): "The month \(m) has not ended yet, so it cannot be closed."
        case .earlierMonthOpen(let m): "The month \(m) is still open; close it first, since months close in order."
        case .badSignature: "The callback's signature does not verify against the payment provider's secret."
        case .notCorrectable(let why): why
        }
    }
}

// MARK: - Accounts and posting

/// A ledger account by its name: `elder:1024`, `provider:7`, `voucher_fund:450902`,
/// `insurance:450902`, `allowance_fund:450902`, `cash:wechat`.
struct AccountName: Hashable {
    let kind: String
    let owner: String
    var name: String { kind + ":" + owner }

    static func elder(_ id: Int64) -> AccountName { AccountName(kind: "elder", owner: String(id)) }
    static func provider(_ id: Int64) -> AccountName { AccountName(kind: "provider", owner: String(id)) }
    static func voucherFund(_ county: String) -> AccountName { AccountName(kind: "voucher_fund", owner: county) }
    static func insurance(_ county: String) -> AccountName { AccountName(kind: "insurance", owner: county) }
    static func allowanceFund(_ county: String) -> AccountName { AccountName(kind: "allowance_fund", owner: county) }
    static func placementFund(_ county: String) -> AccountName { AccountName(kind: "placement_fund", owner: county) }
    static func cash(_ method: PaymentMethod) -> AccountName { AccountName(kind: "cash", owner: method.rawValue) }
}

/// What one write transaction has already looked up: account ids and elders' facts, which a
/// batch of charges asks for again and again.
final class LookupCache {
    var accounts: [String: Int64] = [:]
    var facts: [Int64: ElderFacts?] = [:]
}

extension BillingStore {
    static func accountId(_ db: Database, _ account: AccountName, cache: LookupCache? = nil) throws -> Int64 {
        if let id = cache?.accounts[account.name] { return id }
        let id = try lookUpAccount(db, account)
        cache?.accounts[account.name] = id
        return id
    }

    static func lookUpAccount(_ db: Database, _ account: AccountName) throws -> Int64 {
        if let id = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM billing_account WHERE name = ?"), arguments: [account.name])
        {
            return id
        }
        try db.cachedStatement(sql: "INSERT INTO billing_account (name, kind, owner) VALUES (?, ?, ?)")
            .execute(arguments: [account.name, account.kind, account.owner])
        return db.lastInsertedRowID
    }

    /// Posts one balanced transaction in `month`; legs of zero are left out. Refuses (a bug, not
    /// input) a transaction whose legs do not sum to zero.
    static func post(
        _ db: Database, kind: String, reference: String, month: BillingMonth, corrects: Int64? = nil, memo: String = "",
        at: Date, legs: [(AccountName, Int64)], cache: LookupCache? = nil
    ) throws -> Int64 {
        let sum = legs.reduce(Int64(0)) { $0 + $1.1 }
        guard sum == 0 else { throw StoreError.conflict(reason: "an unbalanced posting (\(reference) sums to \(sum) fen)") }
        try closedMonthRefused(month) {
            try db.cachedStatement(
                sql: "INSERT INTO billing_transaction (kind, reference, month, corrects, memo, at) VALUES (?, ?, ?, ?, ?, ?)"
            )
            .execute(arguments: [kind, reference, month.description, corrects, memo, SQLText.timeText(at)])
        }
        let tx = db.lastInsertedRowID
        var merged: [AccountName: Int64] = [:]
        var order: [AccountName] = []
        for (account, amount) in legs {
            if merged[account] == nil { order.append(account) }
            merged[account, default: 0] += amount
        }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO billing_entry (transaction_id, account_id, amount_fen, month) VALUES (?, ?, ?, ?)")
        for account in order {
            guard let amount = merged[account], amount != 0 else { continue }
            try insert.execute(arguments: [tx, try accountId(db, account, cache: cache), amount, month.description])
        }
        return tx
    }

    /// Maps the closed-month trigger's refusal to words.
    static func closedMonthRefused<T>(_ month: BillingMonth, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.message?.contains("billing_period_closed") == true {
            throw BillingRefusal.periodClosed(month)
        }
    }

    static func isClosed(_ db: Database, _ month: BillingMonth) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM billing_period WHERE month = ?)"), arguments: [month.description])
            ?? false
    }

    /// `month` if it is open, else the first open month after it: where a late item falls.
    static func openMonth(_ db: Database, from month: BillingMonth) throws -> BillingMonth {
        var m = month
        while try isClosed(db, m) { m = m.next }
        return m
    }

    /// The six-digit county of a registry region code (`450902001001` → `450902`).
    static func county(ofRegion code: String) -> String { String(code.prefix(6)) }
}

// MARK: - Tariffs, entitlements, profiles

extension BillingStore {
    public func addTariff(_ t: Tariff, by who: Principal) async throws -> Tariff {
        try t.validate()
        let now = self.now
        return try await database.write { db in
            do {
                try db.execute(
                    sql: """
                        INSERT INTO billing_tariff (code, provider_id, unit, price_fen, effective_from, government_guided, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        t.code, t.providerId ?? 0, t.unit.rawValue, t.priceFen, t.effectiveFrom.description, t.governmentGuided,
                        SQLText.timeText(now),
                    ])
            } catch let e as DatabaseError where e.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StoreError.conflictOn(
                    field: "effectiveFrom",
                    reason: "already has a price for \(t.code); a new price takes effect from another day")
            }
            var made = t
            made.id = db.lastInsertedRowID
            try self.database.audit(db, who, "create", "tariff", String(made.id!))
            return made
        }
    }

    public func tariffs() async throws -> [Tariff] {
        try await database.read { db in try Self.tariffs(db) }
    }

    static func tariffs(_ db: Database) throws -> [Tariff] {
        try Row.fetchAll(db, sql: "SELECT * FROM billing_tariff ORDER BY code, provider_id, effective_from").map { row in
            let provider: Int64 = row["provider_id"]
            return Tariff(
                id: row["id"], code: row["code"], providerId: provider == 0 ? nil : provider,
                unit: TariffUnit(rawValue: row["unit"]) ?? .visit, priceFen: row["price_fen"],
                effectiveFrom: CalendarDate(iso: row["effective_from"]) ?? CalendarDate(year: 2000, month: 1, day: 1)!,
                governmentGuided: row["government_guided"])
        }
    }

    public func addEntitlement(_ e: Entitlement, by who: Principal) async throws -> Entitlement {
        try e.validate()
        let now = self.now
        return try await database.write { db in
            var stored = e
            stored.id = nil
            do {
                try db.execute(
                    sql: "INSERT INTO billing_entitlement (county, effective_from, rules, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [e.county, e.effectiveFrom.description, JSONColumn.encode(stored), SQLText.timeText(now)])
            } catch let err as DatabaseError where err.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StoreError.conflict(reason: "county \(e.county) already has entitlements from \(e.effectiveFrom)")
            }
            stored.id = db.lastInsertedRowID
            try self.database.audit(db, who, "create", "entitlement", String(stored.id!))
            return stored
        }
    }

    public func entitlements() async throws -> [Entitlement] {
        try await database.read { db in try Self.entitlements(db) }
    }

    static func entitlements(_ db: Database) throws -> [Entitlement] {
        try Row.fetchAll(db, sql: "SELECT id, rules FROM billing_entitlement ORDER BY county, effective_from").compactMap { row in
            var e = JSONColumn.decode(Entitlement.self, row["rules"])
            e?.id = row["id"]
            return e
        }
    }

    public func saveProfile(_ p: BillingProfile, by who: Principal) async throws -> BillingProfile {
        let now = self.now
        return try await database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM elder WHERE id = ?)", arguments: [p.elderId]) == true else {
                throw StoreError.notFound(entity: "elder", id: String(p.elderId))
            }
            if let institution = p.placementInstitutionId,
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM institution WHERE id = ?)", arguments: [institution]) != true
            {
                throw StoreError.invalid(ValidationFailure(field: "placementInstitutionId", reason: "names no institution"))
            }
            try db.execute(
                sql: """
                    INSERT INTO billing_profile (elder_id, categories, ltc_insured, placement_institution_id, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (elder_id) DO UPDATE SET categories = excluded.categories, ltc_insured = excluded.ltc_insured,
                    placement_institution_id = excluded.placement_institution_id, updated_at = excluded.updated_at
                    """,
                arguments: [
                    p.elderId, p.categories.map { JSONColumn.encode($0) }, p.ltcInsured, p.placementInstitutionId, SQLText.timeText(now),
                ])
            try self.database.audit(
                db, who, "update", "billing_profile", String(p.elderId), fields: ["categories", "ltcInsured"], elderId: p.elderId)
            return p
        }
    }

    public func profile(elderId: Int64) async throws -> BillingProfile {
        try await database.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM elder WHERE id = ?)", arguments: [elderId]) == true else {
                throw StoreError.notFound(entity: "elder", id: String(elderId))
            }
            return try Self.profile(db, elderId: elderId) ?? BillingProfile(elderId: elderId)
        }
    }

    static func profile(_ db: Database, elderId: Int64) throws -> BillingProfile? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM billing_profile WHERE elder_id = ?"), arguments: [elderId])
        else {
            return nil
        }
        return BillingProfile(
            elderId: elderId, categories: JSONColumn.decode([BillingCategory].self, row["categories"]), ltcInsured: row["ltc_insured"],
            placementInstitutionId: row["placement_institution_id"])
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
