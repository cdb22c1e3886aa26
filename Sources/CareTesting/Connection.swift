import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One accepted socket, used by its own thread only: requests read off it through a buffer, and
/// writes that never raise SIGPIPE.
final class Connection {
    enum Read {
        case request(LoopbackHTTPServer.Request)
        /// The client closed the connection (or it broke) before a whole request arrived.
        case closed
        /// Bytes that are not an HTTP/1.1 request.
        case malformed
    }

    let fd: Int32
    /// Bytes read but not yet used: the rest of this request, or the next one already sent.
    private var buffer: [UInt8] = []
    /// Reused for every read, so a receiver taking thousands of requests a second does not
    /// allocate 16 KiB for each.
    private var chunk = [UInt8](repeating: 0, count: 16 * 1024)

    private static let lineBreak = Array("\r\n".utf8)
    private static let blankLine = Array("\r\n\r\n".utf8)

    init(fd: Int32) { self.fd = fd }

    /// Reads the next request: its head up to the blank line, then `Content-Length` bytes of body.
    func readRequest() -> Read {
        var searched = 0
        var headEnd: Int?
        while headEnd == nil {
            // Every method is upper-case letters; anything else (a TLS ClientHello, say) is not HTTP.
            if let first = buffer.first, !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) { return .malformed }
            // Search only what is new (and the three bytes before it, where a blank line may start).
            headEnd = Self.find(Self.blankLine, in: buffer, from: max(0, searched - 3))
            searched = buffer.count
            if headEnd == nil, !fill() { return .closed }
        }
        guard var request = Self.parseHead(Array(buffer[..<headEnd!])),
            let length = Int(request.headers["Content-Length"] ?? "0"), length >= 0
        else { return .malformed }
        buffer.removeFirst(headEnd! + Self.blankLine.count)
        while buffer.count < length {
            guard fill() else { return .closed }
        }
        request.body = Data(buffer[..<length])
        buffer.removeFirst(length)
        return .request(request)
    }

    /// Writes all of `data`; false if the connection is gone.
    @discardableResult
    func write(_ data: Data) -> Bool {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0, errno == EINTR { continue }
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// Waits up to `milliseconds` for the client to close the connection; true if it did. Bytes it
    /// sends meanwhile are kept for the next request.
    func waitForClose(milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return false }
        return !fill()
    }

    /// Appends what the socket has to the buffer; false when the peer closed it.
    private func fill() -> Bool {
        var count: Int
        // A signal to the test process (a child server exiting, say) interrupts a blocking recv:
        // that is no reason to drop the connection, which the client would see as an empty reply.
        repeat {
            count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        } while count < 0 && errno == EINTR
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    // MARK: Parsing

    /// The request line and header fields of a head (the bytes before the blank line); nil if the
    /// request line is not `METHOD target version`.
    private static func parseHead(_ head: [UInt8]) -> LoopbackHTTPServer.Request? {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        while let end = find(lineBreak, in: head, from: start) {
            lines.append(head[start..<end])
            start = end + lineBreak.count
        }
        lines.append(head[start...])
        let requestLine = lines[0].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard requestLine.count == 3 else { return nil }
        var fields: [LoopbackHTTPServer.Headers.Field] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            var value = line[(colon + 1)...]
            while let first = value.first, first == 32 || first == 9 { value = value.dropFirst() }
            while let last = value.last, last == 32 || last == 9 { value = value.dropLast() }
            fields.append((name: String(decoding: line[..<colon], as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        }
        let target = requestLine[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return LoopbackHTTPServer.Request(
            method: requestLine[0], path: String(target[0]), query: target.count > 1 ? String(target[1]) : "",
            headers: LoopbackHTTPServer.Headers(fields: fields), body: Data())
    }

    /// Where `pattern` first starts in `bytes`, at or after `start`.
    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            var index = start
            while index + pattern.count <= raw.count {
                // memchr jumps to each candidate, so this loops once a line, not once a byte: the
                // test targets are debug builds, and a load test's receiver parses thousands a second.
                guard let hit = memchr(base + index, Int32(pattern[0]), raw.count - index) else { return nil }
                index = base.distance(to: hit)
                if index + pattern.count > raw.count { return nil }
                if memcmp(hit, pattern, pattern.count) == 0 { return index }
                index += 1
            }
            return nil
        }
    }
}
