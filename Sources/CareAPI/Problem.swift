import Billing
import CareModel
import CareStore
import Emergency
import Foundation
import HTTPTypes
import HealthArchive
import Hummingbird
import NIOCore

/// An RFC 9457 problem document: `application/problem+json`.
///
/// ```json
/// { "type": "urn:eldercare:problem:validation", "title": "Invalid values", "status": 422,
///   "detail": "nationalId its check character is 3 but should be X",
///   "errors": [{ "field": "nationalId", "reason": "its check character is 3 but should be X" }],
///   "instance": "/v1/elders", "requestId": "9f2c…" }
/// ```
public struct Problem: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var instance: String?
    /// Each field that failed and why (validation and malformed input).
    public var errors: [FieldIssue]?
    public var requestId: String?
    /// For a refused call action: the call's status and version now, and what it allows, so a
    /// console can refresh and offer the right keys without another read.
    public var callStatus: String?
    public var callVersion: Int?
    public var allowedActions: [String]?
    /// Seconds to wait, for 429 and 503 (sent as `Retry-After`, not in the body).
    var retryAfter: Int?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance, errors, requestId, callStatus, callVersion, allowedActions
    }

    static let contentType = "application/problem+json"

    init(_ error: APIError) {
        switch error {
        case .malformed(let field, let detail):
            self.init(
                slug: "malformed", "Malformed request", 400, detail,
                errors: field.map { [FieldIssue(field: $0, reason: detail)] })
        case .invalid(let failure):
            self.init(slug: "validation", "Invalid values", 422, failure.summary, errors: failure.issues)
        case .unauthenticated:
            self.init(
                slug: "unauthenticated", "Authentication required", 401,
                "Send an API token as 'Authorization: Bearer ec_…'; the token is missing, unknown or revoked.")
        case .forbidden(let permission):
            self.init(
                slug: "forbidden", "Not allowed for your role", 403,
                "Your role does not have the permission '\(permission.rawValue)' this route needs.")
        case .notFound(let detail): self.init(slug: "not-found", "Not found", 404, detail)
        case .conflict(let detail): self.init(slug: "conflict", "Conflict", 409, detail)
        case .conflictOn(let failure): self.init(slug: "conflict", "Conflict", 409, failure.summary + ".", errors: failure.issues)
        case .preconditionFailed(let detail): self.init(slug: "stale-version", "Version mismatch", 412, detail)
        case .tooLarge(let limit):
            self.init(slug: "too-large", "Body too large", 413, "The request body exceeds the limit of \(limit) bytes.")
        case .notReady(let detail): self.init(slug: "not-ready", "Not ready", 503, detail)
        case .unsupportedMediaType(let detail): self.init(slug: "media-type", "Unsupported media type", 415, detail)
        case .deviceUnauthenticated:
            self.init(
                slug: "unauthenticated", "Authentication required", 401,
                "The event must be signed by an active device: X-Eldercare-Timestamp within the allowed window and X-Eldercare-Signature over it (see Docs/device-protocol.md)."
            )
        case .rateLimited(let seconds):
            self.init(
                slug: "rate-limited", "Too many events", 429,
                "This device sent heartbeat or info events faster than allowed; retry in \(seconds) s. Alarms are never limited.")
            retryAfter = seconds
        case .database(let fault):
            let issues = [FieldIssue(field: fault.field, reason: fault.reason)]
            switch fault.kind {
            case .other: self = Problem.internal
            case .unavailable:
                self.init(slug: "not-ready", "Not ready", 503, "The database is busy or out of space; retry in a moment.")
            default:
                if fault.isConflict {
                    self.init(slug: "conflict", "Conflict", 409, "\(fault.field) \(fault.reason).", errors: issues)
                } else {
                    self.init(slug: "validation", "Invalid values", 422, "\(fault.field) \(fault.reason)", errors: issues)
                }
            }
        }
    }

    static let `internal` = Problem(
        slug: "internal", "Internal error", 500,
        "The server failed to handle this request; the request id identifies it in the server log.")

    init(slug: String, _ title: String, _ status: Int, _ detail: String, errors: [FieldIssue]? = nil) {
        self.type = "urn:eldercare:problem:" + slug
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    /// Maps anything thrown while handling a request to a problem.
    static func from(_ error: any Error, bodyLimit: Int) -> Problem {
        switch error {
        case let e as APIError: return Problem(e)
        case let e as StoreError: return Problem(APIError.from(e))
        case let e as CallRefusal: return Problem(e)
        case let e as BillingRefusal: return Problem(e)
        case let e as ValidationFailure: return Problem(.invalid(e))
        case let e as ArchiveRefusal: return Problem(slug: "health-archive", "Health archive refused", e.status, e.outcome.sentence)
        case let e as OperationOutcome: return Problem(slug: "health-archive", "Not a valid health record", 422, e.sentence)
        case is NIOTooManyBytesError: return Problem(.tooLarge(limit: bodyLimit))
        case let e as HTTPError:
            switch e.status {
            case .notFound:
                return Problem(.notFound("No route matches this method and path. The routes are listed in Docs/api/openapi.yaml."))
            case .contentTooLarge: return Problem(.tooLarge(limit: bodyLimit))
            default:
                return Problem(slug: "http", e.status.reasonPhrase, e.status.code, e.body ?? e.status.reasonPhrase)
            }
        default:
            // A GRDB error from any store: the constraint it broke becomes the client's answer.
            if let fault = DatabaseFault(error) { return Problem(.database(fault)) }
            return .internal
        }
    }

    func response(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> Response {
        Response(status: .init(code: status), headers: headerFields, body: .init(byteBuffer: body(allocator: allocator)))
    }

    /// The document, as JSON.
    func body(allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(bytes: (try? CareJSON.encoder.encode(self)) ?? Data())
    }

    /// `Content-Type`, and `WWW-Authenticate` or `Retry-After` where the status calls for them.
    var headerFields: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = Self.contentType
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if status == 503 { headers[.retryAfter] = "1" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return headers
    }
}

extension Problem {
    /// Billing's refusals: a duplicate payment or a closed month is a conflict; a callback whose
    /// signature fails is refused outright (403: it names no token to retry with).
    init(_ refusal: BillingRefusal) {
        switch refusal {
        case .duplicatePayment: self.init(slug: "duplicate-payment", "Payment already recorded", 409, refusal.sentence)
        case .periodClosed: self.init(slug: "period-closed", "Month closed", 409, refusal.sentence)
        case .monthNotOver: self.init(slug: "month-not-over", "Month not over", 409, refusal.sentence)
        case .earlierMonthOpen: self.init(slug: "earlier-month-open", "Earlier month open", 409, refusal.sentence)
        case .badSignature: self.init(slug: "bad-signature", "Signature does not verify", 403, refusal.sentence)
        case .notCorrectable: self.init(slug: "not-correctable", "Cannot be corrected", 409, refusal.sentence)
        }
    }

    /// A call action refused: 409 when the call changed or its status does not allow it, 403
    /// when another operator holds it, 422 when the action's contents are wrong.
    init(_ refusal: CallRefusal) {
        switch refusal.reason {
        case .stale: self.init(slug: "call-changed", "Someone acted first", 409, refusal.detail)
        case .notAllowed: self.init(slug: "call-state", "Not allowed in this state", 409, refusal.detail)
        case .forbidden: self.init(slug: "call-held", "Held by another operator", 403, refusal.detail)
        case .invalid(let failure): self.init(slug: "validation", "Invalid values", 422, refusal.detail, errors: failure.issues)
        }
        callStatus = refusal.status.rawValue
        callVersion = refusal.version
        allowedActions = refusal.allowedActions.map(\.rawValue)
    }
}
