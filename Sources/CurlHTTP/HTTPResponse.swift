public import Foundation

/// A complete HTTP response, as returned by ``CurlClient/send(_:)``.
///
/// Any status is a response, not an error: a 500 or a 429 arrives here, and only transport
/// failures throw. That leaves retry policy to the caller.
///
/// ```swift
/// let response = try await client.send(request)
/// if response.status == 429, let delay = response.headers["Retry-After"].flatMap(Int.init) {
///     try await Task.sleep(for: .seconds(delay))
/// }
/// ```
public struct HTTPResponse: Sendable {
    public var status: Int
    /// The headers of the final response (those of any `100 Continue` are dropped).
    public var headers: HTTPHeaders
    public var body: Data
    /// Wall time of the whole transfer as curl measured it, including any queueing, name
    /// lookup, connect and TLS handshake.
    public var totalTime: Duration

    public init(status: Int, headers: HTTPHeaders, body: Data, totalTime: Duration) {
        self.status = status
        self.headers = headers
        self.body = body
        self.totalTime = totalTime
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
