import CareModel
import Foundation
package import GRDB

extension RegistryStore {
    /// An elder's contacts in call order.
    public func contacts(elderId: Int64) async throws -> [EmergencyContact] {
        try await database.pool.read { db in
            _ = try Self.elder(db, id: elderId)
            return try Self.contacts(db, elderId: elderId)
        }
    }

    package static func contacts(_ db: Database, elderId: Int64) throws -> [EmergencyContact] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM emergency_contact WHERE elder_id = ? ORDER BY position"),
            arguments: [elderId]
        ).map(EmergencyContact.init(row:))
    }

    /// Adds a contact at the end of the call order.
    public func addContact(elderId: Int64, _ contact: NewContact, by who: Principal) async throws -> EmergencyContact {
        try NewContact.validate([contact], field: "contact")
        return try await database.pool.write { db in
            _ = try Self.elder(db, id: elderId)
            let count =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM emergency_contact WHERE elder_id = ?",
                    arguments: [elderId]) ?? 0
            guard count < 10 else { throw StoreError.conflict(reason: "elder \(elderId) already has 10 contacts") }
            let c = try Self.insertContact(db, elderId: elderId, position: count + 1, contact)
            try database.audit(db, who, "create", "contact", String(c.id), fields: ["elder:\(elderId)"])
            return c
        }
    }

    /// Replaces the whole call list: the way to reorder it in one step.
    public func replaceContacts(elderId: Int64, _ list: [NewContact], by who: Principal) async throws -> [EmergencyContact] {
        try NewContact.validate(list)
        return try await database.pool.write { db in
            _ = try Self.elder(db, id: elderId)
            try db.execute(sql: "DELETE FROM emergency_contact WHERE elder_id = ?", arguments: [elderId])
            let stored = try list.enumerated().map { i, c in try Self.insertContact(db, elderId: elderId, position: i + 1, c) }
            try database.audit(db, who, "replace", "contacts", String(elderId), fields: ["count:\(list.count)"])
            return stored
        }
    }

    public func updateContact(elderId: Int64, contactId: Int64, _ patch: ContactPatch, by who: Principal) async throws -> EmergencyContact {
        try patch.validate()
        return try await database.pool.write { db in
            var list = try Self.contacts(db, elderId: elderId)
            guard let index = list.firstIndex(where: { $0.id == contactId }) else {
                throw StoreError.notFound(entity: "contact", id: String(contactId))
            }
            var c = list[index]
            var fields: [String] = []
            if let v = patch.name, v != c.name { c.name = v; fields.append("name") }
            if let v = patch.relation, v != c.relation { c.relation = v; fields.append("relation") }
            if let v = patch.phone, v != c.phone { c.phone = v; fields.append("phone") }
            if let v = patch.hasKey, v != c.hasKey { c.hasKey = v; fields.append("hasKey") }
            list[index] = c
            if let p = patch.position, p != c.position {
                list.remove(at: index)
                list.insert(c, at: min(p, list.count + 1) - 1)
                fields.append("position")
            }
            guard !fields.isEmpty else { return c }
            for (i, var item) in list.enumerated() {
                item.position = i + 1
                try db.execute(
                    sql: """
                        UPDATE emergency_contact SET position = ?, name = ?, relation = ?, phone = ?, has_key = ? WHERE id = ?
                        """, arguments: [item.position, item.name, item.relation.rawValue, item.phone, item.hasKey, item.id])
                if item.id == contactId { c = item }
            }
            try database.audit(db, who, "update", "contact", String(contactId), fields: fields)
            return c
        }
    }

    public func deleteContact(elderId: Int64, contactId: Int64, by who: Principal) async throws {
        try await database.pool.write { db in
            var list = try Self.contacts(db, elderId: elderId)
            guard let index = list.firstIndex(where: { $0.id == contactId }) else {
                throw StoreError.notFound(entity: "contact", id: String(contactId))
            }
            list.remove(at: index)
            try db.execute(sql: "DELETE FROM emergency_contact WHERE id = ?", arguments: [contactId])
            for (i, item) in list.enumerated() where item.position != i + 1 {
                try db.execute(sql: "UPDATE emergency_contact SET position = ? WHERE id = ?", arguments: [i + 1, item.id])
            }
            try database.audit(db, who, "delete", "contact", String(contactId), fields: ["elder:\(elderId)"])
        }
    }

    @discardableResult
    package static func insertContact(_ db: Database, elderId: Int64, position: Int, _ c: NewContact) throws -> EmergencyContact {
        try db.execute(
            sql: """
                INSERT INTO emergency_contact (elder_id, position, name, relation, phone, has_key) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [elderId, position, c.name, c.relation.rawValue, c.phone, c.hasKey ?? false])
        return EmergencyContact(
            id: db.lastInsertedRowID, elderId: elderId, position: position, name: c.name,
            relation: c.relation, phone: c.phone, hasKey: c.hasKey ?? false)
    }
}
