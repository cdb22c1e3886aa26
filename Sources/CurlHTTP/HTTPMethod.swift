/// An HTTP request method, spelled as it goes on the wire.
///
/// The common methods are constants; any other token can be written as a string literal.
///
/// ```swift
/// HTTPRequest(method: .post, url: "https://example.org/v1/alerts")
/// HTTPRequest(method: "PROPFIND", url: "https://example.org/dav/")
/// ```
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let get: HTTPMethod = "GET"
    public static let head: HTTPMethod = "HEAD"
    public static let post: HTTPMethod = "POST"
    public static let put: HTTPMethod = "PUT"
    public static let patch: HTTPMethod = "PATCH"
    public static let delete: HTTPMethod = "DELETE"

    public var description: String { rawValue }

    /// A method is an RFC 9110 token: anything else would let a caller smuggle text into the
    /// request line.
    var isValidToken: Bool { !rawValue.isEmpty && rawValue.utf8.allSatisfy(HTTPHeaders.isTokenByte) }
}
