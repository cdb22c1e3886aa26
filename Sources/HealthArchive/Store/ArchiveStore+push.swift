import CareModel
import CareStore
import Foundation
internal import GRDB

/// What one push has learnt of its agency's scope, so each elder is looked up once.
struct PushScope {
    var elders: [Int64: Bool] = [:]
}

/// Pushes from agencies: idempotent by push id, every entry checked against its base version
/// and merged field by field with what changed on the platform since; true conflicts recorded.
extension ArchiveStore {
    /// Applies a pushed Bundle's entries in one transaction and stores the answer with them, so a
    /// retry with the same push id returns that answer and changes nothing. A `batch` keeps each
    /// entry that succeeded (each in a savepoint); a `transaction` keeps all or nothing, and a
    /// failed one is not stored (the agency may fix it and retry).
    public func push(
        _ entries: [SyncPushEntry], transaction: Bool, pushId: String?, bodyHash: String, agency: SyncAgency, by principal: Principal
    ) async throws -> SyncPushAnswer {
        if let pushId, let stored = try await database.read({ db in try self.storedPush(db, agency, pushId, bodyHash) }) {
            return stored
        }
        let writer = ArchiveWriter(principal, reason: "sync push from \(agency.name)")
        do {
            return try await database.write { db in
                if let pushId, let stored = try self.storedPush(db, agency, pushId, bodyHash) { return stored }
                var results: [SyncPushResult] = []
                if transaction {
                    var scope = PushScope()
                    for (index, entry) in entries.enumerated() {
                        let result = try self.apply(db, entry, agency: agency, pushId: pushId, by: writer, scope: &scope)
                        if result.status >= 300 { throw TransactionFailure(index: index, result: result) }
                        results.append(result)
                    }
                } else {
                    results = try self.applyBatch(db, entries, agency: agency, pushId: pushId, by: writer)
                }
                let status = 200
                let json = SyncBundle.response(results, transaction: transaction)
                let now = SQLText.time(self.database.clock.now())
                if let pushId {
                    try db.execute(
                        sql: "INSERT INTO sync_push (institution_id, push_id, body_sha1, status, response, at) VALUES (?, ?, ?, ?, ?, ?)",
                        arguments: [agency.institutionId, pushId, bodyHash, status, json, now])
                }
                let refused = results.first { $0.status >= 400 && $0.conflictId == nil }
                try db.execute(
                    sql: """
                        INSERT INTO sync_agency (institution_id, account_id, last_push_at, last_error, last_error_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (institution_id, account_id) DO UPDATE SET last_push_at = excluded.last_push_at,
                            last_error = coalesce(excluded.last_error, last_error), last_error_at = coalesce(excluded.last_error_at, last_error_at)
                        """,
                    arguments: [
                        agency.institutionId, principal.accountId ?? 0, now, refused?.outcome?.sentence, refused == nil ? nil : now,
                    ])
                return SyncPushAnswer(status: status, json: json, replayed: false, results: results)
            }
        } catch let failure as TransactionFailure {
            let outcome = failure.result.outcome ?? OperationOutcome(code: "processing", diagnostics: "entry \(failure.index) failed")
            let named = OperationOutcome(
                outcome.issues.map {
                    FHIRIssue(
                        severity: $0.severity, code: $0.code,
                        expression: "Bundle.entry[\(failure.index)]" + ($0.expression.isEmpty ? "" : "(\($0.expression))"),
                        diagnostics: "nothing of this transaction was kept: " + $0.diagnostics)
                })
            try await noteError(agency, by: principal, named.sentence)
            throw ArchiveRefusal(Self.kind(of: failure.result.status), named)
        }
    }

    /// A `batch`'s entries, each kept or not on its own. Entries are refused before they write
    /// anything, so the batch runs in one savepoint instead of one per entry (a savepoint per
    /// entry cost more than the entry's own inserts); should an entry be refused after writing,
    /// the batch is rolled back and run again with a savepoint per entry, so that what the
    /// refused entry wrote goes and the others stay.
    func applyBatch(
        _ db: Database, _ entries: [SyncPushEntry], agency: SyncAgency, pushId: String?, by writer: ArchiveWriter
    ) throws -> [SyncPushResult] {
        var results: [SyncPushResult] = []
        var wroteBeforeRefusal = false
        var scope = PushScope()
        try db.inSavepoint {
            for entry in entries {
                let before = db.totalChangesCount
                let result = try self.apply(db, entry, agency: agency, pushId: pushId, by: writer, scope: &scope)
                if result.status >= 300, result.conflictId == nil, db.totalChangesCount != before {
                    wroteBeforeRefusal = true
                    return .rollback
                }
                results.append(result)
            }
            return .commit
        }
        guard wroteBeforeRefusal else { return results }
        results = []
        scope = PushScope()
        for entry in entries {
            var result: SyncPushResult?
            try db.inSavepoint {
                let applied = try self.apply(db, entry, agency: agency, pushId: pushId, by: writer, scope: &scope)
                result = applied
                // A refused entry leaves nothing behind; a conflict keeps its record.
                return applied.status < 300 || applied.conflictId != nil ? .commit : .rollback
            }
            results.append(result!)
        }
        return results
    }

    static func kind(of status: Int) -> ArchiveRefusal.Kind {
        switch status {
        case 403: .forbidden
        case 404: .notFound
        case 409: .conflict
        case 410: .gone
        case 412: .stale
        case 422: .unprocessable
        default: .invalid
        }
    }

    /// Records a refusal as the agency's last error, for its status.
    public func noteError(_ agency: SyncAgency, by principal: Principal, _ text: String) async throws {
        try await database.write { db in
            let now = SQLText.time(self.database.clock.now())
            try db.execute(
                sql: """
                    INSERT INTO sync_agency (institution_id, account_id, last_error, last_error_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (institution_id, account_id) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at
                    """, arguments: [agency.institutionId, principal.accountId ?? 0, text, now])
        }
    }

    func storedPush(_ db: Database, _ agency: SyncAgency, _ pushId: String, _ bodyHash: String) throws -> SyncPushAnswer? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT body_sha1, status, response FROM sync_push WHERE institution_id = ? AND push_id = ?",
                arguments: [agency.institutionId, pushId])
        else { return nil }
        guard (row["body_sha1"] as String) == bodyHash else {
            throw ArchiveRefusal(
                .unprocessable, code: "duplicate", expression: "Bundle.id",
                "push \(pushId) was already answered for a different Bundle; give each new push a new id")
        }
        return SyncPushAnswer(status: row["status"], json: row["response"], replayed: true, results: [])
    }

    /// Whether an elder is in the agency's scope now, asked once per elder and push: nothing a
    /// push writes changes a scope (the registry and enrolments do).
    func inScope(_ db: Database, _ agency: SyncAgency, elderId: Int64, scope: inout PushScope) throws -> Bool {
        if let known = scope.elders[elderId] { return known }
        let answer = try inScope(db, agency, elderId: elderId)
        scope.elders[elderId] = answer
        return answer
    }

    /// Whether an elder is in the agency's scope now.
    func inScope(_ db: Database, _ agency: SyncAgency, elderId: Int64) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT 1 FROM elder e WHERE e.id = ? AND e.consent_share_health = 1
                      AND (e.id IN (SELECT elder_id FROM health_enrolment WHERE institution_id = ?) OR (? AND e.region_code LIKE ?))
                    """),
            arguments: [
                elderId, agency.institutionId, agency.kind == .communityHealthCentre, RegionCode.prefix(of: agency.regionCode) + "%",
            ]
        ) ?? false
    }

    /// One entry, inside the push's transaction: a refusal is answered as the entry's result.
    func apply(
        _ db: Database, _ entry: SyncPushEntry, agency: SyncAgency, pushId: String?, by writer: ArchiveWriter, scope: inout PushScope
    ) throws -> SyncPushResult {
        var result = SyncPushResult(status: 200, type: entry.type, id: entry.id)
        do {
            try applyChecked(db, entry, agency: agency, pushId: pushId, by: writer, scope: &scope, into: &result)
        } catch let refusal as ArchiveRefusal {
            result.status = refusal.status
            result.outcome = refusal.outcome
            if let current = refusal.current { result.version = current.version }
        } catch let outcome as OperationOutcome {
            result.status = 422
            result.outcome = outcome
        }
        return result
    }

    private func applyChecked(
        _ db: Database, _ entry: SyncPushEntry, agency: SyncAgency, pushId: String?, by writer: ArchiveWriter,
        scope: inout PushScope, into result: inout SyncPushResult
    ) throws {
        func outOfScope(_ elder: Int64) -> ArchiveRefusal {
            ArchiveRefusal(
                .forbidden, code: "forbidden",
                "Patient/\(elder) is outside the scope of \(agency.name) (its service area and enrolments, with consent)")
        }
        if entry.method == .create {
            let resource = entry.resource!
            let elder: Int64
            if resource.type == .patient {
                elder = try elderNamed(db, by: resource.identifiers, path: "Patient.identifier")
            } else {
                elder = try elderOf(db, resource)
            }
            guard try inScope(db, agency, elderId: elder, scope: &scope) else { throw outOfScope(elder) }
            let stored = try create(db, resource, by: writer)
            result.status = 201; result.id = stored.id; result.version = stored.version
            return
        }
        let id = entry.id!
        guard let existing = try current(db, entry.type, id: id) else {
            throw ArchiveRefusal(.notFound, code: "not-found", "\(entry.type.rawValue)/\(id) does not exist")
        }
        guard try inScope(db, agency, elderId: existing.elderId, scope: &scope) else { throw outOfScope(existing.elderId) }
        let base = entry.baseVersion!
        guard base <= existing.version else {
            throw ArchiveRefusal(
                .stale, code: "conflict", "\(existing.reference) has no version \(base) yet (it is at \(existing.version))",
                current: existing)
        }
        if entry.method == .delete {
            if existing.deleted {
                result.version = existing.version
                return
            }
            if base == existing.version {
                result.version = try delete(db, entry.type, id: id, by: writer).version
                return
            }
            // Changed on the platform since the agency's base: a delete would drop that change unseen.
            try recordConflict(db, agency, existing, base: base, fields: ["(deleted)"], agencyJSON: "", pushId: pushId, into: &result)
            return
        }
        let resource = entry.resource!
        if existing.deleted {
            try recordConflict(
                db, agency, existing, base: base, fields: ["(deleted)"], agencyJSON: resource.resource.text, pushId: pushId, into: &result)
            return
        }
        if base == existing.version {
            result.version = try update(db, resource, id: id, ifMatch: base, by: writer).version
            return
        }
        guard let rid = try rid(db, existing), let baseText = try content(db, rid: rid, version: base), !baseText.isEmpty,
            let baseObject = try? FHIRJSON.parse(Data(baseText.utf8)).object,
            let platformObject = try? FHIRJSON.parse(Data(existing.json.utf8)).object, let agencyObject = resource.resource.object
        else {
            try recordConflict(
                db, agency, existing, base: base, fields: ["(deleted)"], agencyJSON: resource.resource.text, pushId: pushId, into: &result)
            return
        }
        let merge = ThreeWayMerge.merge(base: baseObject, platform: platformObject, agency: agencyObject)
        guard merge.conflicts.isEmpty else {
            try recordConflict(
                db, agency, existing, base: base, fields: merge.conflicts, agencyJSON: resource.resource.text, pushId: pushId, into: &result
            )
            return
        }
        let merged = try validator.validate(.object(merge.merged), expecting: entry.type)
        result.version = try update(db, merged, id: id, ifMatch: existing.version, by: writer).version
        result.merged = true
        // Said in the answer, so the agency knows the stored version is not exactly what it sent.
        result.outcome = OperationOutcome([
            FHIRIssue(
                severity: .information, code: "informational", expression: "",
                diagnostics:
                    "merged field by field with the platform's changes since version \(base) (now version \(result.version!)); pull to get the merged record"
            )
        ])
    }

    func rid(_ db: Database, _ stored: StoredResource) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT rid FROM health_resource WHERE type = ? AND id = ?"),
            arguments: [stored.type.rawValue, stored.id])
    }

    /// Keeps both sides of a true conflict, tells the agency through the outbox, and answers 409.
    private func recordConflict(
        _ db: Database, _ agency: SyncAgency, _ existing: StoredResource, base: Int, fields: [String], agencyJSON: String, pushId: String?,
        into result: inout SyncPushResult
    ) throws {
        let now = SQLText.time(database.clock.now())
        try db.execute(
            sql: """
                INSERT INTO sync_conflict (institution_id, elder_id, type, resource_id, base_version, platform_version, fields,
                    agency_json, platform_json, push_id, status, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)
                """,
            arguments: [
                agency.institutionId, existing.elderId, existing.type.rawValue, existing.id, base, existing.version,
                fields.joined(separator: ","), agencyJSON, existing.json, pushId, now,
            ])
        let id = db.lastInsertedRowID
        try database.enqueue(
            db,
            OutboxEntry(
                topic: .syncConflict, key: "sync-conflict-\(id)", elderId: existing.elderId,
                payload: ["agencyId": String(agency.institutionId), "record": existing.reference, "conflictId": String(id)]),
            at: now)
        result.status = 409
        result.version = existing.version
        result.conflictId = id
        let type = existing.type.rawValue
        result.outcome = OperationOutcome(
            [
                FHIRIssue(
                    code: "conflict", expression: fields.map { $0.hasPrefix("(") ? type : "\(type).\($0)" }.joined(separator: ","),
                    diagnostics:
                        "conflict \(id): \(existing.reference) changed on the platform since version \(base) (now \(existing.version)) in the same \(fields == ["(deleted)"] ? "record" : "fields") (\(fields.joined(separator: ", "))); both versions are kept until it is resolved (POST /v1/sync/conflicts/\(id)/resolve)"
                )
            ])
    }

    // MARK: - Conflicts

    public func conflicts(for agency: SyncAgency?, status: String?, page: PageRequest) async throws -> Page<SyncConflict> {
        try await database.read { db in
            var q = SQLQuery("SELECT * FROM sync_conflict")
            if let agency { q.where("institution_id = ?", agency.institutionId) }
            if let status { q.where("status = ?", status) }
            if let after = page.after.flatMap(Int64.init) { q.where("id > ?", after) }
            q.suffix("ORDER BY id LIMIT ?", page.limit + 1)
            return Page.from(try q.fetchAll(db).map(Self.conflict(row:)), limit: page.limit) { String($0.id) }
        }
    }

    static func conflict(row: Row) -> SyncConflict {
        SyncConflict(
            id: row["id"], elderId: row["elder_id"], record: "\(row["type"] as String)/\(row["resource_id"] as String)",
            baseVersion: row["base_version"], platformVersion: row["platform_version"],
            fields: (row["fields"] as String).split(separator: ",").map(String.init), agencyResource: row["agency_json"],
            platformResource: row["platform_json"], status: row["status"], createdAt: row["created_at"], resolution: row["resolution"],
            resolvedVersion: row["resolved_version"], resolvedBy: row["resolved_by"], resolvedAt: row["resolved_at"])
    }

    /// Settles an open conflict: the platform's version stays, the agency's wins on the
    /// conflicting fields (merged with everything else changed since), or a merged resource
    /// becomes the next version. `agency` nil: an administrator, who may settle any.
    public func resolve(
        conflictId: Int64, _ resolution: SyncResolution, agency: SyncAgency?, by principal: Principal
    ) async throws
        -> SyncConflict
    {
        let writer = ArchiveWriter(principal, reason: "sync conflict \(conflictId) resolved")
        return try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sync_conflict WHERE id = ?", arguments: [conflictId]),
                agency == nil || (row["institution_id"] as Int64) == agency!.institutionId
            else { throw ArchiveRefusal(.notFound, code: "not-found", "there is no conflict \(conflictId) for this agency") }
            let conflict = Self.conflict(row: row)
            guard conflict.status == "open" else {
                throw ArchiveRefusal(
                    .conflict, code: "conflict",
                    "conflict \(conflictId) was already resolved (\(conflict.resolution ?? "")) by \(conflict.resolvedBy ?? "")")
            }
            guard let type = FHIRResourceType(rawValue: row["type"]), let existing = try self.current(db, type, id: row["resource_id"])
            else {
                throw ArchiveRefusal(.notFound, code: "not-found", "\(conflict.record) no longer exists")
            }
            var version = existing.version
            switch resolution {
            case .platform:
                break
            case .agency:
                if conflict.agencyResource.isEmpty {
                    if !existing.deleted { version = try self.delete(db, type, id: existing.id, by: writer).version }
                } else {
                    let agencyObject = try FHIRJSON.parse(Data(conflict.agencyResource.utf8)).object ?? FHIRObject()
                    var chosen = agencyObject
                    if !existing.deleted, let rid = try self.rid(db, existing),
                        let baseText = try self.content(db, rid: rid, version: conflict.baseVersion), !baseText.isEmpty,
                        let base = try? FHIRJSON.parse(Data(baseText.utf8)).object,
                        let platform = try? FHIRJSON.parse(Data(existing.json.utf8)).object
                    {
                        // Everything the platform changed elsewhere stays; the agency wins where both did.
                        var merge = ThreeWayMerge.merge(base: base, platform: platform, agency: agencyObject)
                        for field in merge.conflicts { merge.merged[field] = agencyObject[field] }
                        chosen = merge.merged
                    }
                    let resource = try self.validator.validate(.object(chosen), expecting: type)
                    version = try self.write(db, resource, over: existing, by: writer)
                }
            case .merged(let resource):
                guard resource.type == type else {
                    throw ArchiveRefusal(
                        .invalid, code: "invariant", expression: "resourceType", "the merged resource must be a \(type.rawValue)")
                }
                version = try self.write(db, resource, over: existing, by: writer)
            }
            try db.execute(
                sql: """
                    UPDATE sync_conflict SET status = 'resolved', resolution = ?, resolved_version = ?, resolved_by = ?, resolved_at = ?
                    WHERE id = ?
                    """, arguments: [resolution.name, version, writer.label, SQLText.time(self.database.clock.now()), conflictId])
            return Self.conflict(row: try Row.fetchOne(db, sql: "SELECT * FROM sync_conflict WHERE id = ?", arguments: [conflictId])!)
        }
    }

    /// Writes a resolution as the next version, reviving a deleted record when chosen.
    private func write(_ db: Database, _ resource: ValidatedResource, over existing: StoredResource, by writer: ArchiveWriter) throws -> Int
    {
        var resource = resource
        resource.id = existing.id
        if existing.deleted {
            let stored = try replace(db, existing, with: resource, deleted: false, by: writer.label, at: database.clock.now())
            try audit(db, writer, "update", stored)
            return stored.version
        }
        return try update(db, resource, id: existing.id, ifMatch: existing.version, by: writer).version
    }
}
