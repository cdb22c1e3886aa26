import CareTesting
import CurlHTTP
import Foundation
import Testing

/// Single requests against the loopback server: what goes out, what comes back, what fails.
@Suite struct CurlClientTests {
    @Test func getReturnsStatusHeadersAndBody() async throws {
        try await withLoopback { client, server in
            let response = try await client.send(HTTPRequest(url: server.url("/bytes/5")))
            #expect(response.status == 200)
            #expect(response.body == Data("xxxxx".utf8))
            #expect(response.headers["content-length"] == "5")
            #expect(response.isSuccess)
            #expect(response.totalTime > .zero)
            let seen = try #require(server.requests.first)
            #expect(seen.method == "GET")
            #expect(seen.headers["User-Agent"] == "CurlHTTP")
        }
    }

    @Test func postSendsHeadersAndBodyAndGetsTheEcho() async throws {
        try await withLoopback { client, server in
            let payload = Data(#"{"alarm":42,"note":"跌倒"}"#.utf8) + Data([0, 1, 2])  // Binary-safe, NULs included.
            let response = try await client.send(
                HTTPRequest(
                    method: .post, url: server.url("/echo"),
                    headers: ["Content-Type": "application/json", "X-Request-Id": "r-17", "X-Empty": ""],
                    body: payload))
            #expect(response.status == 200)
            #expect(response.body == payload)
            #expect(response.headers["X-Echo-Method"] == "POST")
            let seen = try #require(server.requests.first)
            #expect(seen.body == payload)
            #expect(seen.headers["content-type"] == "application/json")
            #expect(seen.headers["X-Request-Id"] == "r-17")
            #expect(seen.headers["X-Empty"] == "")
            #expect(seen.headers["Expect"] == nil)
        }
    }

    @Test(arguments: [HTTPMethod.put, .patch, .delete])
    func otherMethodsCarryTheirBody(method: HTTPMethod) async throws {
        try await withLoopback { client, server in
            let response = try await client.send(HTTPRequest(method: method, url: server.url("/echo"), body: Data("b".utf8)))
            #expect(response.headers["X-Echo-Method"] == method.rawValue)
            #expect(server.requests.first?.body == Data("b".utf8))
        }
    }

    @Test func headAndBodylessPost() async throws {
        try await withLoopback { client, server in
            let head = try await client.send(HTTPRequest(method: .head, url: server.url("/bytes/100")))
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.headers["Content-Length"] == "100")
            let post = try await client.send(HTTPRequest(method: .post, url: server.url("/echo")))
            #expect(post.headers["X-Echo-Method"] == "POST")
            #expect(server.requests.last?.headers["Content-Length"] == "0")
        }
    }

    @Test func errorStatusesAreResponsesNotErrors() async throws {
        try await withLoopback { client, server in
            let failed = try await client.send(HTTPRequest(url: server.url("/status/500")))
            #expect(failed.status == 500)
            #expect(!failed.isSuccess)
            #expect(failed.body == Data("status 500".utf8))
            let limited = try await client.send(HTTPRequest(url: server.url("/status/429")))
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == "7")
        }
    }

    @Test func refusedConnectionFailsQuicklyWithCouldNotConnect() async throws {
        let port = try LoopbackHTTPServer.refusingPort()
        let client = try CurlClient(configuration: .init(usesEnvironmentProxy: false))
        // A timeout far beyond any test run: the error's kind, not a stopwatch, shows the refusal
        // was reported as such rather than waited out (a busy test machine can stall any clock).
        let failure = await error { try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/", timeout: .seconds(600))) }
        guard case .couldNotConnect(let detail) = failure else {
            Issue.record("expected couldNotConnect, got \(String(describing: failure))")
            return
        }
        #expect(detail.contains("\(port)"))
        #expect(failure?.isRetryable == true)
        await client.shutdown()
    }

    @Test func totalTimeoutEndsAHangingRequest() async throws {
        try await withLoopback { client, server in
            let start = ContinuousClock.now
            let failure = await error { try await client.send(HTTPRequest(url: server.url("/hang"), timeout: .milliseconds(300))) }
            let elapsed = ContinuousClock.now - start
            guard case .timeout = failure else {
                Issue.record("expected timeout, got \(String(describing: failure))")
                return
            }
            #expect(elapsed >= .milliseconds(300))
            #expect(elapsed < .seconds(20))  // the server never answers, so .timeout is the proof; this only bounds it
        }
    }

    @Test func connectionClosedWithoutAnAnswerIsATransportError() async throws {
        try await withLoopback { client, server in
            let failure = await error { try await client.send(HTTPRequest(url: server.url("/close"))) }
            guard case .connectionClosed = failure else {
                Issue.record("expected connectionClosed, got \(String(describing: failure))")
                return
            }
        }
    }

    @Test func bodyLargerThanTheLimitFails() async throws {
        var configuration = CurlClient.Configuration(usesEnvironmentProxy: false)
        configuration.maximumResponseBodySize = 1000
        try await withLoopback(configuration) { client, server in
            let fits = try await client.send(HTTPRequest(url: server.url("/bytes/1000")))
            #expect(fits.body.count == 1000)
            let failure = await error { try await client.send(HTTPRequest(url: server.url("/bytes/5000"))) }
            #expect(failure == .responseTooLarge(limit: 1000))
        }
    }

    @Test(arguments: ["ftp://127.0.0.1/file", "file:///etc/passwd", "http://[::1", "http://127.0.0.1/\0evil"])
    func urlsThatAreNotWebURLsAreRejected(url: String) async throws {
        let client = try CurlClient(configuration: .init(usesEnvironmentProxy: false))
        let failure = await error { try await client.send(HTTPRequest(url: url)) }
        guard case .invalidURL(let rejected, _) = failure else {
            Issue.record("expected invalidURL, got \(String(describing: failure))")
            return
        }
        #expect(rejected == url)
        await client.shutdown()
    }

    @Test func headerInjectionIsRejectedBeforeAnythingIsSent() async throws {
        try await withLoopback { client, server in
            let badValue = await error {
                try await client.send(HTTPRequest(url: server.url("/echo"), headers: ["X-Note": "a\r\nX-Admin: yes"]))
            }
            let badName = await error { try await client.send(HTTPRequest(url: server.url("/echo"), headers: ["X Note": "a"])) }
            let badMethod = await error { try await client.send(HTTPRequest(method: "GET /x", url: server.url("/echo"))) }
            for failure in [badValue, badName, badMethod] {
                guard case .invalidRequest = failure else {
                    Issue.record("expected invalidRequest, got \(String(describing: failure))")
                    continue
                }
            }
            #expect(server.requests.isEmpty)
        }
    }

    @Test func httpsToAPlainServerIsATLSFailure() async throws {
        try await withLoopback { client, server in
            let failure = await error {
                try await client.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo", timeout: .seconds(5)))
            }
            guard case .tls = failure else {
                Issue.record("expected tls, got \(String(describing: failure))")
                return
            }
            #expect(failure?.isRetryable == false)
        }
    }
}
