import CareTesting
import CurlHTTP
import Foundation
import Testing

/// Many requests on one multi handle: they overlap, share connections, and can be abandoned.
@Suite struct CurlClientConcurrencyTests {
    @Test func concurrentRequestsRunAtTheSameTime() async throws {
        try await withLoopback { client, server in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await client.send(HTTPRequest(url: server.url("/sleep/50"))).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == 200 })
            // The server seeing many at once is the proof that they overlap (one at a time would
            // see one). No time bound: on a busy machine it would measure the machine.
            #expect(server.mostInFlight >= 50)
        }
    }

    @Test func sequentialRequestsReuseTheConnection() async throws {
        try await withLoopback { client, server in
            for index in 0..<50 {
                let response = try await client.send(HTTPRequest(method: .post, url: server.url("/echo"), body: Data("\(index)".utf8)))
                #expect(response.body == Data("\(index)".utf8))
            }
            #expect(server.requests.count == 50)
            #expect(server.acceptedConnections <= 2)
        }
    }

    @Test func perHostConnectionLimitIsHonoured() async throws {
        var configuration = CurlClient.Configuration(usesEnvironmentProxy: false)
        configuration.maximumConnectionsPerHost = 3
        try await withLoopback(configuration) { client, server in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        let response = try await client.send(HTTPRequest(url: server.url("/sleep/20")))
                        #expect(response.status == 200)
                    }
                }
                try await group.waitForAll()
            }
            #expect(server.requests.count == 12)
            #expect(server.acceptedConnections <= 3)
            #expect(server.mostInFlight <= 3)
        }
    }

    @Test func cancellingTheTaskAbortsTheRequestAndClosesItsConnection() async throws {
        try await withLoopback { client, server in
            let task = Task { try await client.send(HTTPRequest(url: server.url("/hang"), timeout: .seconds(120))) }
            try await eventually("the server received the request") { server.requests.count == 1 }
            let start = ContinuousClock.now
            task.cancel()
            let result = await task.result
            #expect(ContinuousClock.now - start < .seconds(60))  // well before the 120 s timeout
            #expect(throws: CurlHTTPError.cancelled) { try result.get() }
            try await eventually("the server saw the connection close") { server.closedByClient == 1 }
            // The client still works afterwards.
            #expect(try await client.send(HTTPRequest(url: server.url("/echo"))).status == 200)
        }
    }

    @Test func aTaskCancelledBeforeSendingSendsNothing() async throws {
        try await withLoopback { client, server in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.send(HTTPRequest(url: server.url("/bytes/1")))
            }
            await #expect(throws: CurlHTTPError.cancelled) { try await task.value }
            _ = try await client.send(HTTPRequest(url: server.url("/echo")))
            #expect(server.requests.map(\.path) == ["/echo"])
        }
    }

    @Test func shutdownFailsRequestsInFlightAndAfterwards() async throws {
        let server = try ClientTestServer()
        defer { server.stop() }
        let client = try CurlClient(configuration: .init(usesEnvironmentProxy: false))
        let task = Task { try await client.send(HTTPRequest(url: server.url("/hang"), timeout: .seconds(120))) }
        try await eventually("the server received the request") { server.requests.count == 1 }
        await client.shutdown()
        await #expect(throws: CurlHTTPError.clientShutDown) { try await task.value }
        await #expect(throws: CurlHTTPError.clientShutDown) { try await client.send(HTTPRequest(url: server.url("/echo"))) }
        await client.shutdown()  // A second shutdown returns too.
        try await eventually("the server saw the connection close") { server.closedByClient == 1 }
    }
}
