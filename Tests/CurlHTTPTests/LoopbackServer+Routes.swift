import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

extension LoopbackServer {
    /// Answers one request according to its path. Returns whether the connection may be reused.
    ///
    /// - `/echo`: 200 with the request body, and `X-Echo-Method`.
    /// - `/status/<code>`: that status; a 429 carries `Retry-After: 7`.
    /// - `/sleep/<ms>`: 200 after sleeping.
    /// - `/bytes/<n>`: 200 with `n` bytes.
    /// - `/hang`: never answers; returns when the client gives up.
    /// - `/close`: closes the connection without a word.
    /// - `/sse/chunked`, `/sse/close`: an event stream, framed with chunked encoding or by
    ///   closing the connection. It sends one event, waits for ``openGate()`` (at most 10 s), then
    ///   sends the rest in awkward pieces.
    /// - `/sse/forever`: a `: ping` comment every 20 ms until the client leaves.
    func respond(to request: Request, on connection: Connection) -> Bool {
        let parts = request.path.split(separator: "/").map(String.init)
        switch (parts.first, parts.count > 1 ? parts[1] : nil) {
        case ("echo", _):
            return reply(connection, request, status: 200, headers: ["X-Echo-Method: \(request.method)"], body: request.body)
        case ("status", let code?):
            let status = Int(code) ?? 500
            return reply(connection, request, status: status, headers: status == 429 ? ["Retry-After: 7"] : [],
                         body: Data("status \(status)".utf8))
        case ("sleep", let milliseconds?):
            usleep(useconds_t((Int(milliseconds) ?? 0) * 1000))
            return reply(connection, request, status: 200, body: Data("slept".utf8))
        case ("bytes", let count?):
            return reply(connection, request, status: 200, body: Data(repeating: UInt8(ascii: "x"), count: Int(count) ?? 0))
        case ("hang", _):
            waitForClientToLeave(connection)
            return false
        case ("close", _):
            return false
        case ("sse", "forever"):
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
            while !isStopped, connection.write(": ping\n\n") {
                if connection.waitForClientClose(milliseconds: 20) { break }
            }
            observations.withLock { $0.closedByClient += 1 }
            return false
        case ("sse", let framing?):
            sendEventStream(on: connection, chunked: framing == "chunked")
            return framing == "chunked"
        default:
            return reply(connection, request, status: 404, body: Data("no route".utf8))
        }
    }

    private func sendEventStream(on connection: Connection, chunked: Bool) {
        var head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Connection: close\r\n\r\n"
        connection.write(head)
        let send = { (piece: [UInt8]) -> Void in
            if chunked {
                connection.write(String(piece.count, radix: 16) + "\r\n")
                connection.write(Data(piece))
                connection.write("\r\n")
            } else {
                connection.write(Data(piece))
            }
        }
        let pieces = Self.ssePieces
        send(pieces[0])
        let deadline = Date().addingTimeInterval(10)
        while !isGateOpen, !isStopped, Date() < deadline { usleep(5_000) }
        for piece in pieces.dropFirst() {
            usleep(20_000)
            send(piece)
        }
        // Counted before the stream ends, so a client that saw the end also sees the count.
        observations.withLock { $0.streamsCompleted += 1 }
        if chunked { connection.write("0\r\n\r\n") }
    }

    /// The bytes of the event stream, in the pieces they are written in: each is written
    /// separately, after a pause, so the client receives the awkward splits (between `\r` and
    /// `\n`, inside "紧") as separate chunks.
    static var ssePieces: [[UInt8]] {
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

    private func reply(_ connection: Connection, _ request: Request, status: Int, headers: [String] = [], body: Data) -> Bool {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Length: \(body.count)\r\n"
        for header in headers { head += header + "\r\n" }
        head += "\r\n"
        // One write for head and body: two small writes meet Nagle and delayed ACK and cost 40 ms.
        return connection.write(Data(head.utf8) + (request.method == "HEAD" ? Data() : body))
    }

    private func waitForClientToLeave(_ connection: Connection) {
        while !isStopped {
            if connection.waitForClientClose(milliseconds: 20) {
                observations.withLock { $0.closedByClient += 1 }
                return
            }
        }
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        default: "Status"
        }
    }
}
