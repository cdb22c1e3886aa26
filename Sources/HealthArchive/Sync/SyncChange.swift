public import CareModel
import Foundation

/// One line of an agency's feed: a version of a resource, or an elder entering or leaving the
/// agency's scope.
public struct SyncChange: Sendable, Hashable {
    public enum Op: String, Sendable, Codable {
        case create, update, delete
        /// The elder entered the agency's scope; their whole archive follows as `snapshot` lines.
        case enter
        /// One resource of an elder who entered, as it was at the `enter` position.
        case snapshot
        /// The elder left the agency's scope: the agency purges their archive.
        case leave
    }

    /// The feed position; `snapshot` lines share their `enter`'s.
    public var seq: Int64
    public var op: Op
    public var elderId: Int64
    public var type: FHIRResourceType?
    public var id: String?
    public var version: Int?
    /// The resource as served; nil for deletes and scope lines.
    public var json: String?

    public init(
        seq: Int64, op: Op, elderId: Int64, type: FHIRResourceType? = nil, id: String? = nil, version: Int? = nil, json: String? = nil
    ) {
        self.seq = seq; self.op = op; self.elderId = elderId; self.type = type; self.id = id; self.version = version; self.json = json
    }

    /// The NDJSON line (without its newline): the resource's stored text is copied, not re-encoded.
    public var line: String {
        var text = #"{"seq":"# + String(seq) + #","op":""# + op.rawValue + #"","elder":"# + String(elderId)
        if let type { text += #","type":""# + type.rawValue + "\"" }
        if let id { text += #","id":"# + FHIRJSON.string(id).text }
        if let version { text += #","version":"# + String(version) }
        if let json, !json.isEmpty { text += #","resource":"# + json }
        return text + "}"
    }
}

/// Where an agency is in its feed. `log(n)`: it holds everything up to position n. `snapshot`:
/// a first sync in progress, the scope as it was at `at`, every elder up to `afterElder` sent.
public enum SyncCursor: Sendable, Hashable, CustomStringConvertible {
    case log(Int64)
    case snapshot(at: Int64, afterElder: Int64)

    /// `"42"` or `"s42-1007"`; an empty text or `0` starts from scratch.
    public init?(_ text: String) {
        if text.isEmpty { self = .snapshot(at: 0, afterElder: 0); return }
        if text.hasPrefix("s") {
            let parts = text.dropFirst().split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let at = Int64(parts[0]), let after = Int64(parts[1]), at >= 0, after >= 0 else { return nil }
            self = .snapshot(at: at, afterElder: after)
            return
        }
        guard let n = Int64(text), n >= 0 else { return nil }
        self = n == 0 ? .snapshot(at: 0, afterElder: 0) : .log(n)
    }

    public var description: String {
        switch self {
        case .log(let n): String(n)
        case .snapshot(let at, let after): "s\(at)-\(after)"
        }
    }
}

/// A page of an agency's feed and where to go on from.
public struct SyncPage: Sendable {
    public var changes: [SyncChange]
    public var next: SyncCursor
    /// More is waiting now: ask again at once.
    public var more: Bool

    public init(changes: [SyncChange], next: SyncCursor, more: Bool) {
        self.changes = changes; self.next = next; self.more = more
    }

    /// The closing NDJSON line.
    public var trailer: String {
        #"{"next":""# + next.description + #"","more":"# + (more ? "true" : "false") + "}"
    }
}

/// An agency as the sync engine knows it: the institution its accounts belong to.
public struct SyncAgency: Sendable, Hashable {
    public var institutionId: Int64
    public var name: String
    public var kind: InstitutionKind
    public var regionCode: String

    public init(institutionId: Int64, name: String, kind: InstitutionKind, regionCode: String) {
        self.institutionId = institutionId; self.name = name; self.kind = kind; self.regionCode = regionCode
    }
}

/// The count and digest of an agency's scope at a feed position.
public struct SyncChecksum: Sendable, Hashable, Codable {
    public var at: String
    public var elders: Int
    public var count: Int
    public var digest: String
}

/// Where an agency stands, told plainly.
public struct SyncStatus: Sendable, Hashable, Codable {
    public var agency: String
    /// The position the agency last pulled from (what it confirmed holding), nil before its first pull.
    public var cursor: String?
    public var head: Int64
    /// Changes in the agency's scope after its cursor (counted up to 10,000).
    public var pending: Int
    public var openConflicts: Int
    public var lastPullAt: String?
    public var lastPushAt: String?
    public var lastError: String?
    public var lastErrorAt: String?
    /// True only when nothing is pending and no conflict is open.
    public var inSync: Bool
}
