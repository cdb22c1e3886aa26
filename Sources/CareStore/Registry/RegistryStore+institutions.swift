import CareModel
import Foundation
package import GRDB

public struct InstitutionFilter: Sendable {
    public var kind: InstitutionKind?
    /// Region code at any level: institutions in it or under it.
    public var region: String?
    public var status: RecordStatus?
    /// Part of the name, matched anywhere.
    public var nameContains: String?
    public init(kind: InstitutionKind? = nil, region: String? = nil, status: RecordStatus? = nil, nameContains: String? = nil) {
        self.kind = kind; self.region = region; self.status = status; self.nameContains = nameContains
    }
}

extension RegistryStore {
    public func createInstitution(_ i: Institution, by who: Principal) async throws -> Institution {
        try await database.pool.write { db in
            try Self.requireRegion(db, i.regionCode)
            var n = i
            n.createdAt = database.clock.now(); n.updatedAt = n.createdAt; n.version = 1
            try db.execute(
                sql: """
                    INSERT INTO institution (kind, name, region_code, address, latitude, longitude, phone, beds, nursing_beds,
                        status, version, created_at, updated_at) VALUES (\(placeholders(13)))
                    """,
                arguments: [
                    n.kind.rawValue, n.name, n.regionCode, n.address, n.location?.latitude,
                    n.location?.longitude, n.phone, n.beds, n.nursingBeds, n.status.rawValue, 1,
                    n.createdAt, n.updatedAt,
                ])
            n.id = db.lastInsertedRowID
            try database.audit(db, who, "create", "institution", String(n.id))
            return n
        }
    }

    public func institution(id: Int64) async throws -> Institution {
        try await database.pool.read { db in try Self.institution(db, id: id) }
    }

    package static func institution(_ db: Database, id: Int64) throws -> Institution {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM institution WHERE id = ?"), arguments: [id]) else {
            throw StoreError.notFound(entity: "institution", id: String(id))
        }
        return Institution(row: row)
    }

    public func updateInstitution(
        id: Int64, _ patch: InstitutionPatch, expectedVersion: Int? = nil,
        by who: Principal
    ) async throws -> Institution {
        try await database.pool.write { db in
            let old = try Self.institution(db, id: id)
            if let expectedVersion, expectedVersion != old.version {
                throw StoreError.versionMismatch(entity: "institution", id: String(id), expected: expectedVersion, current: old.version)
            }
            let n = try patch.applied(to: old, now: database.clock.now())
            try db.execute(
                sql: """
                    UPDATE institution SET name = ?, address = ?, latitude = ?, longitude = ?, phone = ?, beds = ?,
                        nursing_beds = ?, status = ?, version = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [
                    n.name, n.address, n.location?.latitude, n.location?.longitude, n.phone, n.beds,
                    n.nursingBeds, n.status.rawValue, n.version, n.updatedAt, id,
                ])
            let fields = [
                ("name", n.name != old.name), ("address", n.address != old.address),
                ("location", n.location != old.location), ("phone", n.phone != old.phone),
                ("beds", n.beds != old.beds), ("nursingBeds", n.nursingBeds != old.nursingBeds),
                ("status", n.status != old.status),
            ].filter(\.1).map(\.0)
            try database.audit(db, who, "update", "institution", String(id), fields: fields)
            return n
        }
    }

    public func institutions(_ filter: InstitutionFilter, page: PageRequest) async throws -> Page<Institution> {
        try await database.pool.read { db in
            var q = SQLQuery("SELECT * FROM institution")
            if let k = filter.kind { q.where("kind = ?", k.rawValue) }
            if let r = filter.region { q.where("region_code GLOB ?", RegionCode.prefix(of: RegionCode.normalise(r)) + "*") }
            if let s = filter.status { q.where("status = ?", s.rawValue) }
            if let t = filter.nameContains { q.where("instr(name, ?) > 0", t) }
            if let after = page.after.flatMap(Int64.init) { q.where("id > ?", after) }
            q.suffix("ORDER BY id LIMIT ?", page.limit + 1)
            return Page.from(try q.fetchAll(db).map(Institution.init(row:)), limit: page.limit) { String($0.id) }
        }
    }
}
