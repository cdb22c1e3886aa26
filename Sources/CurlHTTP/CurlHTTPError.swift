/// Why a request did not produce a response.
///
/// Only transport problems are errors: an HTTP 4xx or 5xx is a normal ``HTTPResponse``. The
/// associated text is curl's own detail (from `CURLOPT_ERRORBUFFER`, else `curl_easy_strerror`),
/// e.g. "Failed to connect to 127.0.0.1 port 9: Connection refused", ready for a log line.
///
/// ```swift
/// do {
///     _ = try await client.send(request)   // throws(CurlHTTPError)
/// } catch .timeout(let detail) {
///     logger.warning("agency slow: \(detail)")
/// } catch where error.isRetryable {
///     // back off and try again
/// } catch {
///     // give up
/// }
/// ```
public enum CurlHTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The URL could not be parsed, or its scheme is not `http` or `https`.
    case invalidURL(String, reason: String)
    /// A header name or value, or the method, contains characters HTTP does not allow
    /// (for example a line break, which could inject headers).
    case invalidRequest(String)
    /// Name lookup or the TCP connect failed: nothing was sent.
    case couldNotConnect(String)
    /// The connect timeout, total timeout or idle timeout expired.
    case timeout(String)
    /// The peer closed or reset the connection before the response was complete.
    case connectionClosed(String)
    /// The TLS handshake or certificate verification failed.
    case tls(String)
    /// A buffered response body was larger than ``CurlClient/Configuration/maximumResponseBodySize``.
    case responseTooLarge(limit: Int)
    /// Any other curl failure, with its `CURLcode`.
    case transport(code: Int, message: String)
    /// The calling task was cancelled, or the body stream was dropped.
    case cancelled
    /// The client was shut down before the request finished.
    case clientShutDown

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): "invalid URL \"\(url)\": \(reason)"
        case .invalidRequest(let reason): "invalid request: \(reason)"
        case .couldNotConnect(let detail): "could not connect: \(detail)"
        case .timeout(let detail): "timed out: \(detail)"
        case .connectionClosed(let detail): "connection closed: \(detail)"
        case .tls(let detail): "TLS failure: \(detail)"
        case .responseTooLarge(let limit): "response body larger than \(limit) bytes"
        case .transport(let code, let message): "transport error (curl code \(code)): \(message)"
        case .cancelled: "request cancelled"
        case .clientShutDown: "HTTP client shut down"
        }
    }

    /// Whether sending the same request again may succeed: true for network trouble, false for
    /// mistakes in the request and for deliberate stops.
    ///
    /// A timeout or a closed connection may mean the server acted on the request, so retry only
    /// requests that are safe to repeat (idempotent, or carrying an idempotency key).
    public var isRetryable: Bool {
        switch self {
        case .couldNotConnect, .timeout, .connectionClosed, .transport: true
        case .invalidURL, .invalidRequest, .tls, .responseTooLarge, .cancelled, .clientShutDown: false
        }
    }
}
