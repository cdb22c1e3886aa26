import CareTesting
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The shared loopback server (CareTesting) answering the routes these tests call, plus what only
/// the event-stream tests need: a gate that holds a stream back, and a count of streams sent whole.
/// Everything else (`requests`, `acceptedConnections`, `mostInFlight`, `closedByClient`, `port`)
/// is the server's own.
///
/// - `/echo`: 200 with the request body, and `X-Echo-Method`.
/// - `/status/<code>`: that status; a 429 carries `Retry-After: 7`.
/// - `/sleep/<ms>`: 200 after sleeping.
/// - `/bytes/<n>`: 200 with `n` bytes.
/// - `/hang`: never answers; returns when the client gives up.
/// - `/close`: closes the connection without a word.
/// - `/sse/chunked`, `/sse/close`: an event stream, framed with chunked encoding or by closing the
///   connection. It sends one event, waits for ``openGate()`` (at most 10 s), then sends the rest
///   in awkward pieces.
/// - `/sse/forever`: a `: ping` comment every 20 ms until the client leaves.
@dynamicMemberLookup
final class ClientTestServer: Sendable {
    let http: LoopbackHTTPServer
    private let streams: GatedEventStreams

    init() throws {
        let streams = GatedEventStreams()
        self.streams = streams
        http = try LoopbackHTTPServer(handler: { request, response in Self.route(request, response, streams) })
    }

    subscript<Value>(dynamicMember property: KeyPath<LoopbackHTTPServer, Value>) -> Value { http[keyPath: property] }
    func url(_ path: String) -> String { http.url(path) }
    func stop() { http.stop() }

    /// Lets a waiting `/sse/*` handler send the rest of its events.
    func openGate() { streams.gate.store(true, ordering: .releasing) }
    var isGateOpen: Bool { streams.gate.load(ordering: .acquiring) }
    /// `/sse/chunked` and `/sse/close` streams that sent every event.
    var streamsCompleted: Int { streams.completed.load(ordering: .acquiring) }

    private static func route(_ request: LoopbackHTTPServer.Request, _ response: ResponseWriter, _ streams: GatedEventStreams) {
        let parts = request.path.split(separator: "/").map(String.init)
        switch (parts.first, parts.count > 1 ? parts[1] : nil) {
        case ("echo", _):
            response.send(status: 200, headers: ["X-Echo-Method": request.method], body: request.body)
        case ("status", let code?):
            let status = Int(code) ?? 500
            response.send(status: status, headers: status == 429 ? ["Retry-After": "7"] : [:], body: Data("status \(status)".utf8))
        case ("sleep", let milliseconds?):
            response.send(.after(milliseconds: Int(milliseconds) ?? 0, .status(200, body: "slept")))
        case ("bytes", let count?):
            response.send(status: 200, body: Data(repeating: UInt8(ascii: "x"), count: Int(count) ?? 0))
        case ("hang", _):
            response.send(.hang)
        case ("close", _):
            response.send(.close)
        case ("sse", "forever"):
            response.send(.events([], heartbeat: "ping", milliseconds: 20))
        case ("sse", let framing?):
            streams.send(on: response, framing: framing == "chunked" ? .chunked : .untilClose)
        default:
            response.send(status: 404, body: Data("no route".utf8))
        }
    }
}

/// The `/sse/chunked` and `/sse/close` streams: one event, then a wait for the gate, then the rest.
private final class GatedEventStreams: Sendable {
    let gate = Atomic<Bool>(false)
    let completed = Atomic<Int>(0)

    func send(on response: ResponseWriter, framing: ResponseWriter.Framing) {
        response.startStream(headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"], framing: framing)
        let pieces = Self.pieces
        response.write(Data(pieces[0]))
        let deadline = Date().addingTimeInterval(600)  // only a backstop: a stopped server ends the wait
        while !gate.load(ordering: .acquiring), !response.isServerStopped, Date() < deadline { usleep(5_000) }
        for piece in pieces.dropFirst() {
            usleep(20_000)
            response.write(Data(piece))
        }
        // Counted before the stream ends, so a client that saw the end also sees the count.
        completed.add(1, ordering: .releasing)
        response.endStream()
    }

    /// The bytes of the event stream, in the pieces they are written in: each is written
    /// separately, after a pause, so the client receives the awkward splits (between `\r` and
    /// `\n`, inside "紧") as separate chunks.
    static var pieces: [[UInt8]] {
        let urgent = Array("紧急".utf8)  // Two 3-byte characters.
        return [
            Array(": hello\n\nid: 1\nevent: tick\ndata: one\n\n".utf8),
            // -- the handler waits for the gate here --
            Array("id: 2\r".utf8),
            Array("\ndata: line a\r\ndata: line b\r\n\r".utf8),
            Array("\n".utf8),
            Array("event: alert\ndata: ".utf8) + urgent.prefix(4),
            Array(urgent.dropFirst(4)) + Array("\n\n".utf8),
        ]
    }
}
