#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an exchange failed before a whole response arrived. All of these are worth a retry with
/// the same bytes (a device does the same: it cannot know whether the server stored the event).
enum HTTPFailure: Error, CustomStringConvertible {
    case cannotConnect(String)
    case timedOut
    case closed
    case malformed(String)

    var description: String {
        switch self {
        case .cannotConnect(let why): "cannot connect (\(why))"
        case .timedOut: "no answer within the timeout"
        case .closed: "the server closed the connection"
        case .malformed(let why): "the answer was not valid HTTP (\(why))"
        }
    }
}

/// One response, with only the headers the simulator acts on.
struct HTTPResponse {
    var status: Int
    var body: [UInt8]
    /// `Retry-After` in seconds, on 429 and 503.
    var retryAfter: Int?
}

/// One blocking, keep-alive HTTP/1.1 client connection, used by one thread at a time.
///
/// Deliberately minimal (the approach of `registry-load`): one thread per connection, plain
/// `send`/`recv`, and a byte-level response parser, because the simulator shares two cores with
/// the server it measures and must stay cheap at 15,000+ requests/s. Opens lazily and reopens
/// after any failure, so callers only decide whether to retry.
final class HTTPConnection {
    let address: ServerAddress
    let timeoutSeconds: Double
    private var fd: Int32 = -1
    /// Received bytes; `head..<tail` is not yet consumed.
    private var inbox = [UInt8](repeating: 0, count: 64 * 1024)
    private var head = 0
    private var tail = 0

    init(address: ServerAddress, timeoutSeconds: Double) {
        self.address = address
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { close() }

    /// Connects now (schedulers call this before their start time so setup is not measured).
    func open() throws(HTTPFailure) {
        guard fd < 0 else { return }
        fd = try Socket.connect(to: address, timeoutSeconds: timeoutSeconds)
        head = 0
        tail = 0
    }

    func close() {
        if fd >= 0 { _ = closeDescriptor(fd) }
        fd = -1
        head = 0
        tail = 0
    }

    /// Sends one complete request and reads its response. On any failure the connection is
    /// closed (a half-read answer would desynchronise keep-alive) and reopened by the next call.
    func exchange(_ request: [UInt8]) throws(HTTPFailure) -> HTTPResponse {
        try sendRequest(request)
        return try receiveResponse()
    }

    /// The first half of ``exchange(_:)``: a thread with several connections sends on each
    /// before it reads any answer, so one wake-up finds several answers waiting.
    func sendRequest(_ request: [UInt8]) throws(HTTPFailure) {
        do {
            try open()
            try write(request)
        } catch {
            close()
            throw error
        }
    }

    /// The second half of ``exchange(_:)``: the answer to the request last sent.
    func receiveResponse() throws(HTTPFailure) -> HTTPResponse {
        do {
            return try readResponse()
        } catch {
            close()
            throw error
        }
    }

    // MARK: - Writing

    private func write(_ bytes: [UInt8]) throws(HTTPFailure) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Socket.sendFlags) }
            if n > 0 { sent += n; continue }
            let code = errno
            if n < 0 && code == EINTR { continue }
            throw code == EAGAIN || code == EWOULDBLOCK ? .timedOut : .closed
        }
    }

    // MARK: - Reading

    /// Reads more bytes into the inbox, compacting or growing it when full.
    private func fill() throws(HTTPFailure) {
        if tail == inbox.count {
            if head > 0 {
                inbox.withUnsafeMutableBytes { raw in
                    let base = raw.baseAddress!
                    memmove(base, base + head, tail - head)
                }
                tail -= head
                head = 0
            } else {
                inbox.append(contentsOf: repeatElement(0, count: inbox.count))
            }
        }
        while true {
            let n = inbox.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + tail, $0.count - tail, 0) }
            if n > 0 { tail += n; return }
            if n == 0 { throw .closed }
            let code = errno
            if code == EINTR { continue }
            throw code == EAGAIN || code == EWOULDBLOCK ? .timedOut : .closed
        }
    }

    /// Offset from `head` just past the next CRLF at or after offset `from`, reading more as
    /// needed. Offsets stay valid across `fill`, which only moves the unread bytes as a block.
    private func lineEnd(after from: Int) throws(HTTPFailure) -> Int {
        var offset = from
        while true {
            let found: Int? = inbox.withUnsafeBufferPointer { buf in
                var i = head + offset
                while i + 1 < tail {
                    if buf[i] == 13 && buf[i + 1] == 10 { return i + 2 - head }
                    i += 1
                }
                offset = max(from, i - head)
                return nil
            }
            if let found { return found }
            try fill()
        }
    }

    /// Offset from `head` just past the empty line that ends the response head.
    private func headEnd() throws(HTTPFailure) -> Int {
        var scanned = 0
        while true {
            let found: Int? = inbox.withUnsafeBufferPointer { buf in
                var i = head + scanned
                while i + 3 < tail {
                    if buf[i + 3] == 10 && buf[i + 2] == 13 && buf[i + 1] == 10 && buf[i] == 13 { return i + 4 - head }
                    i += 1
                }
                scanned = max(0, i - head)
                return nil
            }
            if let found { return found }
            if tail - head > 64 * 1024 { throw .malformed("response headers over 64 KiB") }
            try fill()
        }
    }

    /// What the head says about the body and the connection.
    private struct Head {
        var status = 0
        var contentLength: Int?
        var chunked = false
        var closeAfter = false
        var retryAfter: Int?
    }

    /// Parses the status line and the few headers we act on, in one pass over raw bytes.
    private func parseHead(length: Int) throws(HTTPFailure) -> Head {
        let parsed: Head? = inbox.withUnsafeBufferPointer { buf in
            let start = head, end = head + length
            guard length >= 16, buf[start] == UInt8(ascii: "H"), buf[start + 4] == UInt8(ascii: "/"), buf[start + 8] == 32 else {
                return nil
            }
            var h = Head()
            h.status = Self.digits(buf, start + 9, start + 12)
            guard h.status >= 100 else { return nil }
            h.closeAfter = buf[start + 7] == UInt8(ascii: "0")  // HTTP/1.0 closes unless told otherwise
            var lineStart = start
            while buf[lineStart] != 10 { lineStart += 1 }
            lineStart += 1
            while lineStart < end - 2 {
                var lineEnd = lineStart
                while buf[lineEnd] != 13 { lineEnd += 1 }
                var colon = lineStart
                while colon < lineEnd && buf[colon] != UInt8(ascii: ":") { colon += 1 }
                if colon < lineEnd {
                    var valueStart = colon + 1
                    while valueStart < lineEnd && (buf[valueStart] == 32 || buf[valueStart] == 9) { valueStart += 1 }
                    if Self.nameIs("content-length", buf, lineStart, colon) {
                        h.contentLength = Self.digits(buf, valueStart, lineEnd)
                    } else if Self.nameIs("transfer-encoding", buf, lineStart, colon) {
                        h.chunked = Self.contains("chunked", buf, valueStart, lineEnd)
                    } else if Self.nameIs("connection", buf, lineStart, colon) {
                        h.closeAfter = Self.contains("close", buf, valueStart, lineEnd)
                    } else if Self.nameIs("retry-after", buf, lineStart, colon) {
                        let seconds = Self.digits(buf, valueStart, lineEnd)
                        h.retryAfter = seconds >= 0 ? seconds : nil
                    }
                }
                lineStart = lineEnd + 2
            }
            return h
        }
        guard let parsed else { throw .malformed("bad status line") }
        return parsed
    }

    private func readResponse() throws(HTTPFailure) -> HTTPResponse {
        let length = try headEnd()
        let h = try parseHead(length: length)
        head += length
        var closeAfter = h.closeAfter

        var body: [UInt8] = []
        if h.status == 204 || h.status == 304 || h.status < 200 {
            // No body by definition.
        } else if h.chunked {
            body = try readChunked()
        } else if let contentLength = h.contentLength, contentLength >= 0 {
            while tail - head < contentLength { try fill() }
            body = Array(inbox[head..<head + contentLength])
            head += contentLength
        } else {
            // No length: the body runs to the end of the connection.
            closeAfter = true
            while true {
                do { try fill() } catch .closed { break }
            }
            body = Array(inbox[head..<tail])
            head = tail
        }
        if head == tail { head = 0; tail = 0 }
        if closeAfter { close() }
        return HTTPResponse(status: h.status, body: body, retryAfter: h.retryAfter)
    }

    /// `Transfer-Encoding: chunked` (the server sends lengths, but a proxy in between may not).
    private func readChunked() throws(HTTPFailure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let end = try lineEnd(after: 0)
            var size = 0
            var i = head
            while i < head + end - 2, let v = Self.hexValue(inbox[i]) { size = size * 16 + v; i += 1 }
            head += end
            if size == 0 {
                // Optional trailers, then an empty line.
                while true {
                    let e = try lineEnd(after: 0)
                    head += e
                    if e == 2 { return body }
                }
            }
            while tail - head < size + 2 { try fill() }
            body.append(contentsOf: inbox[head..<head + size])
            head += size + 2
        }
    }

    // MARK: - Byte helpers

    /// A non-negative decimal at `from..<to`, or -1 when there is none.
    private static func digits(_ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var value = 0
        var i = from
        while i < to, buf[i] >= 48, buf[i] <= 57 { value = value &* 10 &+ Int(buf[i] - 48); i += 1 }
        return i == from ? -1 : value
    }

    /// Case-insensitive header-name comparison (`| 0x20` lowercases ASCII letters and leaves `-` alone).
    private static func nameIs(_ lowercaseName: StaticString, _ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        guard to - from == lowercaseName.utf8CodeUnitCount else { return false }
        let name = lowercaseName.utf8Start
        for k in 0..<(to - from) where buf[from + k] | 0x20 != name[k] { return false }
        return true
    }

    private static func contains(_ lowercaseWord: StaticString, _ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        let n = lowercaseWord.utf8CodeUnitCount
        let word = lowercaseWord.utf8Start
        guard to - from >= n else { return false }
        outer: for start in from...(to - n) {
            for k in 0..<n where buf[start + k] | 0x20 != word[k] { continue outer }
            return true
        }
        return false
    }

    private static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 48...57: Int(b - 48)
        case 97...102: Int(b - 87)
        case 65...70: Int(b - 55)
        default: nil
        }
    }
}

extension Socket {
    /// A connected TCP socket with Nagle off. `timeoutSeconds` bounds connect (Linux applies
    /// SO_SNDTIMEO to it) and each send; `receiveTimeoutSeconds` (default the same) each recv.
    /// Shared by the request/response connections and the live-feed reader (`FeedStream`), which
    /// wants a short receive timeout so its thread can notice when to stop.
    static func connect(
        to address: ServerAddress, timeoutSeconds: Double,
        receiveTimeoutSeconds: Double? = nil
    ) throws(HTTPFailure) -> Int32 {
        let socketFD = socket(address.family, Socket.streamType, 0)
        guard socketFD >= 0 else { throw .cannotConnect(Socket.describe(errno)) }
        var one: Int32 = 1
        setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        setsockopt(socketFD, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var send = timeval(seconds: timeoutSeconds)
        var receive = timeval(seconds: receiveTimeoutSeconds ?? timeoutSeconds)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &receive, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &send, socklen_t(MemoryLayout<timeval>.size))
        let rc = address.socketAddress.withUnsafeBytes {
            connectDescriptor(socketFD, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        guard rc == 0 else {
            let code = errno
            _ = closeDescriptor(socketFD)
            throw code == EINPROGRESS || code == EAGAIN ? .timedOut : .cannotConnect(Socket.describe(code))
        }
        return socketFD
    }

    /// Closes a descriptor (the system call, whatever `close` means where this is called).
    static func close(_ fd: Int32) { _ = closeDescriptor(fd) }
}

private extension timeval {
    init(seconds: Double) {
        self.init(tv_sec: Int(seconds), tv_usec: .init((seconds - Double(Int(seconds))) * 1e6))
    }
}

/// `close` inside `HTTPConnection` means its own method; this is the system call.
@inline(__always)
private func closeDescriptor(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}

/// Inside `Socket`, `connect` means its own method; this is the system call.
@inline(__always)
private func connectDescriptor(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
