import CurlHTTP

/// Sends the HTTP requests channels build. The live one is ``CurlTransport``; tests may put a
/// stand-in here, though most of them send to a real receiver on loopback.
public protocol NotificationTransport: Sendable {
    /// The response, whatever its status; throws only when there is none.
    func send(_ request: HTTPRequest) async throws(CurlHTTPError) -> HTTPResponse
    /// Releases connections; later sends fail.
    func shutdown() async
}

/// The live transport: one ``CurlClient`` (one curl multi handle on its own thread) for every
/// channel, with enough connections kept open for the worker's concurrency.
public final class CurlTransport: NotificationTransport {
    let client: CurlClient

    public init(concurrency: Int) throws(CurlHTTPError) {
        var configuration = CurlClient.Configuration()
        configuration.maximumCachedConnections = max(64, concurrency + 16)
        configuration.easyHandlePoolSize = max(64, concurrency)
        configuration.userAgent = "eldercare-notifications"
        // Gateways answer with small bodies; a huge one is a misconfiguration, not a message.
        configuration.maximumResponseBodySize = 1 << 20
        client = try CurlClient(configuration: configuration)
    }

    public func send(_ request: HTTPRequest) async throws(CurlHTTPError) -> HTTPResponse {
        try await client.send(request)
    }

    public func shutdown() async { await client.shutdown() }
}
