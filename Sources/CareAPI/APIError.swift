import CareModel
import CareStore
import HTTPTypes

/// Every way a request can fail, in one type. ``Problem`` turns each into an RFC 9457 body.
public enum APIError: Error, Sendable {
    /// The body is not JSON, or a query parameter cannot be read.
    case malformed(field: String?, detail: String)
    /// The request parsed but broke a rule.
    case invalid(ValidationFailure)
    case unauthenticated
    case forbidden(Permission)
    case notFound(String)
    case conflict(String)
    /// A conflict with rows already there that one field of the request caused.
    case conflictOn(ValidationFailure)
    case preconditionFailed(String)
    case tooLarge(limit: Int)
    case notReady(String)
    case unsupportedMediaType(String)
    /// A device event without a valid signature from an active device.
    case deviceUnauthenticated
    /// Too many heartbeat or info events from one device.
    case rateLimited(retryAfterSeconds: Int)
    /// SQLite refused a statement: a constraint names the field (409 or 422), a busy or full
    /// database is 503, anything else is a bug (500).
    case database(DatabaseFault)
}

extension APIError {
    /// The problem a store refusal becomes.
    static func from(_ error: StoreError) -> APIError {
        switch error {
        case .notFound(let entity, let id): .notFound("No \(entity) has the id \(id).")
        case .duplicate(let field, let reason): .invalid(ValidationFailure(field: field, reason: reason))
        case .versionMismatch(let entity, let id, let expected, let current):
            .preconditionFailed(
                "The \(entity) \(id) changed since you read it: you sent version \(expected), it is now at \(current). Read it again and retry."
            )
        case .conflict(let reason): .conflict(reason.prefix(1).uppercased() + reason.dropFirst() + ".")
        case .conflictOn(let field, let reason): .conflictOn(ValidationFailure(field: field, reason: reason))
        case .invalid(let failure): .invalid(failure)
        }
    }
}
