import CareModel
import Foundation
package import GRDB

/// Filters for listing elders. All given filters must hold.
public struct ElderFilter: Sendable {
    /// Region code at any level: elders in it or under it.
    public var region: String?
    /// Elders in this subsidy category.
    public var category: SubsidyCategory?
    public var status: RecordStatus?
    public var livingSituation: LivingSituation?
    public var careLevel: CareLevel?
    /// Part of a name: every character must appear, in order, adjacent (「张伟」 finds 张伟明).
    public var nameContains: String?

    public init(
        region: String? = nil, category: SubsidyCategory? = nil, status: RecordStatus? = nil,
        livingSituation: LivingSituation? = nil, careLevel: CareLevel? = nil, nameContains: String? = nil
    ) {
        self.region = region; self.category = category; self.status = status
        self.livingSituation = livingSituation; self.careLevel = careLevel; self.nameContains = nameContains
    }
}

extension RegistryStore {
    /// Registers an elder (already validated by ``NewElder/validated(now:)``) with their contacts.
    public func createElder(_ elder: Elder, contacts: [NewContact] = [], by who: Principal) async throws -> Elder {
        try NewContact.validate(contacts)
        return try await database.pool.write { db in
            try Self.requireRegion(db, elder.regionCode)
            var e = elder
            e.version = 1
            e.createdAt = database.clock.now()
            e.updatedAt = e.createdAt
            do {
                try db.execute(
                    sql: "INSERT INTO elder (\(Elder.columns)) VALUES (\(placeholders(19)))",
                    arguments: e.arguments)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StoreError.duplicate(field: "nationalId", reason: "is already registered to another elder")
            }
            e.id = db.lastInsertedRowID
            try Self.indexName(db, id: e.id, name: e.name, isNew: true)
            for (i, c) in contacts.enumerated() { try Self.insertContact(db, elderId: e.id, position: i + 1, c) }
            try database.audit(db, who, "create", "elder", String(e.id))
            return e
        }
    }

    public func elder(id: Int64) async throws -> Elder {
        try database.pointRead { db in try Self.elder(db, id: id) }
    }

    package static func elder(_ db: Database, id: Int64) throws -> Elder {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM elder WHERE id = ?"), arguments: [id]) else {
            throw StoreError.notFound(entity: "elder", id: String(id))
        }
        return Elder(row: row)
    }

    /// Applies `change` to the elder in one transaction.
    /// - Parameter expectedVersion: when given (from `If-Match`), the update is refused if the
    ///   elder changed since the caller read it.
    public func updateElder(
        id: Int64, expectedVersion: Int? = nil, by who: Principal,
        _ change: @Sendable (Elder, Date) throws -> Elder
    ) async throws -> Elder {
        return try await database.pool.write { db in
            let old = try Self.elder(db, id: id)
            if let expectedVersion, expectedVersion != old.version {
                throw StoreError.versionMismatch(entity: "elder", id: String(id), expected: expectedVersion, current: old.version)
            }
            let new = try change(old, database.clock.now())
            let fields = new.changedFields(from: old)
            guard !fields.isEmpty else { return old }
            if new.regionCode != old.regionCode { try Self.requireRegion(db, new.regionCode) }
            try db.execute(
                sql: """
                    UPDATE elder SET name = ?, phone = ?, address = ?, latitude = ?, longitude = ?, region_code = ?,
                        living_situation = ?, care_level = ?, categories = ?, consent_share_health = ?,
                        consent_use_location = ?, consent_notify_family = ?, status = ?, version = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    new.name, new.phone, new.address, new.location?.latitude, new.location?.longitude,
                    new.regionCode, new.livingSituation.rawValue, new.careLevel.rawValue,
                    SubsidyCategory.mask(new.categories), new.consent.shareHealthArchive,
                    new.consent.useLocation, new.consent.notifyFamily, new.status.rawValue,
                    old.version + 1, new.updatedAt, id,
                ])
            if new.name != old.name { try Self.indexName(db, id: id, name: new.name, isNew: false) }
            let action = new.status == .inactive && old.status == .active ? "deactivate" : "update"
            try database.audit(db, who, action, "elder", String(id), fields: fields)
            var stored = new
            stored.version = old.version + 1
            return stored
        }
    }

    /// Deletes an elder registered by mistake. Refused once the elder has history (devices now;
    /// calls, bookings and charges in later schema versions, all `ON DELETE RESTRICT`):
    /// deactivate instead, so nothing that happened is ever orphaned.
    public func deleteElder(id: Int64, by who: Principal) async throws {
        try await database.pool.write { db in
            _ = try Self.elder(db, id: id)
            do {
                try db.execute(sql: "DELETE FROM elder WHERE id = ?", arguments: [id])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError.conflict(
                    reason: "elder \(id) has history (devices or service records) and cannot be deleted; set status to inactive instead")
            }
            try db.execute(sql: "DELETE FROM elder_name_search WHERE rowid = ?", arguments: [id])
            try database.audit(db, who, "delete", "elder", String(id))
        }
    }

    /// Elders by id, oldest registration first.
    public func elders(_ filter: ElderFilter, page: PageRequest) async throws -> Page<Elder> {
        try await database.pool.read { db in
            var q = SQLQuery("SELECT * FROM elder")
            if let r = filter.region { q.where("region_code GLOB ?", RegionCode.prefix(of: RegionCode.normalise(r)) + "*") }
            if let c = filter.category { q.where("categories & ? != 0", c.bit) }
            if let s = filter.status { q.where("status = ?", s.rawValue) }
            if let l = filter.livingSituation { q.where("living_situation = ?", l.rawValue) }
            if let c = filter.careLevel { q.where("care_level = ?", c.rawValue) }
            if let text = filter.nameContains {
                let phrase = Self.searchPhrase(text)
                if phrase.isEmpty { return Page(items: [], nextCursor: nil) }
                q.where("id IN (SELECT rowid FROM elder_name_search WHERE chars MATCH ?)", phrase)
            }
            if let after = page.after.flatMap(Int64.init) { q.where("id > ?", after) }
            q.suffix("ORDER BY id LIMIT ?", page.limit + 1)
            return Page.from(try q.fetchAll(db).map(Elder.init(row:)), limit: page.limit) { String($0.id) }
        }
    }

    /// A name as the search index holds it: one token per character.
    package static func searchTokens(_ name: String) -> String {
        name.filter { !$0.isWhitespace && $0 != "\"" }.map(String.init).joined(separator: " ")
    }

    /// An FTS5 phrase query for `text`: its characters, adjacent and in order.
    package static func searchPhrase(_ text: String) -> String {
        let tokens = searchTokens(text)
        return tokens.isEmpty ? "" : "\"" + tokens + "\""
    }

    package static func indexName(_ db: Database, id: Int64, name: String, isNew: Bool) throws {
        if !isNew { try db.execute(sql: "DELETE FROM elder_name_search WHERE rowid = ?", arguments: [id]) }
        try db.execute(
            sql: "INSERT INTO elder_name_search (rowid, chars) VALUES (?, ?)",
            arguments: [id, searchTokens(name)])
    }
}

/// `?, ?, …` for `count` values.
func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}
