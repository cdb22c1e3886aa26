import CareModel
import CareStore
import Foundation
internal import GRDB

/// What `billing verify` found: empty ``problems`` means every check held.
public struct BillingVerification: Codable, Sendable, Hashable {
    public var problems: [String]
    public var transactions: Int
    public var charges: Int
    public var events: Int
    public var statements: Int
    public var settlements: Int

    public var ok: Bool { problems.isEmpty }
}

extension BillingStore {
    /// Proves the books: every transaction and the ledger as a whole balance; every billable
    /// event the job has read is charged exactly once and every charge comes from such an event
    /// of the same kind; each posted charge's transaction matches it; no voucher balance is
    /// negative or over its grant, and each matches the vouchers its charges used; no charge is
    /// unpriced; and every elder's statement and every provider's settlement add up to the ledger.
    ///
    /// The books are first proved with aggregate queries, which decode nothing in Swift and hold no
    /// more than a few rows in memory; only when those find something wrong is each event decoded
    /// and each statement rebuilt, to name what is wrong as precisely as possible.
    public func verify() async throws -> BillingVerification {
        if let proved = try await verifyByAggregates() { return proved }
        return try await verifyInDetail()
    }

    /// The whole verification in SQL; nil when any check fails (or cannot be decided this way,
    /// such as an event logged twice), so ``verifyInDetail()`` names the problem.
    func verifyByAggregates() async throws -> BillingVerification? {
        try await database.read { db in
            let cursor = try Self.cursor(db)
            // Each charge is made from one change-log entry, recorded by position, and an entry
            // makes at most one charge. So when every charge matches its entry's id and kind, and
            // there are exactly as many billable entries as charges, each entry was read, decoded
            // and charged once, and each charge comes from an event of its kind.
            let entries =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM change_log WHERE entity = ? AND position <= ?",
                    arguments: [BillableEvent.entity, cursor])
                ?? 0
            let charges = try Int.fetchOne(db, sql: "SELECT count(*) FROM billing_charge") ?? 0
            let matched =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM billing_charge c JOIN change_log l ON l.position = c.position
                        WHERE l.entity = ? AND l.position <= ?
                        AND CASE WHEN json_valid(l.payload) THEN json_extract(l.payload, '$.eventId') END = c.event_id
                        AND CASE WHEN json_valid(l.payload) THEN json_extract(l.payload, '$.kind') END = c.kind
                        """, arguments: [BillableEvent.entity, cursor]) ?? 0
            guard entries == charges, matched == charges else { return nil }
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM billing_charge WHERE status = 'unpriced')") == false,
                try Self.ledgerProblems(db).isEmpty, try Self.postingProblems(db).isEmpty
            else { return nil }
            // Each statement's and each settlement's movement, from the same tables and by the same
            // rules as ``statement(_:elderId:month:)`` and ``settlement(_:providerId:month:)``,
            // against its account's month on the ledger; and every account names a known owner.
            let statements = try Row.fetchOne(
                db,
                sql: """
                    WITH \(Self.ledgerAndCorrections(kind: "elder", sign: "")),
                    charged AS (
                        SELECT elder_id, month, sum(elder_fen + goods_fen) AS fen FROM billing_charge WHERE status = 'posted'
                        GROUP BY elder_id, month
                    ),
                    paid AS (SELECT elder_id, month, sum(amount_fen) AS fen FROM billing_payment GROUP BY elder_id, month),
                    allowed AS (SELECT elder_id, month, sum(amount_fen) AS fen FROM billing_allowance GROUP BY elder_id, month)
                    SELECT count(*), coalesce(sum(
                        l.owner IS NULL OR NOT EXISTS (SELECT 1 FROM elder WHERE id = l.owner)
                        OR coalesce(c.fen, 0) - coalesce(p.fen, 0) - coalesce(a.fen, 0) + coalesce(k.fen, 0) <> l.fen
                    ), 0) FROM ledger l
                    LEFT JOIN charged c ON c.elder_id = l.owner AND c.month = l.month
                    LEFT JOIN paid p ON p.elder_id = l.owner AND p.month = l.month
                    LEFT JOIN allowed a ON a.elder_id = l.owner AND a.month = l.month
                    LEFT JOIN corrected k ON k.account = l.account AND k.month = l.month
                    """)!
            let settlements = try Row.fetchOne(
                db,
                sql: """
                    WITH \(Self.ledgerAndCorrections(kind: "provider", sign: "-")),
                    charged AS (
                        SELECT provider_id, month, sum(price_fen + goods_fen) AS fen FROM billing_charge WHERE status = 'posted'
                        GROUP BY provider_id, month
                    ),
                    placed AS (SELECT institution_id, month, sum(amount_fen) AS fen FROM billing_placement GROUP BY institution_id, month)
                    SELECT count(*), coalesce(sum(
                        l.owner IS NULL OR NOT EXISTS (SELECT 1 FROM institution WHERE id = l.owner)
                        OR coalesce(c.fen, 0) + coalesce(p.fen, 0) - coalesce(k.fen, 0) <> l.fen
                    ), 0) FROM ledger l
                    LEFT JOIN charged c ON c.provider_id = l.owner AND c.month = l.month
                    LEFT JOIN placed p ON p.institution_id = l.owner AND p.month = l.month
                    LEFT JOIN corrected k ON k.account = l.account AND k.month = l.month
                    """)!
            guard statements[1] as Int == 0, settlements[1] as Int == 0 else { return nil }
            return BillingVerification(
                problems: [], transactions: try Int.fetchOne(db, sql: "SELECT count(*) FROM billing_transaction") ?? 0,
                charges: charges, events: entries, statements: statements[0], settlements: settlements[0])
        }
    }

    /// Two common table expressions for checking one kind of account month by month: `ledger`,
    /// each account's movement (negated by `sign` "-" for accounts the documents show from the
    /// other side), and `corrected`, what reversals and credit notes moved on it. Statements and
    /// settlements are checked against the same definition of a correction.
    static func ledgerAndCorrections(kind: String, sign: String) -> String {
        """
        ledger AS (
            SELECT a.id AS account, CAST(a.owner AS INTEGER) AS owner, e.month AS month, \(sign)sum(e.amount_fen) AS fen
            FROM billing_entry e JOIN billing_account a ON a.id = e.account_id
            WHERE a.kind = '\(kind)' GROUP BY e.account_id, e.month
        ),
        corrected AS (
            SELECT e.account_id AS account, e.month AS month, sum(e.amount_fen) AS fen FROM billing_transaction t
            JOIN billing_entry e ON e.transaction_id = t.id WHERE t.kind IN ('reversal', 'credit_note')
            GROUP BY e.account_id, e.month
        )
        """
    }

    /// The ledger's own checks: every transaction has entries and balances, and so does the whole.
    static func ledgerProblems(_ db: Database) throws -> [String] {
        var problems: [String] = []
        if let row = try Row.fetchOne(
            db,
            sql: "SELECT transaction_id, sum(amount_fen) FROM billing_entry GROUP BY transaction_id HAVING sum(amount_fen) <> 0 LIMIT 1"
        ) {
            problems.append("ledger transaction \(row[0] as Int64) does not balance: its entries sum to \(row[1] as Int64) fen")
        }
        let total = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(amount_fen), 0) FROM billing_entry") ?? 0
        if total != 0 { problems.append("the ledger's accounts sum to \(total) fen, not 0") }
        if let tx = try Int64.fetchOne(
            db,
            sql:
                "SELECT t.id FROM billing_transaction t WHERE NOT EXISTS (SELECT 1 FROM billing_entry e WHERE e.transaction_id = t.id) LIMIT 1"
        ) {
            problems.append("ledger transaction \(tx) has no entries")
        }
        return problems
    }

    /// Each posted charge against its posting, and the voucher balances against the charges.
    static func postingProblems(_ db: Database) throws -> [String] {
        var problems: [String] = []
        if let row = try Row.fetchOne(
            db,
            sql: """
                SELECT c.id FROM billing_charge c LEFT JOIN (
                    SELECT e.transaction_id AS tx, -sum(e.amount_fen) AS owed FROM billing_entry e
                    JOIN billing_account a ON a.id = e.account_id WHERE a.kind = 'provider' GROUP BY e.transaction_id
                ) p ON p.tx = c.transaction_id
                WHERE c.status = 'posted' AND (c.transaction_id IS NULL OR p.owed IS NOT c.price_fen + c.goods_fen) LIMIT 1
                """)
        {
            problems.append("charge \(row[0] as Int64) does not match its ledger posting")
        }
        if let row = try Row.fetchOne(
            db, sql: "SELECT elder_id, month FROM billing_voucher_balance WHERE used_fen < 0 OR used_fen > granted_fen LIMIT 1")
        {
            problems.append("the voucher balance of elder \(row[0] as Int64) in \(row[1] as String) went negative")
        }
        if let row = try Row.fetchOne(
            db,
            sql: """
                SELECT v.elder_id, v.month FROM billing_voucher_balance v
                LEFT JOIN (SELECT elder_id, month, sum(voucher_fen) AS used FROM billing_charge GROUP BY elder_id, month) c
                ON c.elder_id = v.elder_id AND c.month = v.month
                WHERE v.used_fen > coalesce(c.used, 0) LIMIT 1
                """)
        {
            problems.append("elder \(row[0] as Int64) used more voucher value in \(row[1] as String) than their charges show")
        }
        return problems
    }

    /// Each event decoded and each statement and settlement rebuilt: slow at scale, precise about
    /// what is wrong.
    func verifyInDetail() async throws -> BillingVerification {
        let cursor = try await database.read { db in try Self.cursor(db) }
        var events: [String: String] = [:]
        var unreadable: [Int64] = []
        var after: Int64 = 0
        while after < cursor {
            let page = try await database.changes(of: BillableEvent.entity, after: after, limit: 5_000)
            if page.isEmpty { break }
            for change in page where change.position <= cursor {
                if let e = JSONColumn.decode(BillableEvent.self, change.payload) {
                    events[e.eventId] = e.kind.rawValue
                } else {
                    unreadable.append(change.position)
                }
            }
            after = page.last!.position
        }
        let logged = events, skipped = unreadable
        return try await database.read { db in
            var problems: [String] = []
            if let first = skipped.first {
                problems.append(
                    "the billable change-log entry at position \(first) is not an event billing can read, so it was never charged")
            }
            var v = BillingVerification(problems: [], transactions: 0, charges: 0, events: logged.count, statements: 0, settlements: 0)
            v.transactions = try Int.fetchOne(db, sql: "SELECT count(*) FROM billing_transaction") ?? 0
            problems += try Self.ledgerProblems(db)
            let charges = try Row.fetchAll(db, sql: "SELECT id, event_id, kind, status FROM billing_charge")
            v.charges = charges.count
            var charged: Set<String> = []
            for row in charges {
                let id: Int64 = row[0], event: String = row[1], kind: String = row[2], status: String = row[3]
                charged.insert(event)
                guard let loggedKind = logged[event] else {
                    problems.append("charge \(id) is for \(event), which no billable event reported")
                    continue
                }
                if loggedKind != kind { problems.append("charge \(id) is a \(kind) but the event \(event) was a \(loggedKind)") }
                if status == Charge.Status.unpriced.rawValue { problems.append("charge \(id) (\(event)) has no tariff and posted nothing") }
            }
            if let missing = logged.keys.sorted().first(where: { !charged.contains($0) }) {
                problems.append("the billable event \(missing) was read but never charged")
            }
            problems += try Self.postingProblems(db)
            // Statements and settlements against the ledger, for every account and month that has entries.
            let months = try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT a.kind, a.owner, e.month FROM billing_entry e JOIN billing_account a ON a.id = e.account_id
                    WHERE a.kind IN ('elder', 'provider') ORDER BY a.kind, a.owner, e.month
                    """)
            for row in months {
                let kind: String = row[0], owner: String = row[1]
                guard let id = Int64(owner), let month = BillingMonth(row[2] as String) else { continue }
                let known =
                    kind == "elder"
                    ? try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM elder WHERE id = ?)", arguments: [id])
                    : try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM institution WHERE id = ?)", arguments: [id])
                if known != true {
                    problems.append("the ledger account \(kind):\(owner) names no \(kind) the registry knows")
                    continue
                }
                if kind == "elder" {
                    v.statements += 1
                    let s = try Self.statement(db, elderId: id, month: month)
                    let ledger = try Self.accountSum(db, .elder(id), month: month)
                    if s.closingBalanceFen - s.openingBalanceFen != ledger {
                        problems.append(
                            "elder \(id)'s statement for \(month) moves the balance by \(s.closingBalanceFen - s.openingBalanceFen) fen; the ledger by \(ledger)"
                        )
                    }
                } else {
                    v.settlements += 1
                    let s = try Self.settlement(db, providerId: id, month: month)
                    let ledger = -(try Self.accountSum(db, .provider(id), month: month))
                    if s.totalFen != ledger {
                        problems.append("provider \(id)'s settlement for \(month) totals \(s.totalFen) fen; the ledger says \(ledger)")
                    }
                }
            }
            v.problems = problems
            return v
        }
    }
}
