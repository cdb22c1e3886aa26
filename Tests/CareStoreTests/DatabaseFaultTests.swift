import CareModel
import Foundation
import GRDB
import Testing

@testable import CareStore

/// Every kind of constraint SQLite enforces, broken on the real schema, read back as the field a
/// client sent and whether it is a conflict (409) or the request's own values (422).
@Suite("Database errors as faults")
struct DatabaseFaultTests {
    /// Runs `sql` in a write and returns the fault it raised.
    func fault(_ t: TestDatabase, _ sql: String, _ arguments: StatementArguments = []) async throws -> DatabaseFault? {
        do {
            try await t.database.pool.write { db in try db.execute(sql: sql, arguments: arguments) }
            Issue.record("expected \(sql) to fail")
            return nil
        } catch {
            return DatabaseFault(error)
        }
    }

    @Test func eachConstraintNamesItsFieldAndStatus() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let now = "2026-12-01T00:00:00Z"
        try await t.database.pool.write { db in
            try db.execute(
                sql: "INSERT INTO account (name, role, created_at, updated_at) VALUES ('李娜', 'operator', ?, ?), ('李娜', 'admin', ?, ?)",
                arguments: [now, now, now, now])
        }

        // UNIQUE over two columns: the first is the field, the second says why.
        let unique = try #require(try await fault(t, "UPDATE account SET role = 'operator' WHERE role = 'admin'"))
        #expect(unique.kind == .unique && unique.isConflict && unique.field == "name" && unique.code == 2067)
        #expect(unique.message == "UNIQUE constraint failed: account.name, account.role")
        #expect(unique.reason == "is already taken by another record with the same role")

        // A foreign key on insert: the request names something that is not there (422).
        let missing = try #require(
            try await fault(
                t, "INSERT INTO account (name, role, institution_id, created_at, updated_at) VALUES ('王', 'provider', 999, ?, ?)",
                [now, now]))
        #expect(missing.kind == .foreignKey && !missing.isConflict && missing.field == "account" && missing.code == 787)

        // A foreign key on delete (RESTRICT): still referenced, a conflict with existing rows (409).
        let referenced = try #require(try await fault(t, "DELETE FROM region WHERE code = '450900000000'"))
        #expect(referenced.kind == .foreignKey && referenced.isConflict && referenced.field == "region", "\(referenced)")

        // CHECK: the column in the expression is the field.
        let check = try #require(
            try await fault(
                t, "INSERT INTO region (code, name, level, created_at, updated_at) VALUES ('4509', 'x', 'city', ?, ?)", [now, now]))
        #expect(check.kind == .check && !check.isConflict && check.field == "code" && check.code == 275)
        #expect(check.message.hasPrefix("CHECK constraint failed: "))

        // NOT NULL.
        let notNull = try #require(
            try await fault(t, "INSERT INTO account (name, role, created_at, updated_at) VALUES (NULL, 'admin', ?, ?)", [now, now]))
        #expect(notNull.kind == .notNull && !notNull.isConflict && notNull.field == "name" && notNull.code == 1299)

        // A trigger guarding history: a conflict, its message kept.
        let trigger = try #require(try await fault(t, "DELETE FROM audit_log"))
        #expect(trigger.kind == .trigger && trigger.isConflict && trigger.code == 1811)
        #expect(trigger.message == "the audit log is append-only" && trigger.field == "auditLog")

        // A unique index named `<table>_by_<column>` names its column.
        #expect(DatabaseFault.columns(after: "failed: ", in: "UNIQUE constraint failed: index 'elder_by_national_id'") == ["national_id"])
        // A known trigger's message becomes the field the client sent.
        let booked = DatabaseFault(code: 1811, message: "worker_double_booked", sql: "INSERT INTO booking (worker_id) VALUES (?)")
        #expect(booked.field == "workerId" && booked.isConflict)
        // Busy is not the client's fault and not a bug: 503.
        #expect(DatabaseFault(code: 5, message: "database is locked", sql: nil).kind == .unavailable)
        #expect(DatabaseFault(code: 1, message: "no such table: x", sql: "SELECT 1").kind == .other)
        // Anything that is not a database error is not a fault.
        #expect(DatabaseFault(StoreError.conflict(reason: "x")) == nil)
    }

    @Test func readsTheStatementsVerbAndTable() {
        #expect(DatabaseFault.statement("INSERT OR IGNORE INTO billing_charge (a) VALUES (?)") == ("INSERT", "billing_charge"))
        #expect(DatabaseFault.statement("  update \"elder\" SET x = 1") == ("UPDATE", "elder"))
        #expect(DatabaseFault.statement("DELETE FROM device WHERE id = ?") == ("DELETE", "device"))
        #expect(DatabaseFault.statement(nil) == (nil, nil))
        #expect(DatabaseFault.firstColumn(in: "length(code) = 12") == "code")
        #expect(DatabaseFault.firstColumn(in: "status IN ('open', 'overdue')") == "status")
        #expect(DatabaseFault.apiName("national_id") == "nationalId" && DatabaseFault.apiName("name") == "name")
    }
}
