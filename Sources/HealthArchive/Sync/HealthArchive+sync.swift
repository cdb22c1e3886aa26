public import CareModel
import CareStore
import Foundation

/// The sync engine's face on the archive: each call names the agency from the caller's account
/// and keeps to that agency's scope.
///
/// ```swift
/// let page = try await archive.syncChanges(since: "0", limit: 500, by: agencyAccount)
/// for change in page.changes { print(change.line) }
/// let answer = try await archive.syncPush(bundleData, pushId: "push-1", by: agencyAccount)
/// ```
extension HealthArchive {
    /// The agency's feed after `since` (empty or `0`: a first sync, the whole scope). With
    /// `wait`, an empty page waits up to that long for a change in the scope (long-poll).
    public func syncChanges(
        since: String?, limit: Int, wait: Duration = .zero, acting agencyId: Int64? = nil, by principal: Principal
    ) async throws -> SyncPage {
        let agency = try await store.agency(of: principal, acting: agencyId)
        guard let cursor = SyncCursor(since ?? "") else {
            throw ArchiveRefusal(
                .invalid, code: "value", expression: "since", "\(since ?? "") is not a cursor of this feed (a number, or the next given)")
        }
        let deadline = ContinuousClock.now + wait
        var first = true
        var from = cursor
        while true {
            let generation = store.database.changeCount
            // Woken again, a long-poll only looks for new rows: the scope was brought up to date
            // when it began, and every agency waiting must not recompute its scope on every commit.
            let page = try await store.changes(for: agency, after: from, limit: limit, by: principal, record: false, reconcile: first)
            first = false
            let now = ContinuousClock.now
            if !page.changes.isEmpty || page.more || now >= deadline {
                try await store.recordPull(agency, after: cursor, page, by: principal)
                return page
            }
            // Nothing up to the page's end concerns this agency: look only beyond it next time.
            from = page.next
            _ = await store.database.waitForChanges(after: generation, timeout: deadline - now)
        }
    }

    /// Applies a pushed `batch` or `transaction` Bundle. The push id (header, or the Bundle's
    /// id) makes a retry return the first answer.
    public func syncPush(
        _ body: Data, pushId header: String?, acting agencyId: Int64? = nil, by principal: Principal
    ) async throws -> SyncPushAnswer {
        let agency = try await store.agency(of: principal, acting: agencyId)
        do {
            let bundle = try FHIRJSON.parse(body)
            let parsed = try SyncBundle.entries(of: bundle, validator: validator)
            let pushId = header ?? parsed.id
            return try await store.push(
                parsed.entries, transaction: parsed.transaction, pushId: pushId,
                bodyHash: SHA1.digest(body).map { String(format: "%02x", $0) }.joined(),
                agency: agency, by: principal)
        } catch let outcome as OperationOutcome {
            try await store.noteError(agency, by: principal, outcome.sentence)
            throw ArchiveRefusal(.invalid, outcome)
        } catch let refusal as ArchiveRefusal {
            if refusal.kind == .invalid || refusal.kind == .unprocessable {
                try await store.noteError(agency, by: principal, refusal.outcome.sentence)
            }
            throw refusal
        }
    }

    /// A bulk export of the agency's scope (FHIR `$export` in spirit): where it starts (the feed
    /// position the export is as of, from which the feed continues), and each chunk after it.
    /// `types` is `_type` (`Observation,Condition`); `since` is `_since` (a FHIR instant).
    public func syncExportStart(
        types: String?, since: String?, acting agencyId: Int64? = nil, by principal: Principal
    ) async throws
        -> SyncExport
    {
        let agency = try await store.agency(of: principal, acting: agencyId)
        var typeSet: Set<FHIRResourceType>?
        if let types, !types.isEmpty {
            typeSet = []
            for name in types.split(separator: ",") {
                guard let type = FHIRResourceType(rawValue: String(name)) else {
                    throw ArchiveRefusal(.invalid, code: "value", expression: "_type", "\(name) is not a resource type of this archive")
                }
                typeSet?.insert(type)
            }
        }
        var sinceDate: Date?
        if let since, !since.isEmpty {
            guard let date = FHIRDate.parse(since) else {
                throw ArchiveRefusal(.invalid, code: "value", expression: "_since", "\(since) is not a FHIR instant (2026-12-01T00:00:00Z)")
            }
            sinceDate = date
        }
        return SyncExport(agency: agency, position: try await store.head(for: agency), types: typeSet, since: sinceDate)
    }

    /// The next chunk of an export; an empty chunk with no next elder ends it.
    public func syncExportChunk(
        _ export: SyncExport, afterElder: Int64, by principal: Principal
    ) async throws
        -> (changes: [SyncChange], lastElder: Int64?)
    {
        let chunk = try await store.exportChunk(
            for: export.agency, at: export.position, afterElder: afterElder, limit: 200, types: export.types, since: export.since)
        let elders = Set(chunk.changes.map(\.elderId)).sorted()
        try await store.recordRead(
            by: principal, "sync_export", "Patient", "", elders: elders.map { ($0, "sync scope of \(export.agency.name)") })
        return chunk
    }

    public func syncChecksum(at: String?, acting agencyId: Int64? = nil, by principal: Principal) async throws -> SyncChecksum {
        let agency = try await store.agency(of: principal, acting: agencyId)
        var position: Int64?
        if let at, !at.isEmpty {
            guard case .log(let n) = SyncCursor(at) else {
                throw ArchiveRefusal(.invalid, code: "value", expression: "at", "\(at) is not a position of the feed")
            }
            position = n
        }
        try await store.reconcileScope(of: agency)
        return try await store.checksum(for: agency, at: position)
    }

    public func syncStatus(acting agencyId: Int64? = nil, by principal: Principal) async throws -> SyncStatus {
        let agency = try await store.agency(of: principal, acting: agencyId)
        try await store.reconcileScope(of: agency)
        return try await store.status(for: agency, by: principal)
    }

    /// An agency's conflicts; an administrator sees every agency's.
    public func syncConflicts(
        status: String?, page: PageRequest, acting agencyId: Int64? = nil, by principal: Principal
    ) async throws -> Page<SyncConflict> {
        let agency = principal.role == .admin && agencyId == nil ? nil : try await store.agency(of: principal, acting: agencyId)
        if let status, status != "open", status != "resolved" {
            throw ArchiveRefusal(.invalid, code: "value", expression: "status", "is open or resolved, not \(status)")
        }
        return try await store.conflicts(for: agency, status: status, page: page)
    }

    /// Settles a conflict: `choice` is `platform`, `agency`, or `merged` with the resource.
    public func syncResolve(conflictId: Int64, choice: String, resource: FHIRJSON?, by principal: Principal) async throws -> SyncConflict {
        let agency = principal.role == .admin ? nil : try await store.agency(of: principal)
        let resolution: SyncResolution
        switch choice {
        case "platform": resolution = .platform
        case "agency": resolution = .agency
        case "merged":
            guard let resource else {
                throw ArchiveRefusal(.invalid, code: "required", expression: "resource", "a merged resolution carries the merged resource")
            }
            resolution = .merged(try validator.validate(resource, expecting: nil))
        default:
            throw ArchiveRefusal(.invalid, code: "value", expression: "choice", "is platform, agency or merged, not \(choice)")
        }
        return try await store.resolve(conflictId: conflictId, resolution, agency: agency, by: principal)
    }
}

/// A bulk export under way: the agency, the feed position it is as of, and its filters.
public struct SyncExport: Sendable {
    public var agency: SyncAgency
    public var position: Int64
    public var types: Set<FHIRResourceType>?
    public var since: Date?
}
