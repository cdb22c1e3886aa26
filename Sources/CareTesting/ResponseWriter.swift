import Foundation

/// How a handler answers one request: a whole response, a stream, or nothing at all.
///
/// ```swift
/// let server = try LoopbackHTTPServer(handler: { request, response in
///     switch request.path {
///     case "/echo":
///         response.send(status: 200, headers: ["X-Echo-Method": request.method], body: request.body)
///     case "/events":
///         response.startStream(headers: ["Content-Type": "text/event-stream"], framing: .chunked)
///         response.write("data: one\n\n")
///         response.endStream()
///     default:
///         response.send(.hang)  // or any other scripted Reply
///     }
/// })
/// ```
///
/// A handler that writes nothing closes the connection without a word. The connection carries
/// the next request only after a complete answer (`Content-Length`, or a chunked stream that was
/// ended), and only if neither side said `Connection: close`.
public final class ResponseWriter {
    /// How a streamed body ends.
    public enum Framing: Sendable {
        /// `Transfer-Encoding: chunked`: every `write(_:)` is one chunk, and
        /// ``endStream()`` ends the body, leaving the connection open for the next request.
        case chunked
        /// `Connection: close`: the body ends when the connection closes, after the handler returns.
        case untilClose
    }

    private let connection: Connection
    private let server: LoopbackHTTPServer
    private let isHead: Bool
    private let clientAskedToClose: Bool
    private var streaming: Framing?
    private var clientLeft = false
    /// Whether the connection may carry the next request once the handler returns.
    private(set) var keepsConnection = false

    init(request: LoopbackHTTPServer.Request, connection: Connection, server: LoopbackHTTPServer) {
        self.connection = connection
        self.server = server
        isHead = request.method == "HEAD"
        clientAskedToClose = request.headers["Connection"]?.lowercased() == "close"
    }

    /// Whether the server is stopping; a handler that waits or streams in a loop ends when it is.
    public var isServerStopped: Bool { server.isStopped }

    /// Sends a complete response with `Content-Length` (and no body to a `HEAD`).
    public func send(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        let head = Self.head(status: status, headers: headers, framing: "Content-Length: \(body.count)")
        // One write for head and body, so the client gets the answer in one piece.
        let sent = deliver(Data(head.utf8) + (isHead ? Data() : body))
        let replyCloses = headers.contains { $0.key.lowercased() == "connection" && $0.value.lowercased() == "close" }
        keepsConnection = sent && !clientAskedToClose && !replyCloses
    }

    /// Answers as `reply` says.
    public func send(_ reply: LoopbackHTTPServer.Reply) { reply.play(on: self) }

    /// Sends the head of a response whose body follows in `write(_:)` calls.
    public func startStream(status: Int = 200, headers: [String: String], framing: Framing) {
        let head = Self.head(
            status: status, headers: headers,
            framing: framing == .chunked ? "Transfer-Encoding: chunked" : "Connection: close")
        streaming = framing
        deliver(Data(head.utf8))
    }

    /// Writes part of a streamed body, as it is: one chunk when chunked, and never merged with
    /// the next write, so a client sees the pieces arrive separately. False if the client is gone.
    @discardableResult
    public func write(_ bytes: Data) -> Bool {
        guard !bytes.isEmpty else { return !clientLeft }  // An empty chunk would end the body.
        guard streaming == .chunked else { return deliver(bytes) }
        return deliver(Data((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + Data("\r\n".utf8))
    }

    /// Writes text (UTF-8) as part of a streamed body; see `write(_:)`.
    @discardableResult
    public func write(_ text: String) -> Bool { write(Data(text.utf8)) }

    /// Ends a chunked body, so the connection can carry the next request. A body framed
    /// ``Framing/untilClose`` ends when the handler returns.
    public func endStream() {
        guard streaming == .chunked else { return }
        keepsConnection = deliver(Data("0\r\n\r\n".utf8)) && !clientAskedToClose
    }

    /// Waits up to `milliseconds` for the client to close the connection; true if it has (now or
    /// before). Counted in ``LoopbackHTTPServer/closedByClient``.
    @discardableResult
    public func waitForClientToLeave(milliseconds: Int) -> Bool {
        if !clientLeft, connection.waitForClose(milliseconds: Int32(milliseconds)) { noteClientLeft() }
        return clientLeft
    }

    /// Writes `data` to the socket, noting a client that has gone.
    @discardableResult
    private func deliver(_ data: Data) -> Bool {
        guard !clientLeft else { return false }
        guard connection.write(data) else {
            noteClientLeft()
            return false
        }
        return true
    }

    private func noteClientLeft() {
        guard !clientLeft else { return }
        clientLeft = true
        server.noteClosedByClient()
    }

    private static func head(status: Int, headers: [String: String], framing: String) -> String {
        var head = "HTTP/1.1 \(status) \(reason(status))\r\n\(framing)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return head + "\r\n"
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 409: "Conflict"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"  // Clients read the number; the phrase is for people reading a capture.
        }
    }
}
