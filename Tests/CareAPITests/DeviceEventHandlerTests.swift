import CareModel
import CareStore
import Emergency
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import CareAPI

/// The device path in the channel pipeline: what it answers itself, what it passes on to the
/// router, and that HTTP/1.1's answers stay in request order either way.
@Suite("Device events in the channel pipeline")
struct DeviceEventHandlerTests {
    struct Fixture {
        let server: TestServer
        let channel: NIOAsyncTestingChannel
        let deviceId: String
        let secret: String

        static func make(ready: Bool = true) async throws -> Fixture {
            let server = try await TestServer.make(ready: ready)
            let db = server.server.database
            let id = NationalID.make(regionCode: "450902", birthDate: CalendarDate(year: 1940, month: 3, day: 1)!, sequence: 1)
            let elder = try await db.registry.createElder(
                try NewElder(
                    name: "测试", nationalId: id.value, phone: nil, address: "玉林市", location: nil,
                    regionCode: "450902001001", livingSituation: .alone, careLevel: .selfCare
                ).validated(now: Date()),
                by: .commandLine)
            let device = try await db.registry.createDevice(NewDevice(id: "DEV-1", type: .sosPendant, elderId: elder.id), by: .commandLine)
            let intake = server.server.intake, readiness = server.server.readiness
            // Made on the channel's loop, where it lives: the handler is not Sendable.
            let channel = try await NIOAsyncTestingChannel { channel in
                try channel.pipeline.syncOperations.addHandler(
                    DeviceEventHandler(intake: intake, readiness: readiness, logger: Logger(label: "test"), serverName: "eldercare"))
            }
            return Fixture(server: server, channel: channel, deviceId: device.device.id, secret: device.secret)
        }

        func eventParts(ref: String, path: String? = nil, signature: String? = nil, close: Bool = false) -> [HTTPRequestPart] {
            let path = path ?? "/v1/devices/\(deviceId)/events"
            let body = #"{"ref":"\#(ref)","kind":"alarm","code":"sos","occurredAt":"\#(Timestamp.string(Date()))"}"#
            let ts = String(Int64(Date().timeIntervalSince1970))
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            if close { fields[.connection] = "close" }
            fields[.eventTimestamp] = ts
            fields[.eventSignature] =
                signature
                ?? EventSignature.sign(
                    method: "POST", path: path.split(separator: "?")[0].description,
                    timestamp: ts, body: Data(body.utf8), secret: secret)
            return [
                .head(HTTPRequest(method: .post, scheme: "http", authority: "test", path: path, headerFields: fields)),
                .body(ByteBuffer(string: body)), .end(nil),
            ]
        }

        static let health: [HTTPRequestPart] = [
            .head(HTTPRequest(method: .get, scheme: "http", authority: "test", path: "/health")), .end(nil),
        ]

        func send(_ parts: [HTTPRequestPart]) async throws {
            for part in parts { try await channel.writeInbound(part) }
        }

        /// The next response written to the connection: status, headers, body.
        func response() async throws -> (HTTPResponse, String) {
            guard case .head(let head) = try await channel.waitForOutboundWrite(as: HTTPResponsePart.self) else {
                throw Failure("the response did not start with its head")
            }
            var body = ""
            while true {
                switch try await channel.waitForOutboundWrite(as: HTTPResponsePart.self) {
                case .body(let buffer): body += String(buffer: buffer)
                case .end: return (head, body)
                case .head: throw Failure("a second head before the end")
                }
            }
        }

        /// The parts the handler passed on to the router, up to and including an `.end`.
        func passedOn() async throws -> [HTTPRequestPart] {
            var parts: [HTTPRequestPart] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                guard let part = try await channel.readInbound(as: HTTPRequestPart.self) else {
                    try await Task.sleep(for: .milliseconds(5))
                    continue
                }
                parts.append(part)
                if case .end = part { break }
            }
            return parts
        }

        func remove() async throws {
            _ = try? await channel.finish()
            server.remove()
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func aSignedEventIsAnsweredInThePipelineOnceStored() async throws {
        let f = try await Fixture.make()
        try await f.send(f.eventParts(ref: "p1"))
        let (head, body) = try await f.response()
        #expect(head.status == .accepted)
        #expect(head.headerFields[.contentLength] == String(body.utf8.count))
        #expect(head.headerFields[.requestID] != nil && head.headerFields[.server] == "eldercare")
        #expect(head.headerFields[.date]?.hasSuffix(" GMT") == true)
        let reply = try JSONDecoder().decode(EventReply.self, from: Data(body.utf8))
        #expect(reply.ref == "p1" && reply.status == .accepted)
        #expect(try await f.channel.readInbound(as: HTTPRequestPart.self) == nil, "nothing reached the router")
        #expect(try await f.server.server.calls.deviceEvents(deviceId: f.deviceId, page: PageRequest()).items.count == 1)
        try await f.remove()
    }

    @Test func refusalsAreProblemDocuments() async throws {
        let f = try await Fixture.make()
        try await f.send(f.eventParts(ref: "bad", signature: "00"))
        let (head, body) = try await f.response()
        #expect(head.status == .unauthorized && head.headerFields[.contentType] == "application/problem+json")
        let problem = try JSONDecoder().decode(Problem.self, from: Data(body.utf8))
        #expect(problem.status == 401 && problem.requestId == head.headerFields[.requestID])

        var parts = f.eventParts(ref: "big")
        parts.insert(.body(ByteBuffer(repeating: UInt8(ascii: " "), count: 70_000)), at: 1)
        try await f.send(parts)
        #expect(try await f.response().0.status == .contentTooLarge)
        #expect(try await f.server.server.calls.deviceEvents(deviceId: f.deviceId, page: PageRequest()).items.isEmpty)
        try await f.remove()
    }

    @Test func otherRequestsAndOddDeviceRequestsGoToTheRouter() async throws {
        let f = try await Fixture.make()
        try await f.send(Fixture.health)
        #expect(try await f.passedOn().count == 2)
        try await f.channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try await f.channel.writeOutbound(HTTPResponsePart.end(nil))
        try await f.send(f.eventParts(ref: "q1", path: "/v1/devices/\(f.deviceId)/events?x=1"))
        #expect(try await f.passedOn().count == 3, "a query: the router decides")
        try await f.remove()

        let notReady = try await Fixture.make(ready: false)
        try await notReady.send(notReady.eventParts(ref: "n1"))
        #expect(try await notReady.passedOn().count == 3, "not ready: the router answers 503")
        try await notReady.remove()
    }

    @Test func connectionCloseEndsTheConnectionAfterTheAnswer() async throws {
        let f = try await Fixture.make()
        try await f.send(f.eventParts(ref: "c1", close: true))
        let (head, _) = try await f.response()
        #expect(head.status == .accepted && head.headerFields[.connection] == "close")
        try await f.channel.closeFuture.get()
        try await f.remove()
    }

    /// A device event pipelined behind a request the router still answers waits its turn, and
    /// a request pipelined behind a device event is held until the event's answer is written.
    @Test func answersStayInRequestOrder() async throws {
        let f = try await Fixture.make()
        try await f.send(Fixture.health + f.eventParts(ref: "o1"))
        #expect(try await f.passedOn().count == 2)
        #expect(try await f.passedOn().count == 3, "behind an unanswered request, the event goes to the router too")
        try await f.remove()

        let g = try await Fixture.make()
        try await g.send(g.eventParts(ref: "o2") + Fixture.health)
        #expect(try await g.response().0.status == .accepted)
        #expect(try await g.passedOn().count == 2, "the held request goes on once the event is answered")
        try await g.remove()
    }
}
