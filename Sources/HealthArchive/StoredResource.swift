public import CareModel
public import Foundation

/// One version of one archive resource, as the store keeps it.
public struct StoredResource: Sendable, Hashable {
    public var type: FHIRResourceType
    public var id: String
    public var elderId: Int64
    public var version: Int
    public var lastUpdated: Date
    /// Who made this version: an account's name and role, or `device 8801` for a reading.
    public var changedBy: String
    /// A tombstone: the resource was deleted in this version, and `json` is empty.
    public var deleted: Bool
    /// The resource as served, `id` and `meta` included (empty for a tombstone).
    public var json: String

    public init(
        type: FHIRResourceType, id: String, elderId: Int64, version: Int, lastUpdated: Date, changedBy: String,
        deleted: Bool, json: String
    ) {
        self.type = type; self.id = id; self.elderId = elderId; self.version = version; self.lastUpdated = lastUpdated
        self.changedBy = changedBy; self.deleted = deleted; self.json = json
    }

    /// `Observation/12`.
    public var reference: String { "\(type.rawValue)/\(id)" }
}

/// Why the archive refused a request, as a FHIR client is told: an HTTP status and an
/// OperationOutcome naming the FHIR path and the problem. The module's one error type.
public struct ArchiveRefusal: Error, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Not a valid resource, or a malformed search: 400.
        case invalid
        /// A valid resource that breaks a rule of ours (an unknown elder, a value out of range): 422.
        case unprocessable
        /// The caller may not see or change this: 403.
        case forbidden
        case notFound
        /// Deleted: 410, with the tombstone's version.
        case gone
        /// `If-Match` named an old version: 412, with the current one.
        case stale
        /// A second Patient for one elder, or a write that collides: 409.
        case conflict
    }

    public var kind: Kind
    public var outcome: OperationOutcome
    /// For `stale` and `gone`: the resource's current version.
    public var current: StoredResource?

    public init(_ kind: Kind, _ outcome: OperationOutcome, current: StoredResource? = nil) {
        self.kind = kind; self.outcome = outcome; self.current = current
    }

    public init(_ kind: Kind, code: String, expression: String = "", _ diagnostics: String, current: StoredResource? = nil) {
        self.init(kind, OperationOutcome(code: code, expression: expression, diagnostics: diagnostics), current: current)
    }

    public var status: Int {
        switch kind {
        case .invalid: 400
        case .unprocessable: 422
        case .forbidden: 403
        case .notFound: 404
        case .gone: 410
        case .stale: 412
        case .conflict: 409
        }
    }
}

extension OperationOutcome {
    /// Every issue as one sentence, for a problem+json `detail`: `Observation.valueQuantity.value: 900 is not …`.
    public var sentence: String {
        issues.map { $0.expression.isEmpty ? $0.diagnostics : "\($0.expression): \($0.diagnostics)" }.joined(separator: "; ")
    }
}
