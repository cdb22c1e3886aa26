import CareModel
import CareStore
import Foundation
internal import GRDB

/// Who made a change and why, as the version and the audit log record it.
public struct ArchiveWriter: Sendable {
    public var principal: Principal
    /// The audit log's reason: `agency scope`, `device reading`, `consultation 12` …
    public var reason: String

    public init(_ principal: Principal, reason: String) { self.principal = principal; self.reason = reason }

    /// What a version records as its author: `王医生 (agency)`.
    var label: String { "\(principal.name) (\(principal.role.rawValue))" }

    static let device = Principal(accountId: nil, name: "device", role: .operator)
}

extension ArchiveStore {
    // MARK: - Creating, updating, deleting

    /// Stores a new resource (its id is the archive's to choose; a Patient's is its elder's id).
    /// A Patient is made from the registry, never from the caller's demographics: the caller's
    /// identifiers only say which elder (`Patient.identifier`, the national ID or archive number).
    public func create(_ resource: ValidatedResource, by writer: ArchiveWriter) async throws -> StoredResource {
        try await database.write { db in try self.create(db, resource, by: writer) }
    }

    /// ``create(_:by:)`` inside the caller's transaction (a pushed Bundle's).
    func create(_ db: Database, _ resource: ValidatedResource, by writer: ArchiveWriter) throws -> StoredResource {
        if resource.type == .patient {
            let elderId = try self.elderNamed(db, by: resource.identifiers, path: "Patient.identifier")
            if let existing = try self.current(db, .patient, id: String(elderId)), !existing.deleted {
                throw ArchiveRefusal(
                    .conflict, code: "duplicate", expression: "Patient.identifier",
                    "elder \(elderId) already has Patient/\(existing.id); one Patient per elder (use If-None-Exist to find it)",
                    current: existing)
            }
            let stored = try self.writePatient(db, elderId: elderId, by: writer.label, archiveNumber: self.archiveNumber(in: resource))
            try self.audit(db, writer, "create", stored)
            return stored
        }
        let elderId = try self.elderOf(db, resource)
        let stored = try self.insert(db, resource, elderId: elderId, by: writer.label, sourceKey: nil, at: self.database.clock.now())
        try self.audit(db, writer, "create", stored)
        return stored
    }

    /// Replaces a resource's content with a new version. `ifMatch` (the version the caller based
    /// the change on) must still be current: a stale one is refused with the current version.
    public func update(_ resource: ValidatedResource, id: String, ifMatch: Int?, by writer: ArchiveWriter) async throws -> StoredResource {
        try await database.write { db in try self.update(db, resource, id: id, ifMatch: ifMatch, by: writer) }
    }

    /// ``update(_:id:ifMatch:by:)`` inside the caller's transaction.
    func update(_ db: Database, _ resource: ValidatedResource, id: String, ifMatch: Int?, by writer: ArchiveWriter) throws -> StoredResource
    {
        let type = resource.type
        guard let existing = try self.current(db, type, id: id) else {
            throw ArchiveRefusal(
                .notFound, code: "not-found", "\(type.rawValue)/\(id) does not exist; create it with POST (ids are the archive's)")
        }
        if let ifMatch, ifMatch != existing.version {
            throw ArchiveRefusal(
                .stale, code: "conflict",
                "\(type.rawValue)/\(id) is at version \(existing.version), not \(ifMatch): read it again and redo the change",
                current: existing)
        }
        let now = self.database.clock.now()
        if type == .patient {
            // Identifiers name the elder; only the archive number is the caller's to change.
            let elderId = try self.elderNamed(db, by: resource.identifiers, path: "Patient.identifier")
            guard String(elderId) == id else {
                throw ArchiveRefusal(
                    .unprocessable, code: "invariant", expression: "Patient.identifier",
                    "the identifiers name elder \(elderId), not Patient/\(id)")
            }
            let stored = try self.writePatient(db, elderId: elderId, by: writer.label, archiveNumber: self.archiveNumber(in: resource))
            try self.audit(db, writer, "update", stored)
            return stored
        }
        let elderId = try self.elderOf(db, resource)
        guard elderId == existing.elderId else {
            throw ArchiveRefusal(
                .unprocessable, code: "invariant", expression: "\(type.rawValue).\(type.patientElement ?? "subject")",
                "a resource cannot move to another elder's record (it belongs to Patient/\(existing.elderId))")
        }
        let stored = try self.replace(db, existing, with: resource, deleted: false, by: writer.label, at: now)
        try self.audit(db, writer, "update", stored)
        return stored
    }

    /// Deletes a resource, leaving a tombstone: a new version with no content. Deleting what is
    /// already deleted changes nothing (FHIR's delete is idempotent).
    public func delete(_ type: FHIRResourceType, id: String, by writer: ArchiveWriter) async throws -> StoredResource {
        try await database.write { db in try self.delete(db, type, id: id, by: writer) }
    }

    /// ``delete(_:id:by:)`` inside the caller's transaction.
    func delete(_ db: Database, _ type: FHIRResourceType, id: String, by writer: ArchiveWriter) throws -> StoredResource {
        guard let existing = try self.current(db, type, id: id) else {
            throw ArchiveRefusal(.notFound, code: "not-found", "\(type.rawValue)/\(id) does not exist")
        }
        if existing.deleted { return existing }
        if type == .patient {
            let count =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM health_resource WHERE elder_id = ? AND type != 'Patient' AND deleted = 0",
                    arguments: [existing.elderId]) ?? 0
            if count > 0 {
                throw ArchiveRefusal(
                    .conflict, code: "conflict",
                    "Patient/\(id) still has \(count) records in the archive; delete them first (a record is never left without its patient)"
                )
            }
        }
        let stored = try self.replace(db, existing, with: nil, deleted: true, by: writer.label, at: self.database.clock.now())
        try self.audit(db, writer, "delete", stored)
        return stored
    }

    // MARK: - Inside a transaction

    /// The current row of a resource, tombstone or not.
    func current(_ db: Database, _ type: FHIRResourceType, id: String) throws -> StoredResource? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM health_resource WHERE type = ? AND id = ?"), arguments: [type.rawValue, id]
        ).map(StoredResource.init(row:))
    }

    /// The elder a clinical resource is about, checked against the registry (and given an
    /// archive on their first record).
    func elderOf(_ db: Database, _ resource: ValidatedResource) throws -> Int64 {
        let path = "\(resource.type.rawValue).\(resource.type.patientElement ?? "subject")"
        guard let text = resource.patientId, let elderId = Int64(text), elderId > 0 else {
            throw ArchiveRefusal(
                .unprocessable, code: "not-found", expression: path,
                "must reference Patient/{id}, the id being an elder's (e.g. Patient/42)")
        }
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM elder WHERE id = ?"), arguments: [elderId]) == true else {
            throw ArchiveRefusal(
                .unprocessable, code: "not-found", expression: path, "Patient/\(elderId): there is no elder \(elderId) in the registry")
        }
        try ensureArchive(db, elderId: elderId)
        return elderId
    }

    /// The elder a Patient's identifiers name: by national ID (in full) or archive number.
    func elderNamed(_ db: Database, by identifiers: [FHIRIdentifier], path: String) throws -> Int64 {
        // A Patient names its elder with a system; a bare value is for searches only.
        let named = identifiers.filter { !$0.system.isEmpty }
        guard let id = try elders(db, identifiedBy: named).first else {
            throw ArchiveRefusal(
                .unprocessable, code: "not-found", expression: path,
                "no elder in the registry has these identifiers: register the elder first (the registry is the source of truth for who they are)"
            )
        }
        return id
    }

    /// The elders identifiers name: national IDs (in full) through the registry, archive
    /// numbers through the archive; a bare value (no system) is tried as either.
    func elders(_ db: Database, identifiedBy identifiers: [FHIRIdentifier]) throws -> [Int64] {
        var found: [Int64] = []
        for identifier in identifiers {
            if identifier.system.isEmpty || identifier.system == FHIRSystem.nationalID,
                let id = try Int64.fetchOne(db, sql: "SELECT id FROM elder WHERE national_id = ?", arguments: [identifier.value])
            {
                found.append(id)
            }
            if identifier.system.isEmpty || identifier.system == FHIRSystem.archiveNumber,
                let id = try Int64.fetchOne(
                    db, sql: "SELECT elder_id FROM health_archive WHERE archive_number = ?", arguments: [identifier.value])
            {
                found.append(id)
            }
        }
        return found
    }

    func archiveNumber(in resource: ValidatedResource) -> String? {
        resource.identifiers.first { $0.system == FHIRSystem.archiveNumber }?.value
    }

    /// Gives an elder their archive and Patient if they have none yet.
    func ensureArchive(_ db: Database, elderId: Int64) throws {
        let exists = try db.cachedStatement(sql: "SELECT 1 FROM health_archive WHERE elder_id = ?").first({ $0.add(elderId) }) { _ in true }
        if exists == nil { _ = try writePatient(db, elderId: elderId, by: "archive", archiveNumber: nil) }
    }

    /// Writes the elder's Patient from the registry: a new one, or a new version when anything
    /// shown differs. `archiveNumber` replaces the archive's number when given.
    @discardableResult
    func writePatient(_ db: Database, elderId: Int64, by author: String, archiveNumber: String?) throws -> StoredResource {
        let elder = try RegistryStore.elder(db, id: elderId)
        let now = database.clock.now()
        let known = try Row.fetchOne(db, sql: "SELECT archive_number FROM health_archive WHERE elder_id = ?", arguments: [elderId])
        let number = archiveNumber ?? known?["archive_number"] ?? Self.defaultArchiveNumber(elder)
        if known == nil {
            try db.execute(
                sql: "INSERT INTO health_archive (elder_id, archive_number, elder_version, created_at) VALUES (?, ?, ?, ?)",
                arguments: [elderId, number, elder.version, SQLText.time(now)])
        } else {
            try db.execute(
                sql: "UPDATE health_archive SET archive_number = ?, elder_version = ? WHERE elder_id = ?",
                arguments: [number, elder.version, elderId])
        }
        let patient = FHIRBuild.patient(elder: elder, maskedNationalID: elder.masked.nationalId, archiveNumber: number)
        if let existing = try current(db, .patient, id: String(elderId)), !existing.deleted,
            Self.served(patient, id: existing.id, version: existing.version, at: existing.lastUpdated) == existing.json
        {
            return existing
        }
        let resource = try validator.validate(patient, expecting: .patient)
        if let existing = try current(db, .patient, id: String(elderId)) {
            return try replace(db, existing, with: resource, deleted: false, by: author, at: now)
        }
        return try insert(db, resource, elderId: elderId, by: author, sourceKey: nil, at: now, id: String(elderId))
    }

    /// 健康档案编号: the elder's 12-digit region code and a 6-digit serial (here the registry id).
    static func defaultArchiveNumber(_ elder: Elder) -> String {
        let serial = String(elder.id)
        return elder.regionCode + String(repeating: "0", count: max(0, 6 - serial.count)) + serial
    }

    /// Inserts a new resource at version 1. Clinical resources take the row's own number as id.
    func insert(
        _ db: Database, _ resource: ValidatedResource, elderId: Int64, by author: String, sourceKey: String?, at now: Date,
        id fixedId: String? = nil, template: ServedTemplate? = nil
    ) throws -> StoredResource {
        // One writer: the next row number is known before the insert, so the served JSON (which
        // holds the id) is written once.
        let rid =
            try db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'health_resource'").first({ _ in }) {
                $0.int64(0)
            } ?? 0
        let id = fixedId ?? String(rid + 1)
        let json = (template ?? ServedTemplate(resource.resource)).text(id: id, version: 1, at: now)
        let seq = try logChange(db, "create", elderId: elderId, rid: rid + 1, type: resource.type, id: id, version: 1, at: now)
        try db.cachedStatement(
            sql: """
                INSERT INTO health_resource
                    (rid, type, id, elder_id, version, updated_ms, changed_by, code, effective_ms, summary, chronic, source_key, json,
                     change_seq)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).run {
            $0.add(rid + 1); $0.add(resource.type.rawValue); $0.add(id); $0.add(elderId); $0.add(now.millis); $0.add(author)
            $0.add(resource.codes.first); $0.add(resource.effective?.millis); $0.add(resource.summary)
            $0.add(resource.isChronicCondition ? 1 : 0); $0.add(sourceKey); $0.add(json); $0.add(seq)
        }
        if resource.type == .condition { chronic.forget(elderId) }
        return StoredResource(
            type: resource.type, id: id, elderId: elderId, version: 1, lastUpdated: now, changedBy: author, deleted: false, json: json)
    }

    /// Moves the current version to history and writes the next one (a tombstone when
    /// `resource` is nil).
    func replace(
        _ db: Database, _ existing: StoredResource, with resource: ValidatedResource?, deleted: Bool, by author: String, at now: Date
    ) throws -> StoredResource {
        try db.cachedStatement(
            sql: """
                INSERT INTO health_resource_version (rid, version, updated_ms, changed_by, deleted, json, change_seq)
                SELECT rid, version, updated_ms, changed_by, deleted, json, change_seq FROM health_resource WHERE type = ? AND id = ?
                """
        ).execute(arguments: [existing.type.rawValue, existing.id])
        let version = existing.version + 1
        let json = resource.map { Self.served($0.resource, id: existing.id, version: version, at: now) } ?? ""
        let rid = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT rid FROM health_resource WHERE type = ? AND id = ?"),
            arguments: [existing.type.rawValue, existing.id])
        let seq = try logChange(
            db, deleted ? "delete" : "update", elderId: existing.elderId, rid: rid, type: existing.type, id: existing.id, version: version,
            at: now)
        try db.cachedStatement(
            sql: """
                UPDATE health_resource SET version = ?, updated_ms = ?, changed_by = ?, deleted = ?, code = ?, effective_ms = ?,
                    summary = ?, chronic = ?, json = ?, change_seq = ? WHERE type = ? AND id = ?
                """
        ).execute(
            arguments: [
                version, now.millis, author, deleted, resource?.codes.first, resource?.effective?.millis, resource?.summary,
                resource?.isChronicCondition == true, json, seq, existing.type.rawValue, existing.id,
            ])
        if existing.type == .condition { chronic.forget(existing.elderId) }
        return StoredResource(
            type: existing.type, id: existing.id, elderId: existing.elderId, version: version, lastUpdated: now, changedBy: author,
            deleted: deleted, json: json)
    }

    /// The resource as served: `resourceType`, `id`, `meta` (its versionId and lastUpdated, and
    /// whatever else the caller put in meta: tags, profiles), then the rest in the caller's order.
    static func served(_ resource: FHIRJSON, id: String, version: Int, at: Date) -> String {
        ServedTemplate(resource).text(id: id, version: version, at: at)
    }

    func audit(_ db: Database, _ writer: ArchiveWriter, _ action: String, _ stored: StoredResource) throws {
        try database.audit(
            db, writer.principal, action, stored.type.rawValue, stored.id, fields: ["version \(stored.version)"], elderId: stored.elderId,
            reason: writer.reason)
    }
}

extension ArchiveStore {
    /// Brings an elder's Patient up to date with the registry, when the registry changed the
    /// elder since the Patient was made (a new version, recorded as the registry's). Reads of
    /// a Patient call this first, so nobody is shown an old name or address.
    public func followRegistry(elderId: Int64) async throws {
        let stale = try await database.read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT e.version != a.elder_version FROM health_archive a JOIN elder e ON e.id = a.elder_id WHERE a.elder_id = ?",
                arguments: [elderId]) ?? false
        }
        guard stale else { return }
        try await database.write { db in
            _ = try self.writePatient(db, elderId: elderId, by: "registry", archiveNumber: nil)
        }
    }

    // MARK: - Enrolments

    /// Enrols an elder with a hospital (or any agency's institution), which may then read and
    /// write their archive as it does its service area's.
    public func enrol(elderId: Int64, institutionId: Int64, by who: Principal) async throws {
        try await database.write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM elder WHERE id = ?"), arguments: [elderId]) == true else {
                throw StoreError.notFound(entity: "elder", id: String(elderId))
            }
            let kind = try String.fetchOne(db, sql: "SELECT kind FROM institution WHERE id = ?", arguments: [institutionId])
            guard let kind else { throw StoreError.notFound(entity: "institution", id: String(institutionId)) }
            guard kind == InstitutionKind.hospital.rawValue || kind == InstitutionKind.communityHealthCentre.rawValue else {
                throw StoreError.invalid(
                    ValidationFailure(field: "institutionId", reason: "only hospitals and community health centres keep health archives"))
            }
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO health_enrolment (institution_id, elder_id, enrolled_at, enrolled_by) VALUES (?, ?, ?, ?)
                    """, arguments: [institutionId, elderId, SQLText.time(self.database.clock.now()), who.name])
            try self.database.audit(db, who, "enrol", "institution", String(institutionId), elderId: elderId, reason: "enrolment")
            try self.reconcile(db, institutionId: institutionId)
        }
    }

    /// Ends an enrolment; the institution no longer sees the elder's archive (unless in its area).
    public func unenrol(elderId: Int64, institutionId: Int64, by who: Principal) async throws {
        try await database.write { db in
            try db.execute(
                sql: "DELETE FROM health_enrolment WHERE institution_id = ? AND elder_id = ?", arguments: [institutionId, elderId])
            guard db.changesCount > 0 else {
                throw StoreError.notFound(entity: "enrolment", id: "\(institutionId)/\(elderId)")
            }
            try self.database.audit(db, who, "unenrol", "institution", String(institutionId), elderId: elderId, reason: "enrolment ended")
            try self.reconcile(db, institutionId: institutionId)
        }
    }

    /// The elders enrolled with an institution, by id.
    public func enrolments(institutionId: Int64, page: PageRequest) async throws -> Page<Int64> {
        try await database.read { db in
            var q = SQLQuery("SELECT elder_id FROM health_enrolment")
            q.where("institution_id = ?", institutionId)
            if let after = page.after.flatMap(Int64.init) { q.where("elder_id > ?", after) }
            q.suffix("ORDER BY elder_id LIMIT ?", page.limit + 1)
            return Page.from(try q.fetchAll(db).map { $0[0] as Int64 }, limit: page.limit) { String($0) }
        }
    }
}

/// A resource's served JSON less what only the writer knows (its id, version and time), made
/// where there are cores to spare: the seed makes millions on other threads.
struct ServedTemplate: Sendable {
    /// `{"resourceType":"Observation","id":`, or the whole text of something that is no resource.
    private var head: [UInt8] = []
    /// Meta's members other than versionId and lastUpdated, each after a comma.
    private var metaRest: [UInt8] = []
    /// Every other member after a comma, and the closing brace.
    private var body: [UInt8] = []
    private var isResource = false

    init(_ resource: FHIRJSON) {
        guard let object = resource.object else {
            resource.write(to: &head)
            return
        }
        isResource = true
        head.append(contentsOf: #"{"resourceType":"#.utf8)
        (object["resourceType"] ?? .null).write(to: &head)
        head.append(contentsOf: #","id":"#.utf8)
        let meta = object["meta"]?.object ?? FHIRObject()
        for key in meta.keys where key != "versionId" && key != "lastUpdated" {
            Self.member(key, meta[key]!, to: &metaRest)
        }
        body.reserveCapacity(768)
        for key in object.keys where key != "resourceType" && key != "id" && key != "meta" {
            Self.member(key, object[key]!, to: &body)
        }
        body.append(UInt8(ascii: "}"))
    }

    private static func member(_ key: String, _ value: FHIRJSON, to out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        FHIRJSON.string(key).write(to: &out)
        out.append(UInt8(ascii: ":"))
        value.write(to: &out)
    }

    func utf8(id: String, version: Int, at: Date) -> [UInt8] {
        guard isResource else { return head }
        var out: [UInt8] = []
        out.reserveCapacity(head.count + metaRest.count + body.count + 96)
        append(id: id, version: version, lastUpdated: FHIRInstant.text(at), to: &out)
        return out
    }

    /// The served JSON appended to `out`; `lastUpdated` is ``FHIRInstant/text(_:)`` of the
    /// change's time, made once by a caller writing many resources at one time.
    func append(id: String, version: Int, lastUpdated: String, to out: inout [UInt8]) {
        out.append(contentsOf: head)
        guard isResource else { return }
        FHIRJSON.string(id).write(to: &out)
        out.append(contentsOf: #","meta":{"versionId":""#.utf8)
        out.append(contentsOf: String(version).utf8)
        out.append(contentsOf: #"","lastUpdated":""#.utf8)
        out.append(contentsOf: lastUpdated.utf8)
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: metaRest)
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: body)
    }

    func text(id: String, version: Int, at: Date) -> String {
        String(decoding: utf8(id: id, version: version, at: at), as: UTF8.self)
    }
}
