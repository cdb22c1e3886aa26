import CareModel
import Foundation
import HTTPTypes
import HealthArchive
import Hummingbird
import NIOCore

/// Responses of the FHIR face: resources, Bundles and OperationOutcomes as
/// `application/fhir+json`. Stored resources are already the JSON served, so a Bundle is built
/// by joining texts, never by decoding them.
enum FHIRResponse {
    static let contentType = "application/fhir+json; charset=utf-8"

    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A resource with its version as `ETag: W/"3"` and `Last-Modified`.
    static func resource(_ stored: StoredResource, status: HTTPResponse.Status = .ok, base: String? = nil) -> Response {
        var headers = versionHeaders(stored)
        if let base { headers[.location] = "\(base)/\(stored.reference)/_history/\(stored.version)" }
        return json(stored.json, status: status, headers: headers)
    }

    static func versionHeaders(_ stored: StoredResource) -> HTTPFields {
        var headers = HTTPFields()
        headers[.eTag] = "W/\"\(stored.version)\""
        headers[.lastModified] = httpDate(stored.lastUpdated)
        return headers
    }

    /// A `searchset` Bundle: matches, then what `_include`/`_revinclude` brought, with paging links.
    static func searchset(_ page: ArchivePage, base: String, selfLink: String, nextLink: String?) -> Response {
        var text = #"{"resourceType":"Bundle","type":"searchset","link":[{"relation":"self","url":"# + quoted(selfLink) + "}"
        if let nextLink { text += #",{"relation":"next","url":"# + quoted(nextLink) + "}" }
        text += #"],"entry":["#
        var first = true
        for (resources, mode) in [(page.matches, "match"), (page.included, "include")] {
            for stored in resources {
                if !first { text += "," }
                first = false
                text += #"{"fullUrl":"# + quoted("\(base)/\(stored.reference)") + #","resource":"# + stored.json
                text += #","search":{"mode":""# + mode + #""}}"#
            }
        }
        text += "]}"
        return json(text)
    }

    /// A `history` Bundle, newest first; a deletion is an entry without a resource.
    static func history(_ versions: [StoredResource], base: String) -> Response {
        var text = #"{"resourceType":"Bundle","type":"history","total":"# + String(versions.count) + #","entry":["#
        for (i, stored) in versions.enumerated() {
            if i > 0 { text += "," }
            let url = "\(base)/\(stored.reference)/_history/\(stored.version)"
            text += #"{"fullUrl":"# + quoted("\(base)/\(stored.reference)")
            if !stored.deleted { text += #","resource":"# + stored.json }
            let method = stored.deleted ? "DELETE" : stored.version == 1 ? "POST" : "PUT"
            let requestURL = method == "POST" ? stored.type.rawValue : stored.reference
            text += #","request":{"method":""# + method + #"","url":"# + quoted(requestURL) + "}"
            text += #","response":{"status":""# + (stored.deleted ? "204" : stored.version == 1 ? "201" : "200")
            text += "\"," + #""etag":"# + quoted("W/\"\(stored.version)\"") + #","lastModified":"# + quoted(instant(stored.lastUpdated))
            text += #","location":"# + quoted(url) + "}}"
        }
        text += "]}"
        return json(text)
    }

    /// `Patient/{id}/$everything`: a `searchset` of the whole archive, joined as bytes.
    static func everything(_ resources: [RawResource], base: String, selfLink: String) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(resources.reduce(256) { $0 + $1.json.count + base.utf8.count + 80 })
        buffer.writeString(#"{"resourceType":"Bundle","type":"searchset","total":"# + String(resources.count))
        buffer.writeString(#","link":[{"relation":"self","url":"# + quoted(selfLink) + #"}],"entry":["#)
        for (i, resource) in resources.enumerated() {
            buffer.writeString((i == 0 ? "" : ",") + #"{"fullUrl":"# + quoted("\(base)/\(resource.type.rawValue)/\(resource.id)"))
            buffer.writeString(#","resource":"#)
            buffer.writeBytes(resource.json)
            buffer.writeString(#","search":{"mode":"match"}}"#)
        }
        buffer.writeString("]}")
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    // MARK: - Errors

    /// Any error on the FHIR face, as an OperationOutcome with its status.
    static func error(_ error: any Error, problem: Problem) -> Response {
        switch error {
        case let refusal as ArchiveRefusal:
            var headers = HTTPFields()
            if let current = refusal.current, refusal.kind == .stale || refusal.kind == .gone { headers = versionHeaders(current) }
            return json(refusal.outcome.json.text, status: .init(code: refusal.status), headers: headers)
        case let outcome as OperationOutcome:
            return json(outcome.json.text, status: .init(code: status(of: outcome)))
        default:
            let outcome = OperationOutcome(code: issueCode(forStatus: problem.status), diagnostics: problem.detail)
            return json(outcome.json.text, status: .init(code: problem.status), headers: problem.headerFields.removingContentType)
        }
    }

    /// A resource that is not valid FHIR is 400; a valid one that breaks our rules is 422.
    static func status(of outcome: OperationOutcome) -> Int {
        outcome.issues.contains { ["structure", "required", "invalid", "too-long"].contains($0.code) } ? 400 : 422
    }

    static func issueCode(forStatus status: Int) -> String {
        switch status {
        case 401: "login"
        case 403: "forbidden"
        case 404: "not-found"
        case 409: "conflict"
        case 412: "conflict"
        case 413: "too-long"
        case 415: "not-supported"
        case 503: "transient"
        case 500...: "exception"
        default: "invalid"
        }
    }

    // MARK: - Text

    static func quoted(_ text: String) -> String { FHIRJSON.string(text).text }

    static func instant(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    static func httpDate(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: date)
    }
}

extension HTTPFields {
    fileprivate var removingContentType: HTTPFields {
        var copy = self
        copy[.contentType] = nil
        return copy
    }
}
