import CareTesting
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shared test server, checked byte for byte with a raw socket: what it reads and records,
/// how it answers, and what it notices.
@Suite struct LoopbackHTTPServerTests {
    @Test func readsAndRecordsRequestsOnOneKeptAliveConnection() async throws {
        let server = try LoopbackHTTPServer { _ in .status(200, body: "ok") }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        // Two requests in one write: the second is already buffered when the first is answered.
        client.send(
            "POST /hook?open=true&limit=5 HTTP/1.1\r\nHost: x\r\nX-Key:  k1 \r\nContent-Length: 6\r\n\r\n跌倒"
                + "GET /two HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = await client.read { $0.occurrences(of: "\r\n\r\nok") == 2 }
        #expect(answers.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answers.occurrences(of: "Content-Length: 2\r\n") == 2)

        #expect(server.requests.count == 2 && server.requestCount == 2 && server.acceptedConnections == 1)
        let post = try #require(server.requests.first)
        #expect(post.method == "POST" && post.path == "/hook" && post.query == "open=true&limit=5")
        #expect(post.headers["x-key"] == "k1", "looked up in any case, trimmed")
        #expect(post.headers.fields.map(\.name) == ["Host", "X-Key", "Content-Length"])
        #expect(post.text == "跌倒")
        #expect(server.requests(to: "/tw").map(\.path) == ["/two"])
        #expect(server.requests.last?.body.isEmpty == true)
    }

    @Test func scriptedRepliesAndHead() async throws {
        let server = try LoopbackHTTPServer { request in
            switch request.path {
            case "/busy": .status(429, headers: ["Retry-After": "120"], body: "wait")
            case "/slow": .after(milliseconds: 200, .status(202))
            default: .close
            }
        }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /busy HTTP/1.1\r\n\r\n")
        let busy = await client.read { $0.hasSuffix("wait") }
        #expect(busy.hasPrefix("HTTP/1.1 429 Too Many Requests\r\n"))
        #expect(busy.contains("\r\nRetry-After: 120\r\n") && busy.contains("\r\nContent-Length: 4\r\n"))

        client.send("HEAD /busy HTTP/1.1\r\n\r\n")
        let head = await client.read { $0.hasSuffix("\r\n\r\n") }
        #expect(head.contains("Content-Length: 4") && !head.contains("wait"), "the length, not the body")

        let start = ContinuousClock.now
        client.send("GET /slow HTTP/1.1\r\n\r\n")
        #expect(await client.read { $0.hasSuffix("\r\n\r\n") }.hasPrefix("HTTP/1.1 202 Accepted"))
        #expect(ContinuousClock.now - start >= .milliseconds(200))

        client.send("GET /gone HTTP/1.1\r\n\r\n")
        #expect(await client.readToEnd() == "", "closed without a word")
        #expect(server.acceptedConnections == 1)
    }

    @Test func connectionCloseIsHonoured() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(await client.readToEnd().hasPrefix("HTTP/1.1 200 OK"), "answered, then closed")
    }

    @Test func aHangingAnswerWaitsForTheClientToLeave() async throws {
        let server = try LoopbackHTTPServer { _ in .hang }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /hang HTTP/1.1\r\n\r\n")
        #expect(try await becomes { server.inFlight == 1 })
        // The client leaves but still reads, so it hears everything the server ever sends.
        client.finishSending()
        #expect(await client.readToEnd() == "", "nothing was sent while it waited")
        // Only an answer still waiting sees the client leave: one that had ended would not count it.
        #expect(try await becomes { server.closedByClient == 1 && server.inFlight == 0 })
    }

    @Test func stoppingEndsAHangingAnswerWithoutCountingTheClient() async throws {
        let server = try LoopbackHTTPServer { _ in .hang }
        let client = try RawClient(port: server.port)
        client.send("GET /hang HTTP/1.1\r\n\r\n")
        #expect(try await becomes { server.inFlight == 1 })
        server.stop()
        #expect(await client.readToEnd() == "")
        #expect(try await becomes { server.inFlight == 0 })
        #expect(server.closedByClient == 0)
        #expect(throws: POSIXError(.ECONNREFUSED)) { try RawClient(port: server.port) }
    }

    @Test func anEventStreamEndsByClosingTheConnection() async throws {
        let server = try LoopbackHTTPServer { _ in .events(["id: 1\ndata: a\n\n", "data: b\n\n"]) }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /feed HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n")
        let stream = await client.readToEnd()
        #expect(stream.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(stream.contains("\r\nContent-Type: text/event-stream\r\n") && stream.contains("\r\nConnection: close\r\n"))
        #expect(stream.hasSuffix("\r\n\r\nid: 1\ndata: a\n\ndata: b\n\n"))
    }

    @Test func heartbeatsGoOnUntilTheClientLeaves() async throws {
        let server = try LoopbackHTTPServer { _ in .events(["data: a\n\n"], heartbeat: "ping", milliseconds: 20) }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /feed HTTP/1.1\r\n\r\n")
        #expect(await client.read { $0.occurrences(of: ": ping\n\n") >= 3 }.contains("data: a\n\n: ping\n\n: ping\n\n"))
        client.close()
        #expect(try await becomes { server.closedByClient == 1 && server.inFlight == 0 })
    }

    @Test func aChunkedStreamThatEndsKeepsTheConnection() async throws {
        let server = try LoopbackHTTPServer(handler: { request, response in
            response.startStream(headers: ["Content-Type": "text/plain"], framing: .chunked)
            response.write("紧急")
            response.write(Data())  // Not the last chunk: only endStream() ends the body.
            response.write(request.path)
            response.endStream()
        })
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /a HTTP/1.1\r\n\r\n")
        let first = await client.read { $0.hasSuffix("0\r\n\r\n") }
        #expect(first.contains("\r\nTransfer-Encoding: chunked\r\n"))
        #expect(first.hasSuffix("\r\n\r\n6\r\n紧急\r\n2\r\n/a\r\n0\r\n\r\n"))
        client.send("GET /b HTTP/1.1\r\n\r\n")
        #expect(await client.read { $0.hasSuffix("0\r\n\r\n") }.hasSuffix("2\r\n/b\r\n0\r\n\r\n"))
        #expect(server.acceptedConnections == 1)
    }

    @Test func bytesThatAreNotHTTPGetAPlain400() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01])  // The start of a TLS ClientHello.
        #expect(await client.readToEnd().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(server.requestCount == 0)
    }

    @Test func nothingListensOnARefusingPort() throws {
        let port = try LoopbackHTTPServer.refusingPort()
        #expect(port > 0)
        #expect(throws: POSIXError(.ECONNREFUSED)) { try RawClient(port: port) }
    }

    @Test func countsRequestsInFlightWithoutRecordingThem() async throws {
        let release = Flag()
        let server = try LoopbackHTTPServer(
            recordsRequests: false,
            handler: { _, response in
                while !release.isSet { usleep(1_000) }
                response.send(status: 200)
            })
        defer { server.stop() }
        let clients = try (0..<3).map { _ in try RawClient(port: server.port) }
        for client in clients { client.send("GET / HTTP/1.1\r\n\r\n") }
        // All three are held until released, so the count cannot depend on how fast the machine is.
        #expect(try await becomes { server.inFlight == 3 })
        release.set()
        for client in clients { #expect(await client.read { $0.hasSuffix("\r\n\r\n") }.hasPrefix("HTTP/1.1 200 OK")) }
        #expect(server.mostInFlight == 3 && server.requestCount == 3 && server.acceptedConnections == 3)
        #expect(server.requests.isEmpty)
    }
}
