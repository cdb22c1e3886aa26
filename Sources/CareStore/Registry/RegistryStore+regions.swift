import CareModel
import Foundation
package import GRDB

/// Filters for listing regions.
public struct RegionFilter: Sendable {
    public var parentCode: String?
    public var level: RegionLevel?
    /// Any region whose code lies under this one.
    public var within: String?
    /// Part of the name, matched anywhere (「玉城」 finds 玉城街道).
    public var nameContains: String?
    public init(parentCode: String? = nil, level: RegionLevel? = nil, within: String? = nil, nameContains: String? = nil) {
        self.parentCode = parentCode; self.level = level; self.within = within; self.nameContains = nameContains
    }
}

extension RegistryStore {
    public func createRegion(_ region: Region, by who: Principal) async throws -> Region {
        try await database.pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM region WHERE code = ?", arguments: [region.code]) != nil {
                throw StoreError.duplicate(field: "code", reason: "region \(region.code) already exists")
            }
            if let parent = region.parentCode,
                try Row.fetchOne(db, sql: "SELECT 1 FROM region WHERE code = ?", arguments: [parent]) == nil
            {
                throw StoreError.invalid(ValidationFailure(field: "parentCode", reason: "names no known region (\(parent))"))
            }
            let now = database.clock.now()
            try db.execute(
                sql: """
                    INSERT INTO region (code, name, level, parent_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [region.code, region.name, region.level.rawValue, region.parentCode, now, now])
            try database.audit(db, who, "create", "region", region.code, fields: ["name"])
            return region
        }
    }

    public func region(code: String) async throws -> Region {
        try await database.pool.read { db in try Self.region(db, code: code) }
    }

    package static func region(_ db: Database, code: String) throws -> Region {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM region WHERE code = ?", arguments: [code]) else {
            throw StoreError.notFound(entity: "region", id: code)
        }
        return Region(row: row)
    }

    public func updateRegion(code: String, _ patch: RegionPatch, by who: Principal) async throws -> Region {
        try await database.pool.write { db in
            var region = try Self.region(db, code: code)
            guard let name = patch.name, name != region.name else { return region }
            var v = Validator()
            v.checkText(name, "name", maxLength: 100)
            try v.finish()
            region.name = name
            try db.execute(
                sql: "UPDATE region SET name = ?, updated_at = ? WHERE code = ?",
                arguments: [name, database.clock.now(), code])
            try database.audit(db, who, "update", "region", code, fields: ["name"])
            return region
        }
    }

    /// Regions ordered by code (so a district's streets follow it).
    public func regions(_ filter: RegionFilter, page: PageRequest) async throws -> Page<Region> {
        try await database.pool.read { db in
            var q = SQLQuery("SELECT * FROM region")
            if let p = filter.parentCode { q.where("parent_code = ?", p) }
            if let l = filter.level { q.where("level = ?", l.rawValue) }
            if let w = filter.within { q.where("code GLOB ?", RegionCode.prefix(of: w) + "*") }
            if let t = filter.nameContains { q.where("instr(name, ?) > 0", t) }
            if let after = page.after { q.where("code > ?", after) }
            q.suffix("ORDER BY code LIMIT ?", page.limit + 1)
            return Page.from(try q.fetchAll(db).map(Region.init(row:)), limit: page.limit) { $0.code }
        }
    }

    /// Checks that a region exists, reporting `field` when it does not.
    package static func requireRegion(_ db: Database, _ code: String, field: String = "regionCode") throws {
        if try Row.fetchOne(db, sql: "SELECT 1 FROM region WHERE code = ?", arguments: [code]) == nil {
            throw StoreError.invalid(ValidationFailure(field: field, reason: "names no known region (\(code))"))
        }
    }
}
