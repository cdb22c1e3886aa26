public import Foundation

/// One HTTP request for ``CurlClient``.
///
/// Redirects are not followed: a 3xx comes back as the response, so a delivery never lands
/// somewhere the caller did not name. Timeouts are per request because callers differ: a notification delivery wants a short total
/// timeout, a Server-Sent-Events feed wants none and an ``idleTimeout`` instead.
///
/// ```swift
/// let request = HTTPRequest(
///     method: .post,
///     url: "https://agency.example/v1/notify",
///     headers: ["Content-Type": "application/json"],
///     body: Data(#"{"alarm":42}"#.utf8),
///     timeout: .seconds(5)
/// )
/// let response = try await client.send(request)
/// ```
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// An absolute `http` or `https` URL; any other scheme fails with ``CurlHTTPError/invalidURL(_:reason:)``.
    public var url: String
    public var headers: HTTPHeaders
    /// Sent as-is with a `Content-Length`. `nil` sends no body (except an empty one for POST).
    public var body: Data?
    /// How long to wait for the TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// Limit on the whole exchange, from submission to the last byte; `nil` for none.
    ///
    /// It includes time spent queued behind ``CurlClient/Configuration/maximumConnectionsPerHost``.
    public var timeout: Duration?
    /// Fails the request when no byte arrives for this long; `nil` for none. Meant for
    /// long-lived streams, where a total timeout makes no sense. Curl checks it in whole seconds.
    public var idleTimeout: Duration?
    /// Whether to check the server's certificate and host name. Leave it on outside tests.
    public var verifyTLS: Bool

    public init(
        method: HTTPMethod = .get,
        url: String,
        headers: HTTPHeaders = [:],
        body: Data? = nil,
        connectTimeout: Duration = .seconds(10),
        timeout: Duration? = .seconds(30),
        idleTimeout: Duration? = nil,
        verifyTLS: Bool = true
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.idleTimeout = idleTimeout
        self.verifyTLS = verifyTLS
    }
}
