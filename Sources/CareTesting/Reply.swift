import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension LoopbackHTTPServer {
    /// A scripted answer: what most tests need from the other end, as a value.
    ///
    /// ```swift
    /// let gateway = try LoopbackHTTPServer { request in
    ///     switch request.path {
    ///     case "/busy": .status(429, headers: ["Retry-After": "120"])
    ///     case "/slow": .after(milliseconds: 400, .status(200))
    ///     case "/feed": .events(["id: 1\ndata: one\n\n"], heartbeat: "ping")
    ///     case "/gone": .close
    ///     default: .hang
    ///     }
    /// }
    /// ```
    public enum Reply: Sendable {
        /// A complete response at once: this status, these header fields and this body (UTF-8).
        case status(Int, headers: [String: String] = [:], body: String = "")
        /// `reply` after a pause, as a slow server would answer.
        indirect case after(milliseconds: Int, Reply)
        /// No answer ever: waits until the client gives up and closes the connection (counted in
        /// ``LoopbackHTTPServer/closedByClient``) or the server stops.
        case hang
        /// Closes the connection without a word.
        case close
        /// A Server-Sent Events stream framed by closing the connection: each piece written on its
        /// own, `milliseconds` apart, so the client receives them separately. Then, with a
        /// `heartbeat`, the comment `: <heartbeat>` every `milliseconds` until the client leaves or
        /// the server stops; without one, the connection closes (as a dropped stream would).
        case events([String], heartbeat: String? = nil, milliseconds: Int = 10)
    }
}

extension LoopbackHTTPServer.Reply {
    /// Writes this reply through `response`.
    func play(on response: ResponseWriter) {
        switch self {
        case .status(let status, let headers, let body):
            response.send(status: status, headers: headers, body: Data(body.utf8))
        case .after(let milliseconds, let reply):
            usleep(useconds_t(milliseconds * 1000))
            reply.play(on: response)
        case .hang:
            while !response.isServerStopped, !response.waitForClientToLeave(milliseconds: 20) {}
        case .close:
            break
        case .events(let pieces, let heartbeat, let milliseconds):
            response.startStream(headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"], framing: .untilClose)
            for piece in pieces {
                guard response.write(piece), !response.waitForClientToLeave(milliseconds: milliseconds) else { return }
            }
            guard let heartbeat else { return }
            while !response.isServerStopped, response.write(": \(heartbeat)\n\n"),
                !response.waitForClientToLeave(milliseconds: milliseconds)
            {}
        }
    }
}
