import CareModel
import Foundation
import HTTPTypes
import Hummingbird

/// One route of the API: its method, path, the permission it needs, and its handler.
///
/// Routes are data so that tests can walk every route with every role, and compare the list
/// with the OpenAPI document.
public struct APIRoute: Sendable {
    public let method: HTTPRequest.Method
    /// Hummingbird path syntax: `/v1/elders/:id`.
    public let path: String
    /// Who may call it; checked before the handler runs.
    public let access: Access
    let handler: @Sendable (Request, CareRequestContext) async throws -> Response

    init(
        _ method: HTTPRequest.Method, _ path: String, _ access: Access,
        _ handler: @escaping @Sendable (Request, CareRequestContext) async throws -> Response
    ) {
        self.method = method
        self.path = path
        self.access = access
        self.handler = handler
    }
}

/// Who may call a route.
public enum Access: Sendable, Equatable {
    /// Anyone, without a token: health, readiness, metrics.
    case `public`
    /// Any valid token.
    case authenticated
    /// A token whose role has this permission.
    case permission(Permission)
    /// No token: the body is signed with the device's own secret (checked by the handler).
    case deviceSignature
}

/// How every controller reads requests: the body limit and the page sizes. Each controller
/// holds its own stores beside it.
public struct APIEnvironment: Sendable {
    public var bodyLimit: Int
    public var defaultPageLimit: Int
    public var maximumPageLimit: Int

    public init(bodyLimit: Int = 1_048_576, defaultPageLimit: Int = 50, maximumPageLimit: Int = 500) {
        self.bodyLimit = bodyLimit; self.defaultPageLimit = defaultPageLimit; self.maximumPageLimit = maximumPageLimit
    }

    // MARK: Reading requests

    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        try await JSONCoding.decode(type, from: request, limit: bodyLimit)
    }

    /// `?limit=` and `?cursor=`.
    func pageRequest(_ request: Request) throws -> PageRequest {
        let q = request.uri.queryParameters
        var limit = defaultPageLimit
        if let text = q["limit"] {
            guard let n = Int(String(text)), (1...maximumPageLimit).contains(n) else {
                throw APIError.malformed(field: "limit", detail: "limit must be a whole number from 1 to \(maximumPageLimit)")
            }
            limit = n
        }
        var after: String?
        if let cursor = q["cursor"] {
            guard let key = Cursor.decode(String(cursor)) else {
                throw APIError.malformed(
                    field: "cursor", detail: "cursor is not one this server issued; pass nextCursor from a previous page")
            }
            after = key
        }
        return PageRequest(after: after, limit: limit)
    }

    /// An optional query parameter that must be one of an enum's values.
    func query<E: RawRepresentable & CaseIterable>(_ request: Request, _ name: String, as: E.Type) throws -> E? where E.RawValue == String {
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        guard let value = E(rawValue: text) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.malformed(field: name, detail: "\(name) must be one of: \(allowed)")
        }
        return value
    }

    func queryInt(_ request: Request, _ name: String) throws -> Int64? {
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        guard let n = Int64(text) else { throw APIError.malformed(field: name, detail: "\(name) must be a whole number") }
        return n
    }

    /// An optional query parameter that must be `true` or `false`; anything else is 400, so a
    /// typo never silently means the default.
    func queryBool(_ request: Request, _ name: String) throws -> Bool? {
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw APIError.malformed(field: name, detail: "\(name) must be true or false")
        }
    }

    /// A query parameter as sent: nil only when absent, so `?month=` is refused as a value, not
    /// read as no filter. For parameters the document gives a pattern, an enum or a format.
    func queryValue(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init)
    }

    func queryText(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A path parameter that must be a row id; anything else cannot name a row, so it is 404.
    func id(_ context: CareRequestContext, _ entity: String, _ name: String = "id") throws -> Int64 {
        let text = context.parameters.get(name) ?? ""
        guard let n = Int64(text) else { throw APIError.notFound("No \(entity) has the id \(text).") }
        return n
    }

    /// The version in `If-Match: "3"`, if sent.
    func expectedVersion(_ request: Request) throws -> Int? {
        guard let text = request.headers[.ifMatch] else { return nil }
        let digits = text.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard let n = Int(digits) else {
            throw APIError.malformed(field: "If-Match", detail: "If-Match must be the ETag you received, such as \"3\"")
        }
        return n
    }
}

extension HTTPFields {
    /// `ETag: "<version>"` for a versioned resource.
    static func etag(_ version: Int) -> HTTPFields {
        var h = HTTPFields()
        h[.eTag] = "\"\(version)\""
        return h
    }
}
