public import CareModel
import Foundation

/// One entry of a pushed Bundle, checked: what to do, to which resource, based on which version.
public struct SyncPushEntry: Sendable {
    public enum Method: String, Sendable { case create = "POST", update = "PUT", delete = "DELETE" }
    public var method: Method
    public var type: FHIRResourceType
    public var id: String?
    /// The version the agency's change was based on (`request.ifMatch`, `W/"3"`).
    public var baseVersion: Int?
    public var resource: ValidatedResource?
}

/// What became of one entry.
public struct SyncPushResult: Sendable, Hashable {
    public var status: Int
    public var type: FHIRResourceType
    public var id: String?
    public var version: Int?
    public var outcome: OperationOutcome?
    /// The agency's change was merged with the platform's changes since its base.
    public var merged = false
    /// The conflict recorded for this entry.
    public var conflictId: Int64?

    var statusLine: String {
        let reason =
            switch status {
            case 200: "OK"
            case 201: "Created"
            case 400: "Bad Request"
            case 403: "Forbidden"
            case 404: "Not Found"
            case 409: "Conflict"
            case 410: "Gone"
            case 412: "Precondition Failed"
            case 422: "Unprocessable Entity"
            default: ""
            }
        return "\(status) \(reason)"
    }
}

/// A push's answer: the status of the whole and the response Bundle as served.
public struct SyncPushAnswer: Sendable {
    public var status: Int
    public var json: String
    /// A retried push: this is the first answer, and nothing was done again.
    public var replayed: Bool
    public var results: [SyncPushResult]
}

/// A transaction Bundle's entry failed: nothing of the Bundle is kept.
struct TransactionFailure: Error {
    var index: Int
    var result: SyncPushResult
}

/// Reading pushed Bundles and writing their answers.
public enum SyncBundle {
    /// The entries of a `batch` or `transaction` Bundle, each resource validated; any problem is
    /// refused with an OperationOutcome naming the entry (`Bundle.entry[2].request.ifMatch`).
    public static func entries(
        of bundle: FHIRJSON, validator: FHIRValidator = FHIRValidator()
    ) throws(ArchiveRefusal) -> (transaction: Bool, id: String?, entries: [SyncPushEntry]) {
        guard bundle["resourceType"]?.string == "Bundle" else {
            throw ArchiveRefusal(.invalid, code: "structure", expression: "Bundle", "push a Bundle (resourceType \"Bundle\")")
        }
        let type = bundle["type"]?.string
        guard type == "batch" || type == "transaction" else {
            throw ArchiveRefusal(
                .invalid, code: "value", expression: "Bundle.type", "must be batch or transaction, not \(type ?? "missing")")
        }
        guard let items = bundle["entry"]?.array, !items.isEmpty else {
            throw ArchiveRefusal(.invalid, code: "required", expression: "Bundle.entry", "a push needs at least one entry")
        }
        var issues: [FHIRIssue] = []
        var entries: [SyncPushEntry] = []
        for (i, item) in items.enumerated() {
            let path = "Bundle.entry[\(i)]"
            func fail(_ at: String, _ code: String, _ why: String) {
                issues.append(FHIRIssue(code: code, expression: path + at, diagnostics: why))
            }
            guard let method = item["request"]?["method"]?.string.flatMap(SyncPushEntry.Method.init(rawValue:)) else {
                fail(".request.method", "value", "must be POST, PUT or DELETE")
                continue
            }
            let url = item["request"]?["url"]?.string ?? ""
            let parts = url.split(separator: "/").map(String.init)
            guard let first = parts.first, let resourceType = FHIRResourceType(rawValue: first),
                parts.count == (method == .create ? 1 : 2)
            else {
                fail(".request.url", "value", method == .create ? "must be the type (Observation)" : "must be Type/id (Observation/12)")
                continue
            }
            var base: Int?
            if let ifMatch = item["request"]?["ifMatch"]?.string {
                let digits = ifMatch.replacingOccurrences(of: "W/", with: "").replacingOccurrences(of: "\"", with: "")
                guard let n = Int(digits), n > 0 else {
                    fail(".request.ifMatch", "value", "must be a version as W/\"3\", not \(ifMatch)")
                    continue
                }
                base = n
            } else if method != .create {
                fail(".request.ifMatch", "required", "every change names the version it was based on (W/\"3\"), so that no edit is lost")
                continue
            }
            var resource: ValidatedResource?
            if method != .delete {
                guard let json = item["resource"] else {
                    fail(".resource", "required", "POST and PUT carry the resource")
                    continue
                }
                do {
                    resource = try validator.validate(json, expecting: resourceType)
                } catch {
                    for issue in error.issues {
                        issues.append(
                            FHIRIssue(
                                severity: issue.severity, code: issue.code,
                                expression: path + ".resource" + (issue.expression.isEmpty ? "" : "(\(issue.expression))"),
                                diagnostics: issue.diagnostics))
                    }
                    continue
                }
                if method == .update, resource?.id != parts[1] {
                    fail(".resource.id", "invariant", "must be the id in request.url (\(parts[1]))")
                    continue
                }
            }
            entries.append(
                SyncPushEntry(
                    method: method, type: resourceType, id: parts.count > 1 ? parts[1] : nil, baseVersion: base, resource: resource))
        }
        if !issues.isEmpty { throw ArchiveRefusal(.invalid, OperationOutcome(issues)) }
        return (type == "transaction", bundle["id"]?.string, entries)
    }

    /// The `batch-response` or `transaction-response` Bundle.
    static func response(_ results: [SyncPushResult], transaction: Bool) -> String {
        var entries: [FHIRJSON] = []
        for result in results {
            var response = FHIRObject([("status", .string(result.statusLine))])
            if let id = result.id, let version = result.version {
                response["location"] = .string("\(result.type.rawValue)/\(id)/_history/\(version)")
                response["etag"] = .string("W/\"\(version)\"")
            }
            if let outcome = result.outcome { response["outcome"] = outcome.json }
            entries.append(["response": .object(response)])
        }
        let bundle: FHIRJSON = [
            "resourceType": "Bundle", "type": .string(transaction ? "transaction-response" : "batch-response"), "entry": .array(entries),
        ]
        return bundle.text
    }
}

/// A field both sides changed: the agency's and the platform's versions, kept until resolved.
public struct SyncConflict: Sendable, Hashable, Codable {
    public var id: Int64
    public var elderId: Int64
    /// `Condition/12`.
    public var record: String
    public var baseVersion: Int
    public var platformVersion: Int
    /// The top-level elements both changed (`note`, `code` …); `(deleted)` when one side deleted.
    public var fields: [String]
    /// The agency's resource as pushed (empty for a delete), and the platform's at the time.
    public var agencyResource: String
    public var platformResource: String
    public var status: String
    public var createdAt: String
    public var resolution: String?
    public var resolvedVersion: Int?
    public var resolvedBy: String?
    public var resolvedAt: String?
}

/// How a conflict is settled: keep the platform's version, take the agency's, or a merged resource.
public enum SyncResolution: Sendable {
    case platform
    case agency
    case merged(ValidatedResource)

    var name: String {
        switch self {
        case .platform: "platform"
        case .agency: "agency"
        case .merged: "merged"
        }
    }
}
