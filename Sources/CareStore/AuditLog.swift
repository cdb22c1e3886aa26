import CareModel
import Foundation
package import GRDB

/// Filters for the audit log listing.
public struct AuditFilter: Sendable {
    public var entity: String?
    public var entityId: String?
    public var actorAccountId: Int64?
    /// Entries about one elder's records, reads included.
    public var elderId: Int64?
    public init(entity: String? = nil, entityId: String? = nil, actorAccountId: Int64? = nil, elderId: Int64? = nil) {
        self.entity = entity; self.entityId = entityId; self.actorAccountId = actorAccountId; self.elderId = elderId
    }
}

extension CareDatabase {
    /// Appends one entry to the audit log, inside the caller's transaction, so a change and its
    /// record commit or fail together. `elderId` and `reason` say whose record it concerns and why
    /// it was opened (health data: "agency scope", "call 42").
    package func audit(
        _ db: Database, _ who: Principal, _ action: String, _ entity: String, _ entityId: String,
        fields: [String] = [], elderId: Int64? = nil, reason: String? = nil
    ) throws {
        // Prepared once per connection: a push or a pull writes one entry per record or elder.
        try db.cachedStatement(
            sql: """
                INSERT INTO audit_log (at, actor_name, actor_account_id, actor_role, action, entity, entity_id, fields, elder_id, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                clock.now(), who.name, who.accountId, who.role.rawValue, action, entity, entityId,
                fields.joined(separator: ","), elderId, reason,
            ])
    }

    /// The audit log, newest first.
    public func auditLog(_ filter: AuditFilter, page: PageRequest) async throws -> Page<AuditEntry> {
        try await pool.read { db in
            var q = SQLQuery("SELECT * FROM audit_log")
            if let e = filter.entity { q.where("entity = ?", e) }
            if let e = filter.entityId { q.where("entity_id = ?", e) }
            if let a = filter.actorAccountId { q.where("actor_account_id = ?", a) }
            if let e = filter.elderId { q.where("elder_id = ?", e) }
            if let after = page.after.flatMap(Int64.init) { q.where("id < ?", after) }
            q.suffix("ORDER BY id DESC LIMIT ?", page.limit + 1)
            let rows = try q.fetchAll(db).map(AuditEntry.init(row:))
            return Page.from(rows, limit: page.limit) { String($0.id) }
        }
    }
}

/// A small builder for `SELECT … WHERE a AND b … ORDER/LIMIT` with bound arguments.
package struct SQLQuery {
    private var head: String
    private var conditions: [String] = []
    private var tail = ""
    private var arguments = StatementArguments()
    private var tailArguments = StatementArguments()

    package init(_ head: String) { self.head = head }

    package mutating func `where`(_ condition: String, _ values: (any DatabaseValueConvertible)?...) {
        conditions.append(condition)
        arguments += StatementArguments(values)
    }

    package mutating func suffix(_ sql: String, _ values: (any DatabaseValueConvertible)?...) {
        tail = sql
        tailArguments = StatementArguments(values)
    }

    package var sql: String {
        head + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) + " " + tail
    }

    package func fetchAll(_ db: Database) throws -> [Row] {
        try Row.fetchAll(db, sql: sql, arguments: arguments + tailArguments)
    }
}

extension Page {
    /// Cuts a fetch of `limit + 1` rows into a page; the extra row only says a next page exists.
    package static func from(_ rows: [Item], limit: Int, key: (Item) -> String) -> Page {
        guard rows.count > limit else { return Page(items: rows, nextCursor: nil) }
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: items.last.map { Cursor.encode(key($0)) })
    }
}
