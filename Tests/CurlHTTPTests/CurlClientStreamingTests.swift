import CareTesting
import CurlHTTP
import Foundation
import Testing

/// Streaming bodies and Server-Sent Events through the client.
@Suite struct CurlClientStreamingTests {
    static let expectedOutputs: [ServerSentEventParser.Output] = [
        .comment("hello"),
        .event(ServerSentEvent(id: "1", event: "tick", data: "one")),
        .event(ServerSentEvent(id: "2", event: "message", data: "line a\nline b")),
        .event(ServerSentEvent(id: "2", event: "alert", data: "紧急")),
    ]

    @Test(arguments: ["chunked", "close"])
    func eventsArriveAsTheServerSendsThem(framing: String) async throws {
        try await withLoopback { client, server in
            let response = try await client.stream(
                HTTPRequest(
                    url: server.url("/sse/\(framing)"), headers: ["Accept": "text/event-stream"], timeout: nil))
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"] == "text/event-stream")
            var events = response.body.serverSentEvents().makeAsyncIterator()
            var outputs = [try await events.next(), try await events.next()].compactMap { $0 }
            // The server holds the rest back until the gate opens, so these two arrived on their own.
            #expect(outputs == Array(Self.expectedOutputs.prefix(2)))
            #expect(!server.isGateOpen)
            #expect(server.streamsCompleted == 0)
            server.openGate()
            while let output = try await events.next() { outputs.append(output) }
            #expect(outputs == Self.expectedOutputs)
            #expect(server.streamsCompleted == 1)
        }
    }

    @Test func droppingTheBodyClosesTheConnection() async throws {
        try await withLoopback { client, server in
            do {
                let response = try await client.stream(HTTPRequest(url: server.url("/sse/forever"), timeout: nil))
                var events = response.body.serverSentEvents().makeAsyncIterator()
                #expect(try await events.next() == .comment("ping"))
                #expect(try await events.next() == .comment("ping"))
            }
            try await eventually("the server saw the connection close") { server.closedByClient == 1 }
        }
    }

    @Test func cancellingTheReaderClosesTheConnection() async throws {
        try await withLoopback { client, server in
            let response = try await client.stream(HTTPRequest(url: server.url("/sse/forever"), timeout: nil))
            let reader = Task {
                var chunks = 0
                for try await _ in response.body { chunks += 1 }
                return chunks
            }
            try await Task.sleep(for: .milliseconds(100))
            reader.cancel()
            // The reader either sees the stream end or, if the abort overtakes it, `.cancelled`.
            if case .failure(let failure) = await reader.result {
                #expect(failure as? CurlHTTPError == .cancelled)
            }
            try await eventually("the server saw the connection close") { server.closedByClient == 1 }
            withExtendedLifetime(response) {}  // The response is still referenced: the cancel did it.
        }
    }

    @Test func errorStatusesStreamTheirBody() async throws {
        try await withLoopback { client, server in
            let response = try await client.stream(HTTPRequest(url: server.url("/status/500")))
            #expect(response.status == 500)
            #expect(try await response.body.collect(upTo: 1000) == Data("status 500".utf8))
        }
    }

    @Test func failureBeforeTheHeadIsThrownByStream() async throws {
        let port = try LoopbackHTTPServer.refusingPort()
        let client = try CurlClient(configuration: .init(usesEnvironmentProxy: false))
        let failure = await error { try await client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/sse")) }
        guard case .couldNotConnect = failure else {
            Issue.record("expected couldNotConnect, got \(String(describing: failure))")
            return
        }
        await client.shutdown()
    }

    @Test func failureAfterTheHeadEndsTheBodyWithAnError() async throws {
        try await withLoopback { client, server in
            let response = try await client.stream(HTTPRequest(url: server.url("/sse/forever"), timeout: .milliseconds(300)))
            #expect(response.status == 200)
            let failure = await error { for try await _ in response.body {} }
            guard case .timeout = failure else {
                Issue.record("expected timeout, got \(String(describing: failure))")
                return
            }
        }
    }
}
