internal import CCurl
import Foundation

/// An async HTTP client on libcurl: one thread drives one curl multi handle for all requests.
///
/// Requests from any task are queued to that thread, which runs them concurrently and resumes
/// each caller when its response is complete. Connections are kept alive and reused between
/// requests to the same host. TLS certificates are verified unless a request opts out, and only
/// `http` and `https` URLs are accepted.
///
/// ```swift
/// let client = try CurlClient()
/// let response = try await client.send(HTTPRequest(url: "https://agency.example/health"))
/// print(response.status, response.totalTime)
/// await client.shutdown()
/// ```
///
/// Cancelling the calling task aborts its request (the connection is closed) and throws
/// ``CurlHTTPError/cancelled``. A non-2xx status is a response, not an error.
public final class CurlClient: Sendable {
    public let configuration: Configuration
    let queue: TransferQueue

    /// Starts the client's thread.
    ///
    /// - Throws: ``CurlHTTPError/transport(code:message:)`` if libcurl cannot be initialised.
    public init(configuration: Configuration = Configuration()) throws(CurlHTTPError) {
        let initialization = CurlGlobal.initialization
        guard initialization == CURLE_OK else {
            throw .transport(
                code: Int(initialization.rawValue),
                message: "curl_global_init failed: \(String(cString: curl_easy_strerror(initialization)))")
        }
        guard let multi = curl_multi_init() else {
            throw .transport(code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_multi_init failed")
        }
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, configuration.maximumCachedConnections))
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(0, configuration.maximumConnectionsPerHost ?? 0))
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max(0, configuration.maximumTotalConnections ?? 0))

        self.configuration = configuration
        self.queue = TransferQueue(multi: multi)
        let thread = Thread { [queue] in
            MultiLoop(queue: queue, configuration: configuration).run()
        }
        thread.name = "CurlHTTP"
        thread.start()
    }

    deinit {
        // Nothing can be waiting on a client that is gone, so just let the thread end.
        queue.requestStop()
    }

    /// Sends a request and returns the complete response.
    ///
    /// ```swift
    /// let response = try await client.send(HTTPRequest(
    ///     method: .post, url: "http://127.0.0.1:8080/v1/notify",
    ///     headers: ["Content-Type": "application/json"], body: payload, timeout: .seconds(5)))
    /// guard response.isSuccess else { ... }
    /// ```
    ///
    /// - Throws: a ``CurlHTTPError``, never for an HTTP status.
    public func send(_ request: HTTPRequest) async throws(CurlHTTPError) -> HTTPResponse {
        let transfer = Transfer(request: request, bodyLimit: configuration.maximumResponseBodySize)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { waiter in
                transfer.expectResponse(waiter)
                if !queue.submit(transfer) {
                    transfer.complete(.failure(.clientShutDown))
                }
            }
        } onCancel: { [queue] in
            queue.cancel(transfer)
        }
        return try result.get()
    }

    /// Stops the client: requests in flight and later ones fail with
    /// ``CurlHTTPError/clientShutDown``. Returns once the thread has released curl. Safe to
    /// call more than once.
    public func shutdown() async {
        await queue.stop()
    }
}
