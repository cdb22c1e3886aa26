import CareModel
import Foundation
internal import GRDB

/// What SQLite refused, in the API's words: the constraint, the field to blame, whether the
/// request conflicts with rows already there (409) or breaks a rule with its own values (422),
/// and SQLite's own code and message for the server log.
///
/// Stores name the field themselves where they know it better; this is the fallback every
/// `DatabaseError` passes through on its way to a client, so none is answered as an internal
/// error without a word. It never holds the statement's arguments, which may be personal data.
public struct DatabaseFault: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case unique, primaryKey = "primary_key", foreignKey = "foreign_key", check, notNull = "not_null", trigger
        /// Locked or busy past the timeout, or out of disk: the request may succeed later.
        case unavailable
        /// Anything else: a bug, answered as an internal error.
        case other
    }

    public var kind: Kind
    /// True for a clash with existing rows (a unique value taken, a row still referenced, a state
    /// a trigger guards); false when the request's own values break a rule.
    public var isConflict: Bool
    /// The API field: the column in camelCase (`national_id` → `nationalId`), or the table
    /// when SQLite names no column.
    public var field: String
    /// A sentence fragment for the client, e.g. "is already taken".
    public var reason: String
    /// SQLite's extended result code, e.g. 2067 for SQLITE_CONSTRAINT_UNIQUE.
    public var code: Int32
    /// SQLite's message, e.g. "UNIQUE constraint failed: account.name, account.role".
    public var message: String

    public var isConstraint: Bool { ![.unavailable, .other].contains(kind) }

    public init(kind: Kind, isConflict: Bool, field: String, reason: String, code: Int32, message: String) {
        self.kind = kind; self.isConflict = isConflict; self.field = field; self.reason = reason
        self.code = code; self.message = message
    }

    /// The fault `error` is, when it is a GRDB `DatabaseError`; nil for anything else.
    public init?(_ error: any Error) {
        guard let e = error as? DatabaseError else { return nil }
        self.init(code: e.extendedResultCode.rawValue, message: e.message ?? "", sql: e.sql)
    }

    /// Reads SQLite's message (and, for foreign keys, which name no column, the statement's verb
    /// and table) into a field and a status.
    init(code: Int32, message: String, sql: String?) {
        self.code = code
        self.message = message
        let statement = Self.statement(sql)
        // ON DELETE RESTRICT is reported as a trigger's failure, with the foreign key's message.
        let foreignKey = code == 787 || message.hasPrefix("FOREIGN KEY constraint failed")
        switch code {
        case _ where foreignKey:  // SQLITE_CONSTRAINT_FOREIGNKEY
            kind = .foreignKey
            let table = statement.table ?? "row"
            if statement.verb == "DELETE" {
                // ON DELETE RESTRICT: the row is still referenced; deactivation is the way.
                isConflict = true
                field = Self.apiName(table)
                reason = "is still referenced by other records and cannot be deleted"
            } else {
                isConflict = false
                field = Self.apiName(table)
                reason = "refers to a record that does not exist"
            }
        case 2067, 1555:  // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
            kind = code == 2067 ? .unique : .primaryKey
            isConflict = true
            let columns = Self.columns(after: "constraint failed: ", in: message)
            field = columns.first.map(Self.apiName) ?? statement.table.map(Self.apiName) ?? "id"
            let others = columns.dropFirst().map(Self.apiName)
            reason =
                others.isEmpty
                ? "is already taken" : "is already taken by another record with the same \(others.joined(separator: " and "))"
        case 275:  // SQLITE_CONSTRAINT_CHECK
            kind = .check
            isConflict = false
            let expression = message.components(separatedBy: "constraint failed: ").dropFirst().first ?? ""
            field = Self.firstColumn(in: expression).map(Self.apiName) ?? statement.table.map(Self.apiName) ?? "body"
            reason = expression.isEmpty ? "breaks a rule of the record" : "breaks the rule \(expression)"
        case 1299:  // SQLITE_CONSTRAINT_NOTNULL
            kind = .notNull
            isConflict = false
            let columns = Self.columns(after: "constraint failed: ", in: message)
            field = columns.first.map(Self.apiName) ?? statement.table.map(Self.apiName) ?? "body"
            reason = "is required"
        case 1811:  // SQLITE_CONSTRAINT_TRIGGER: RAISE(ABORT, …) guards a state or history
            kind = .trigger
            let known = Self.triggers[message]
            isConflict = known?.conflict ?? true
            field = known?.field ?? statement.table.map(Self.apiName) ?? "body"
            reason = known?.reason ?? message
        case let c where c & 0xFF == 19:  // any other SQLITE_CONSTRAINT
            kind = .check
            isConflict = false
            field = statement.table.map(Self.apiName) ?? "body"
            reason = "breaks a rule of the record"
        case let c where [5, 6, 13].contains(c & 0xFF):  // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL
            kind = .unavailable
            isConflict = false
            field = ""
            reason = "the database is busy or full"
        default:
            kind = .other
            isConflict = false
            field = ""
            reason = ""
        }
    }

    /// The triggers whose messages say more than their table: what the client did and the field
    /// it did it with. Append-only triggers fall back to their table and message.
    static let triggers: [String: (field: String, reason: String, conflict: Bool)] = [
        "worker_double_booked": ("workerId", "already holds a booking at that time", true),
        "billing_period_closed": ("month", "is closed: nothing more may be posted to it", true),
    ]

    /// `INSERT INTO account …` → ("INSERT", "account"); nil parts when the SQL is unusual.
    static func statement(_ sql: String?) -> (verb: String?, table: String?) {
        guard let sql else { return (nil, nil) }
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" }).map(String.init)
        let upper = words.map { $0.uppercased() }
        guard let verbAt = upper.firstIndex(where: { ["INSERT", "UPDATE", "DELETE", "REPLACE"].contains($0) }) else { return (nil, nil) }
        let verb = upper[verbAt]
        var i = verbAt + 1
        while i < words.count, ["OR", "ABORT", "FAIL", "IGNORE", "REPLACE", "ROLLBACK", "INTO", "FROM"].contains(upper[i]) { i += 1 }
        guard i < words.count else { return (verb, nil) }
        let table = words[i].trimmingCharacters(in: CharacterSet(charactersIn: "\"`[]"))
        return (verb, table)
    }

    /// "UNIQUE constraint failed: account.name, account.role" → ["name", "role"];
    /// "… failed: index 'elder_by_national_id'" → ["national_id"].
    static func columns(after marker: String, in message: String) -> [String] {
        guard let range = message.range(of: marker) else { return [] }
        let list = message[range.upperBound...]
        if list.hasPrefix("index ") {
            // Indexes are named `<table>_by_<column>`; the column is what a client sent.
            let index = list.dropFirst(6).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            return [index.components(separatedBy: "_by_").last ?? index]
        }
        return list.split(separator: ",").map { part in
            let name = part.trimmingCharacters(in: .whitespaces)
            return name.split(separator: ".").last.map(String.init) ?? name
        }
    }

    /// The first column a CHECK expression names: "length(code) = 12" → "code". Functions and
    /// keywords are skipped.
    static func firstColumn(in expression: String) -> String? {
        let keywords: Set<String> = [
            "AND", "OR", "NOT", "IN", "IS", "NULL", "BETWEEN", "LIKE", "GLOB", "CASE", "WHEN", "THEN", "ELSE", "END",
        ]
        let chars = Array(expression)
        var i = 0
        while i < chars.count {
            if chars[i] == "'" {  // a string literal
                i += 1
                while i < chars.count, chars[i] != "'" { i += 1 }
                i += 1
                continue
            }
            guard chars[i].isLetter || chars[i] == "_" else { i += 1; continue }
            var j = i
            while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
            let word = String(chars[i..<j])
            var k = j
            while k < chars.count, chars[k] == " " { k += 1 }
            if !(k < chars.count && chars[k] == "("), !keywords.contains(word.uppercased()) { return word }
            i = j
        }
        return nil
    }

    /// `national_id` → `nationalId`: the API spells columns in camelCase.
    static func apiName(_ column: String) -> String {
        let parts = column.split(separator: "_")
        guard let first = parts.first else { return column }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
