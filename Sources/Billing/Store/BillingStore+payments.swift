import CareModel
import CareStore
import Foundation
internal import GRDB

extension BillingStore {
    /// Records a payment and issues its numbered receipt, in one transaction with its ledger
    /// posting (cash received, the elder's account credited). The external reference is unique:
    /// the same payment recorded twice is refused, naming the first receipt.
    public func recordPayment(_ p: NewPayment, by who: Principal) async throws -> Payment {
        try p.validate()
        let now = self.now
        return try await database.write { db in
            if let receipt = try String.fetchOne(
                db, sql: "SELECT receipt_number FROM billing_payment WHERE external_ref = ?", arguments: [p.externalRef])
            {
                throw BillingRefusal.duplicatePayment(externalRef: p.externalRef, receiptNumber: receipt)
            }
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM elder WHERE id = ?)", arguments: [p.elderId]) == true else {
                throw StoreError.notFound(entity: "elder", id: String(p.elderId))
            }
            let month = try Self.openMonth(db, from: BillingMonth(date: now))
            let year = CalendarDate(date: now).year
            try db.execute(
                sql: """
                    INSERT INTO billing_receipt_sequence (year, last) VALUES (?, 1)
                    ON CONFLICT (year) DO UPDATE SET last = last + 1
                    """, arguments: [year])
            let n = try Int.fetchOne(db, sql: "SELECT last FROM billing_receipt_sequence WHERE year = ?", arguments: [year]) ?? 1
            let receipt = Self.receiptNumber(year: year, n)
            let tx = try Self.post(
                db, kind: "payment", reference: "payment:" + p.externalRef, month: month, memo: p.method.rawValue, at: now,
                legs: [(.cash(p.method), p.amountFen), (.elder(p.elderId), -p.amountFen)])
            try db.execute(
                sql: """
                    INSERT INTO billing_payment (elder_id, amount_fen, method, external_ref, payer, receipt_number, month, received_at,
                    transaction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    p.elderId, p.amountFen, p.method.rawValue, p.externalRef, p.payer, receipt, month.description, SQLText.timeText(now),
                    tx,
                ])
            let id = db.lastInsertedRowID
            try self.database.audit(db, who, "create", "payment", String(id), elderId: p.elderId)
            return Payment(
                id: id, elderId: p.elderId, amountFen: p.amountFen, method: p.method, externalRef: p.externalRef, payer: p.payer,
                receiptNumber: receipt, month: month, receivedAt: now, transactionId: tx)
        }
    }

    /// `YL-2026-000001`.
    static func receiptNumber(year: Int, _ n: Int) -> String {
        let digits = String(n)
        return "YL-\(year)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    public func payment(id: Int64) async throws -> Payment {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM billing_payment WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound(entity: "payment", id: String(id))
            }
            return Payment(row: row)
        }
    }

    static func payments(_ db: Database, elderId: Int64, month: BillingMonth) throws -> [Payment] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM billing_payment WHERE elder_id = ? AND month = ? ORDER BY id", arguments: [elderId, month.description]
        ).map(Payment.init(row:))
    }

    /// The elder's balance over all time: positive when the elder owes.
    public func balance(elderId: Int64) async throws -> ElderBalance {
        try await database.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM elder WHERE id = ?)", arguments: [elderId]) == true else {
                throw StoreError.notFound(entity: "elder", id: String(elderId))
            }
            return ElderBalance(elderId: elderId, balanceFen: try Self.accountSum(db, .elder(elderId), month: nil))
        }
    }

    /// The sum of an account's entries, in one month or over all time.
    static func accountSum(_ db: Database, _ account: AccountName, month: BillingMonth?, before: BillingMonth? = nil) throws -> Int64 {
        var sql =
            "SELECT coalesce(sum(e.amount_fen), 0) FROM billing_entry e JOIN billing_account a ON a.id = e.account_id WHERE a.name = ?"
        var args: [any DatabaseValueConvertible] = [account.name]
        if let month { sql += " AND e.month = ?"; args.append(month.description) }
        if let before { sql += " AND e.month < ?"; args.append(before.description) }
        return try Int64.fetchOne(db, sql: sql, arguments: StatementArguments(args)) ?? 0
    }

    // MARK: Corrections

    /// Reverses a posted charge: a transaction with every leg negated, pointing to the charge's,
    /// posted in the current open month. The voucher and insurance used are given back to the
    /// charge's month while it is open. A charge is reversed at most once.
    public func reverse(chargeId: Int64, reason: String, by who: Principal) async throws -> LedgerTransaction {
        let now = self.now
        return try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM billing_charge WHERE id = ?", arguments: [chargeId]) else {
                throw StoreError.notFound(entity: "charge", id: String(chargeId))
            }
            let charge = Charge(row: row)
            guard let original = charge.transactionId else {
                throw BillingRefusal.notCorrectable("The charge \(chargeId) posted nothing, so there is nothing to reverse.")
            }
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM billing_transaction WHERE corrects = ?)", arguments: [original])
                == true
            {
                throw BillingRefusal.notCorrectable(
                    "The charge \(chargeId) was already reversed or credited; it is reversed at most once, and not after a credit note.")
            }
            let legs = try Row.fetchAll(
                db,
                sql:
                    "SELECT a.kind, a.owner, e.amount_fen FROM billing_entry e JOIN billing_account a ON a.id = e.account_id WHERE e.transaction_id = ?",
                arguments: [original]
            ).map { (AccountName(kind: $0[0], owner: $0[1]), -($0[2] as Int64)) }
            let month = try Self.openMonth(db, from: BillingMonth(date: now))
            let tx = try Self.post(
                db, kind: "reversal", reference: "reversal:charge:\(chargeId)", month: month, corrects: original, memo: reason, at: now,
                legs: legs)
            if try !Self.isClosed(db, charge.month) {
                try db.execute(
                    sql: """
                        UPDATE billing_voucher_balance SET used_fen = used_fen - ?, insurance_used_fen = insurance_used_fen - ?
                        WHERE elder_id = ? AND month = ?
                        """, arguments: [charge.split.voucherFen, charge.split.insuranceFen, charge.elderId, charge.month.description])
            }
            try self.database.audit(db, who, "reverse", "charge", String(chargeId), elderId: charge.elderId, reason: reason)
            return try Self.transaction(db, id: tx)
        }
    }

    /// A credit note: the provider gives back part of what the elder paid for a charge (a visit
    /// cut short, a complaint upheld). It points to the charge's transaction and never exceeds
    /// the elder's share of it, less earlier credit notes.
    public func creditNote(chargeId: Int64, amountFen: Int64, reason: String, by who: Principal) async throws -> LedgerTransaction {
        let now = self.now
        return try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM billing_charge WHERE id = ?", arguments: [chargeId]) else {
                throw StoreError.notFound(entity: "charge", id: String(chargeId))
            }
            let charge = Charge(row: row)
            guard let original = charge.transactionId else {
                throw BillingRefusal.notCorrectable("The charge \(chargeId) posted nothing, so there is nothing to credit.")
            }
            let reversed =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM billing_transaction WHERE corrects = ? AND kind = 'reversal')",
                    arguments: [original]) ?? false
            let credited =
                try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT coalesce(sum(e.amount_fen), 0) FROM billing_transaction t JOIN billing_entry e ON e.transaction_id = t.id
                        JOIN billing_account a ON a.id = e.account_id WHERE t.corrects = ? AND t.kind = 'credit_note' AND a.kind = 'provider'
                        """, arguments: [original]) ?? 0
            let left = reversed ? 0 : charge.elderTotalFen - credited
            guard amountFen > 0, amountFen <= left else {
                throw BillingRefusal.notCorrectable(
                    "A credit note for charge \(chargeId) must be from 1 to \(left) fen (the elder's share, less what was credited or reversed)."
                )
            }
            let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM billing_transaction WHERE corrects = ?", arguments: [original]) ?? 0
            let month = try Self.openMonth(db, from: BillingMonth(date: now))
            let tx = try Self.post(
                db, kind: "credit_note", reference: "credit:charge:\(chargeId):\(n + 1)", month: month, corrects: original, memo: reason,
                at: now, legs: [(.provider(charge.providerId), amountFen), (.elder(charge.elderId), -amountFen)])
            try self.database.audit(db, who, "credit", "charge", String(chargeId), elderId: charge.elderId, reason: reason)
            return try Self.transaction(db, id: tx)
        }
    }

    static func transaction(_ db: Database, id: Int64) throws -> LedgerTransaction {
        guard let t = try Row.fetchOne(db, sql: "SELECT * FROM billing_transaction WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound(entity: "transaction", id: String(id))
        }
        let entries = try Row.fetchAll(
            db,
            sql:
                "SELECT a.name, e.amount_fen FROM billing_entry e JOIN billing_account a ON a.id = e.account_id WHERE e.transaction_id = ? ORDER BY e.id",
            arguments: [id]
        ).map { LedgerTransaction.Entry(account: $0[0], amountFen: $0[1]) }
        return LedgerTransaction(
            id: id, kind: t["kind"], reference: t["reference"], month: BillingMonth(t["month"] as String)!, corrects: t["corrects"],
            memo: t["memo"], entries: entries)
    }
}

/// A posted ledger transaction: its entries (debits positive, credits negative) sum to zero.
public struct LedgerTransaction: Codable, Sendable, Hashable {
    public struct Entry: Codable, Sendable, Hashable {
        public var account: String
        public var amountFen: Int64
    }
    public var id: Int64
    public var kind: String
    public var reference: String
    public var month: BillingMonth
    public var corrects: Int64?
    public var memo: String
    public var entries: [Entry]
}

extension Payment {
    init(row: Row) {
        self.init(
            id: row["id"], elderId: row["elder_id"], amountFen: row["amount_fen"], method: PaymentMethod(rawValue: row["method"]) ?? .cash,
            externalRef: row["external_ref"], payer: row["payer"], receiptNumber: row["receipt_number"],
            month: BillingMonth(row["month"] as String) ?? BillingMonth(year: 2000, month: 1)!,
            receivedAt: SQLText.date(fromTimeText: row["received_at"]) ?? Date(timeIntervalSince1970: 0),
            transactionId: row["transaction_id"])
    }
}
