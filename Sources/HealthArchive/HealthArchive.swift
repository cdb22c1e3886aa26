public import CareModel
import Foundation

/// The health archive's rules on top of its store: every FHIR interaction checked against who
/// is asking (``ArchiveAccess``) and recorded in the audit log with the elder and the reason.
///
/// ```swift
/// let archive = HealthArchive(store: ArchiveStore(database))
/// let stored = try await archive.create(json, as: .observation, by: nurse)
/// let page = try await archive.search(.observation, [("patient", "42"), ("date", "ge2026-01-01")], by: nurse)
/// ```
public struct HealthArchive: Sendable {
    public let store: ArchiveStore
    let validator = FHIRValidator()

    public init(store: ArchiveStore) { self.store = store }

    // MARK: - Reading

    public func read(_ type: FHIRResourceType, id: String, by principal: Principal) async throws -> StoredResource {
        if type == .patient, let elderId = Int64(id) { try await store.followRegistry(elderId: elderId) }
        let stored = try await existing(type, id: id)
        let reason = try await authorize(principal, .read, type: type, elderId: stored.elderId)
        if stored.deleted {
            throw ArchiveRefusal(
                .gone, code: "deleted", "\(stored.reference) was deleted (version \(stored.version)); its history is still readable",
                current: stored)
        }
        try await store.recordRead(by: principal, "read", type.rawValue, id, elders: [(stored.elderId, reason)])
        return stored
    }

    public func read(_ type: FHIRResourceType, id: String, version: Int, by principal: Principal) async throws -> StoredResource {
        let current = try await existing(type, id: id)
        let reason = try await authorize(principal, .read, type: type, elderId: current.elderId)
        guard let stored = try await store.resource(type, id: id, version: version) else {
            throw ArchiveRefusal(
                .notFound, code: "not-found", "\(type.rawValue)/\(id) has no version \(version) (current: \(current.version))")
        }
        try await store.recordRead(by: principal, "vread", type.rawValue, id, elders: [(stored.elderId, reason)])
        if stored.deleted {
            throw ArchiveRefusal(.gone, code: "deleted", "version \(version) of \(type.rawValue)/\(id) is its deletion", current: stored)
        }
        return stored
    }

    public func history(_ type: FHIRResourceType, id: String, by principal: Principal) async throws -> [StoredResource] {
        let current = try await existing(type, id: id)
        let reason = try await authorize(principal, .read, type: type, elderId: current.elderId)
        let versions = try await store.history(type, id: id)
        try await store.recordRead(by: principal, "history", type.rawValue, id, elders: [(current.elderId, reason)])
        return versions
    }

    /// A search; every elder it may touch is checked first, and the read is recorded per elder.
    public func search(_ type: FHIRResourceType, _ parameters: [(String, String)], by principal: Principal) async throws -> ArchivePage {
        var query = try ArchiveQuery.parse(type, parameters)
        if type == .patient {
            var elders = query.ids.compactMap { Int64($0) }
            if !query.identifiers.isEmpty {
                elders += try await store.elders(identifiedBy: query.identifiers)
                // Identifiers found nobody: an empty result, not an error.
                if elders.isEmpty { return ArchivePage(matches: [], included: [], next: nil) }
                query.identifiers = []
                query.ids = Array(Set(elders.map(String.init) + query.ids))
            }
            query.elderIds = elders
        } else if query.elderIds.isEmpty {
            // Searched by _id only: the elders are those of the named records.
            for id in query.ids {
                if let stored = try await store.resource(type, id: id) { query.elderIds.append(stored.elderId) }
            }
            if query.elderIds.isEmpty { return ArchivePage(matches: [], included: [], next: nil) }
        }
        var reasons: [(Int64, String)] = []
        for elderId in Set(query.elderIds).sorted() {
            let reason: String
            do {
                reason = try await authorize(principal, .read, type: type, elderId: elderId)
            } catch let refusal as ArchiveRefusal where refusal.kind == .notFound {
                // A search naming nobody who exists finds nothing; it is not an error.
                query.elderIds.removeAll { $0 == elderId }
                continue
            }
            reasons.append((elderId, reason))
            if type == .patient || query.includePatient { try await store.followRegistry(elderId: elderId) }
        }
        if query.elderIds.isEmpty { return ArchivePage(matches: []) }
        let page = try await store.search(query)
        try await store.recordRead(by: principal, "search", type.rawValue, "", elders: reasons)
        return page
    }

    /// `Patient/{id}/$everything`: the whole archive of one elder.
    public func everything(elderId: Int64, by principal: Principal) async throws -> [RawResource] {
        let reason = try await authorize(principal, .read, type: .patient, elderId: elderId)
        try await store.followRegistry(elderId: elderId)
        let all = try await store.everything(elderId: elderId)
        guard !all.isEmpty else {
            throw ArchiveRefusal(.notFound, code: "not-found", "Patient/\(elderId) has no archive yet")
        }
        try await store.recordRead(by: principal, "everything", "Patient", String(elderId), elders: [(elderId, reason)])
        return all
    }

    /// The health summary on the screen of an open call: an operator breaking the glass, which the
    /// audit log records with the call as the reason.
    public func summary(elderId: Int64, callId: Int64, by principal: Principal) async throws -> HealthSummary {
        let summary = try await store.summary(elderId: elderId)
        try await store.recordRead(by: principal, "break_glass", "Patient", String(elderId), elders: [(elderId, "call \(callId)")])
        return summary
    }

    // MARK: - Writing

    /// Creates a resource. With `ifNoneExist` (FHIR conditional create, e.g.
    /// `identifier=http://…|450902…`), a match is returned instead (`created` false), so a
    /// retried create never makes two; more than one match is refused.
    public func create(
        _ json: FHIRJSON, as type: FHIRResourceType, ifNoneExist: [(String, String)]? = nil, by principal: Principal
    ) async throws -> (resource: StoredResource, created: Bool) {
        let resource = try validator.validate(json, expecting: type)
        let elderId = try await elder(of: resource)
        let reason = try await authorize(principal, .write, type: type, elderId: elderId)
        if let ifNoneExist {
            let page = try await search(type, ifNoneExist + [("_count", "2")], by: principal)
            if page.matches.count > 1 {
                throw ArchiveRefusal(
                    .stale, code: "multiple-matches", "If-None-Exist matches \(page.matches.count) resources; make the criteria name one")
            }
            if let match = page.matches.first { return (match, false) }
        }
        return (try await store.create(resource, by: ArchiveWriter(principal, reason: reason)), true)
    }

    /// Replaces a resource (`PUT`); `ifMatch` is the version the change was based on.
    public func update(
        _ json: FHIRJSON, as type: FHIRResourceType, id: String, ifMatch: Int?, by principal: Principal
    ) async throws -> StoredResource {
        let resource = try validator.validate(json, expecting: type)
        guard resource.id == id else {
            throw ArchiveRefusal(
                .invalid, code: "invariant", expression: "\(type.rawValue).id",
                "the body's id (\(resource.id ?? "none")) must be the id in the URL (\(id))")
        }
        let current = try await existing(type, id: id)
        let reason = try await authorize(principal, .write, type: type, elderId: current.elderId)
        return try await store.update(resource, id: id, ifMatch: ifMatch, by: ArchiveWriter(principal, reason: reason))
    }

    public func delete(_ type: FHIRResourceType, id: String, by principal: Principal) async throws -> StoredResource {
        let current = try await existing(type, id: id)
        let reason = try await authorize(principal, .write, type: type, elderId: current.elderId)
        return try await store.delete(type, id: id, by: ArchiveWriter(principal, reason: reason))
    }

    // MARK: - Checks

    func existing(_ type: FHIRResourceType, id: String) async throws -> StoredResource {
        guard let stored = try await store.resource(type, id: id) else {
            throw ArchiveRefusal(.notFound, code: "not-found", "\(type.rawValue)/\(id) does not exist")
        }
        return stored
    }

    /// The elder a new resource concerns, before anything is written.
    func elder(of resource: ValidatedResource) async throws -> Int64 {
        if resource.type == .patient {
            guard let id = try await store.elders(identifiedBy: resource.identifiers).first else {
                throw ArchiveRefusal(
                    .unprocessable, code: "not-found", expression: "Patient.identifier",
                    "no elder in the registry has these identifiers: register the elder first (the registry is the source of truth for who they are)"
                )
            }
            return id
        }
        let path = "\(resource.type.rawValue).\(resource.type.patientElement ?? "subject")"
        guard let text = resource.patientId, let id = Int64(text), id > 0 else {
            throw ArchiveRefusal(.unprocessable, code: "not-found", expression: path, "must reference Patient/{id} (e.g. Patient/42)")
        }
        return id
    }

    /// The reason the audit log records, or the refusal.
    func authorize(_ principal: Principal, _ use: HealthUse, type: FHIRResourceType, elderId: Int64) async throws -> String {
        let relation = try await store.relation(of: principal, to: elderId)
        let effectiveUse: HealthUse = principal.role == .provider && use == .read ? .serviceNeeds(type) : use
        if !relation.elderExists, use == .write {
            throw ArchiveRefusal(
                .unprocessable, code: "not-found", expression: "\(type.rawValue).\(type.patientElement ?? "identifier")",
                "Patient/\(elderId): there is no elder \(elderId) in the registry")
        }
        return try ArchiveAccess.decide(principal.role, effectiveUse, elderId: elderId, relation).get()
    }
}
