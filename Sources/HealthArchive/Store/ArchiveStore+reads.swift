import CareModel
import CareStore
import Foundation
internal import GRDB

/// A resource as served, in bytes, for answers too large to decode.
public struct RawResource: Sendable {
    public var type: FHIRResourceType
    public var id: String
    public var json: [UInt8]
}

/// One page of a search: the matches, what `_include`/`_revinclude` brought, and where the next
/// page starts.
public struct ArchivePage: Sendable {
    public var matches: [StoredResource]
    public var included: [StoredResource]
    public var next: ArchiveQuery.Position?

    public init(matches: [StoredResource], included: [StoredResource] = [], next: ArchiveQuery.Position? = nil) {
        self.matches = matches; self.included = included; self.next = next
    }
}

extension ArchiveStore {
    // MARK: - Reading

    /// The resource's current version, tombstone or not.
    public func resource(_ type: FHIRResourceType, id: String) async throws -> StoredResource? {
        try await database.read { db in try self.current(db, type, id: id) }
    }

    /// One version of a resource, current or old.
    public func resource(_ type: FHIRResourceType, id: String, version: Int) async throws -> StoredResource? {
        try await database.read { db in
            guard let current = try self.current(db, type, id: id) else { return nil }
            if current.version == version { return current }
            return try Row.fetchOne(
                db,
                sql: """
                    SELECT r.type, r.id, r.elder_id, v.version, v.updated_ms, v.changed_by, v.deleted, v.json
                    FROM health_resource_version v JOIN health_resource r ON r.rid = v.rid
                    WHERE r.type = ? AND r.id = ? AND v.version = ?
                    """, arguments: [type.rawValue, id, version]
            ).map(StoredResource.init(row:))
        }
    }

    /// Every version of a resource, newest first.
    public func history(_ type: FHIRResourceType, id: String) async throws -> [StoredResource] {
        try await database.read { db in
            guard let current = try self.current(db, type, id: id) else { return [] }
            let old = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.type, r.id, r.elder_id, v.version, v.updated_ms, v.changed_by, v.deleted, v.json
                    FROM health_resource_version v JOIN health_resource r ON r.rid = v.rid
                    WHERE r.type = ? AND r.id = ? ORDER BY v.version DESC
                    """, arguments: [type.rawValue, id]
            ).map(StoredResource.init(row:))
            return [current] + old
        }
    }

    /// The elders a Patient search's identifiers name: national IDs (in full) through the
    /// registry, archive numbers through the archive.
    public func elders(identifiedBy identifiers: [FHIRIdentifier]) async throws -> [Int64] {
        try await database.read { db in try self.elders(db, identifiedBy: identifiers) }
    }

    /// One page of a search. The order is stable under inserts: pages continue from the last
    /// match's sort value and row, never from an offset.
    public func search(_ query: ArchiveQuery) async throws -> ArchivePage {
        try await database.read { db in
            let column = query.sort.key == .date ? "coalesce(effective_ms, 0)" : "updated_ms"
            var sql = "SELECT *, \(column) AS sort_value FROM health_resource WHERE type = ? AND deleted = 0"
            var arguments: StatementArguments = [query.type.rawValue]
            if !query.elderIds.isEmpty {
                sql += " AND elder_id IN (\(query.elderIds.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(query.elderIds)
            }
            if !query.ids.isEmpty {
                sql += " AND id IN (\(query.ids.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(query.ids)
            }
            if !query.codes.isEmpty {
                let each = query.codes.map { code in
                    code.contains("|") ? "code = ?" : "substr(code, instr(code, '|') + 1) = ?"
                }
                sql += " AND (" + each.joined(separator: " OR ") + ")"
                arguments += StatementArguments(query.codes.map { $0.hasPrefix("|") ? String($0.dropFirst()) : $0 })
            }
            for bound in query.date {
                let (condition, values) = bound.condition("effective_ms")
                sql += " AND " + condition
                arguments += StatementArguments(values)
            }
            for bound in query.lastUpdated {
                let (condition, values) = bound.condition("updated_ms")
                sql += " AND " + condition
                arguments += StatementArguments(values)
            }
            let direction = query.sort.descending ? "DESC" : "ASC"
            if let after = query.after {
                sql += " AND (\(column), rid) \(query.sort.descending ? "<" : ">") (?, ?)"
                arguments += [after.value, after.row]
            }
            sql += " ORDER BY \(column) \(direction), rid \(direction) LIMIT ?"
            arguments += [query.count + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let page = rows.prefix(query.count)
            let next = rows.count > query.count ? page.last.map { ArchiveQuery.Position(value: $0["sort_value"], row: $0["rid"]) } : nil
            let matches = page.map(StoredResource.init(row:))
            var included: [StoredResource] = []
            let elders = Array(Set(matches.map(\.elderId))).sorted()
            if query.includePatient, query.type != .patient {
                included += try self.current(db, types: [.patient], elders: elders)
            }
            if !query.revinclude.isEmpty, query.type == .patient {
                included += try self.current(db, types: query.revinclude, elders: elders)
            }
            return ArchivePage(matches: matches, included: included, next: next)
        }
    }

    /// Everything in an elder's archive that is not deleted, as the bytes served: the Patient
    /// first, then the records by type and date (`Patient/{id}/$everything`). Read by column
    /// index and copied as bytes, never decoded: an archive of 500 records is a third of a
    /// megabyte, and reading it as Strings by column name cost more than the query.
    public func everything(elderId: Int64) async throws -> [RawResource] {
        try await database.read { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT type, id, json FROM health_resource WHERE elder_id = ? AND deleted = 0
                        ORDER BY CASE type WHEN 'Patient' THEN 0 ELSE 1 END, type, effective_ms, rid
                        """), arguments: [elderId])
            var out: [RawResource] = []
            while let row = try rows.next() {
                let json = try row.withUnsafeData(atIndex: 2) { data in data.map { [UInt8]($0) } ?? [] }
                out.append(RawResource(type: FHIRResourceType(rawValue: row[0]) ?? .patient, id: row[1], json: json))
            }
            return out
        }
    }

    func current(_ db: Database, types: [FHIRResourceType], elders: [Int64]) throws -> [StoredResource] {
        guard !elders.isEmpty else { return [] }
        let order = "CASE type WHEN 'Patient' THEN 0 ELSE 1 END, type, effective_ms, rid"
        return try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM health_resource WHERE elder_id IN (\(elders.map { _ in "?" }.joined(separator: ",")))
                AND type IN (\(types.map { _ in "?" }.joined(separator: ","))) AND deleted = 0 ORDER BY \(order)
                """, arguments: StatementArguments(elders) + StatementArguments(types.map(\.rawValue))
        ).map(StoredResource.init(row:))
    }

    /// The call screen's health summary: active conditions, allergies, current medications and
    /// the latest reading of each vital sign.
    public func summary(elderId: Int64) async throws -> HealthSummary {
        try await database.read { db in
            func lines(_ type: FHIRResourceType) throws -> [String] {
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT summary FROM health_resource INDEXED BY health_by_elder
                        WHERE elder_id = ? AND type = ? AND deleted = 0 AND summary IS NOT NULL ORDER BY effective_ms DESC, rid DESC
                        """, arguments: [elderId, type.rawValue])
            }
            // The newest reading of each code.
            let vitals = try String.fetchAll(
                db,
                sql: """
                    SELECT summary FROM (
                        SELECT summary, code, max(coalesce(effective_ms, 0)) FROM health_resource INDEXED BY health_by_elder
                        WHERE elder_id = ? AND type = 'Observation' AND deleted = 0 AND summary IS NOT NULL GROUP BY code)
                    """, arguments: [elderId])
            return HealthSummary(
                conditions: try lines(.condition), allergies: try lines(.allergyIntolerance),
                medications: try lines(.medicationStatement), vitals: vitals)
        }
    }

    /// A meal's dietary needs: the summaries of the elder's active food allergies, when the elder
    /// shares the archive; the disclosure is audited with the elder and the reason.
    func foodAllergies(_ db: Database, _ question: FoodAllergiesOf) throws -> [String] {
        guard try Bool.fetchOne(db, sql: "SELECT consent_share_health FROM elder WHERE id = ?", arguments: [question.elderId]) == true
        else { return [] }
        // The resource's column is named for the table: json_each has a hidden column `json` too.
        let allergies = try String.fetchAll(
            db,
            sql: """
                SELECT r.summary FROM health_resource r INDEXED BY health_by_elder
                WHERE r.elder_id = ? AND r.type = 'AllergyIntolerance' AND r.deleted = 0 AND r.summary IS NOT NULL
                  AND EXISTS (SELECT 1 FROM json_each(r.json, '$.category') WHERE value = 'food')
                  AND coalesce(json_extract(r.json, '$.clinicalStatus.coding[0].code'), 'active') = 'active'
                ORDER BY r.effective_ms DESC, r.rid DESC
                """, arguments: [question.elderId])
        if !allergies.isEmpty {
            try database.audit(
                db, question.askedBy, "read", "AllergyIntolerance", "food", elderId: question.elderId, reason: question.reason)
        }
        return allergies
    }

    /// What ``ArchiveAccess`` needs to decide about `principal` and the elder.
    public func relation(of principal: Principal, to elderId: Int64) async throws -> HealthRelation {
        try await database.read { db in
            guard
                let elder = try Row.fetchOne(
                    db, sql: "SELECT region_code, consent_share_health FROM elder WHERE id = ?", arguments: [elderId])
            else { return HealthRelation(elderExists: false, consentToShare: false) }
            var relation = HealthRelation(elderExists: true, consentToShare: elder["consent_share_health"] as Bool)
            guard let accountId = principal.accountId else { return relation }
            if let institution = try Row.fetchOne(
                db,
                sql:
                    "SELECT i.id, i.name, i.kind, i.region_code FROM account a JOIN institution i ON i.id = a.institution_id WHERE a.id = ?",
                arguments: [accountId])
            {
                relation.institution = institution["name"]
                relation.institutionKind = InstitutionKind(rawValue: institution["kind"])
                relation.inServiceArea = RegionCode.isWithin(elder["region_code"], institution["region_code"])
                relation.enrolled =
                    try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM health_enrolment WHERE institution_id = ? AND elder_id = ?",
                        arguments: [institution["id"] as Int64, elderId]) ?? false
            }
            if principal.role == .provider {
                relation.bookedService =
                    try self.database.bus.ask(db, BookedServiceNeedsAllergies(accountId: accountId, elderId: elderId), as: Bool.self)
                    ?? false
            }
            return relation
        }
    }
}

extension ArchiveStore {
    /// Records that `principal` read records of these elders, and why; returns once durable, so
    /// nothing is shown that the audit log does not hold.
    public func recordRead(
        by principal: Principal, _ action: String, _ entity: String, _ entityId: String, elders: [(Int64, String)]
    )
        async throws
    {
        guard !elders.isEmpty else { return }
        try await database.write { db in
            for (elderId, reason) in elders {
                try self.database.audit(db, principal, action, entity, entityId, elderId: elderId, reason: reason)
            }
        }
    }
}
