#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection to the live feed, `GET /v1/calls/stream`, on a plain blocking socket read by
/// one thread — the approach of `HTTPConnection`, since a console's view of the feed is what is
/// measured and an async runtime in between would add its own scheduling to the latencies.
///
/// `open` sends the request (with `Last-Event-ID` to resume) and reads the response head;
/// `poll` then waits for the next bytes and decodes them with `FeedDecoder`. The receive
/// timeout is short so the reading thread can notice that it should stop; a quiet feed is
/// not an error (the server sends a heartbeat comment every 15 s).
final class FeedStream {
    static let path = "/v1/calls/stream"

    enum Poll {
        /// Bytes arrived (perhaps no complete event yet).
        case data
        /// Nothing within the receive timeout.
        case idle
        /// The server ended the stream (closed the connection or sent the last chunk).
        case ended
    }

    let settings: ServerSettings
    let receiveTimeout: Double
    private var fd: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 256 * 1024)
    private(set) var decoder = FeedDecoder(chunked: false)

    init(settings: ServerSettings, receiveTimeout: Double = 0.2) {
        self.settings = settings
        self.receiveTimeout = receiveTimeout
    }

    deinit { close() }

    /// Connects and subscribes; after it returns the server has registered the subscription
    /// (it does so before answering), so every later change will reach this connection.
    /// Throws a `SimError` sentence for anything but `200 text/event-stream`. Returns the events
    /// completed by bytes that came with the response head (usually none: `retry:` comes alone).
    func open(lastEventID: Int64?) throws -> [FeedEvent] {
        close()
        guard let token = settings.token else {
            throw SimError("The live feed needs a token of a role that may read calls: pass --token ec_… (or set ELDERCARE_TOKEN).")
        }
        do {
            fd = try Socket.connect(to: settings.address, timeoutSeconds: settings.timeoutSeconds, receiveTimeoutSeconds: receiveTimeout)
        } catch {
            throw SimError("Cannot open the live feed at \(settings.address.url)\(Self.path): \(error).")
        }
        var request =
            "GET \(Self.path) HTTP/1.1\r\nHost: \(settings.address.hostHeader)\r\nAccept: text/event-stream\r\n"
            + "Authorization: Bearer \(token)\r\n"
        if let lastEventID { request += "Last-Event-ID: \(lastEventID)\r\n" }
        request += "\r\n"
        try write(Array(request.utf8))
        return try readHead()
    }

    func close() {
        if fd >= 0 { Socket.close(fd) }
        fd = -1
    }

    /// Waits up to the receive timeout for bytes and appends the events they complete.
    func poll(into events: inout [FeedEvent]) throws -> Poll {
        if decoder.ended { return .ended }
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if n == 0 { return .ended }
        if n < 0 {
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK || code == EINTR { return .idle }
            throw SimError("Reading the live feed failed: \(Socket.describe(code)).")
        }
        try decode(count: n, into: &events)
        return decoder.ended ? .ended : .data
    }

    // MARK: - Plumbing

    private func decode(from start: Int = 0, count: Int, into events: inout [FeedEvent]) throws {
        do {
            try buffer.withUnsafeBufferPointer { buf throws(FeedDecodeError) in
                try decoder.feed(UnsafeBufferPointer(rebasing: buf[start..<(start + count)]), into: &events)
            }
        } catch {
            throw SimError("The live feed sent something that is not a valid event stream: \(error).")
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Socket.sendFlags) }
            if n > 0 { sent += n; continue }
            if n < 0 && errno == EINTR { continue }
            throw SimError("Could not send the live-feed request: \(Socket.describe(errno)).")
        }
    }

    /// Reads up to the blank line after the headers; checks the status and content type, and
    /// picks the framing. Bytes after the head go to the decoder.
    private func readHead() throws -> [FeedEvent] {
        var head: [UInt8] = []
        let deadline = SimClock.nanos() + UInt64(settings.timeoutSeconds * 1e9)
        var end: Int?
        while end == nil {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n == 0 { throw SimError("The server closed the live-feed connection before answering.") }
            if n < 0 {
                let code = errno
                guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else {
                    throw SimError("Reading the live feed's answer failed: \(Socket.describe(code)).")
                }
                if SimClock.nanos() > deadline {
                    throw SimError("The live feed did not answer within \(Format.fixed(settings.timeoutSeconds, 0)) s.")
                }
                continue
            }
            let before = head.count
            head.append(contentsOf: buffer[0..<n])
            var i = max(0, before - 3)
            while i + 3 < head.count {
                if head[i] == 13, head[i + 1] == 10, head[i + 2] == 13, head[i + 3] == 10 { end = i + 4; break }
                i += 1
            }
            if end == nil, head.count > 64 * 1024 { throw SimError("The live feed's response headers are over 64 KiB.") }
        }
        let text = String(decoding: head[0..<end!], as: UTF8.self)
        let lines = text.split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        let status = statusParts.count > 1 ? Int(statusParts[1]) ?? 0 : 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces()
        }
        guard status == 200 else {
            let body = String(decoding: head[end!...].prefix(300), as: UTF8.self)
            let hint =
                status == 401 || status == 403 ? " (the token must belong to a role that may read calls, e.g. admin or operator)" : ""
            throw SimError("GET \(Self.path) answered \(status)\(hint): \(body.isEmpty ? "(no body)" : body)")
        }
        guard headers["content-type"]?.lowercased().hasPrefix("text/event-stream") == true else {
            throw SimError(
                "GET \(Self.path) answered 200 but with Content-Type \(headers["content-type"] ?? "(none)"), not text/event-stream.")
        }
        decoder = FeedDecoder(chunked: headers["transfer-encoding"]?.lowercased().contains("chunked") == true)
        // Whatever followed the head in the same reads is the start of the body.
        let rest = Array(head[end!...])
        var events: [FeedEvent] = []
        if !rest.isEmpty {
            buffer.replaceSubrange(0..<rest.count, with: rest)
            try decode(count: rest.count, into: &events)
        }
        return events
    }
}

private extension Substring {
    func trimmingSpaces() -> String {
        var s = self[...]
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
