import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 receiver on 127.0.0.1 that the test controls: it answers each request as
/// ``respond(_:)`` says (200, 500, 429 with Retry-After, a slow answer, no answer at all, or a
/// closed connection) and records what it saw.
///
/// Plain POSIX sockets, one thread per connection, keep-alive with `Content-Length` framing
/// (copied from Tests/NotificationsTests/LoopbackServer.swift).
final class NotificationReceiver: Sendable {
    struct Request: Sendable {
        var method: String
        /// Path without the query.
        var path: String
        var query: String
        var headers: [(name: String, value: String)]
        /// The first value of a header, by name in any case.
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum Reply: Sendable {
        /// Answer at once with this status (and extra header lines such as "Retry-After: 7").
        case status(Int, headers: [String] = [], body: String = "")
        /// Answer with `status` after `milliseconds`.
        case slow(milliseconds: Int, status: Int)
        /// Never answer; wait until the client gives up.
        case hang
        /// Close the connection without a word.
        case close
    }

    let port: Int
    private let listener: Int32
    private let received = Mutex<[Request]>([])
    /// Fixed at start: a closure kept in a `Mutex` and called from hundreds of threads at once
    /// made this process grow by tens of kilobytes per request (seen with Swift 6.3 on Linux).
    private let handler: @Sendable (Request) -> Reply
    private let connections = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)
    private let concurrency = Mutex((now: 0, most: 0))
    private let total = Atomic<Int>(0)
    private let accepted = Atomic<Int>(0)
    /// Connections accepted so far.
    var connectionCount: Int { accepted.load(ordering: .relaxed) }
    /// Whether to keep every request (a benchmark only counts them).
    private let keepsRequests: Bool

    /// Requests received so far.
    var count: Int { total.load(ordering: .relaxed) }

    /// Requests being answered right now.
    var inFlight: Int { concurrency.withLock { $0.now } }
    /// The most requests that were being answered at the same moment.
    var mostInFlight: Int { concurrency.withLock { $0.most } }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    func url(_ path: String) -> String { baseURL + path }
    var requests: [Request] { received.withLock { $0 } }
    func requests(to path: String) -> [Request] { requests.filter { $0.path.hasPrefix(path) } }
    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    init(keepsRequests: Bool = true, _ handler: @escaping @Sendable (Request) -> Reply = { _ in .status(200) }) throws {
        self.handler = handler
        self.keepsRequests = keepsRequests
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            close(fd)
            throw error
        }
        listener = fd
        port = Self.localPort(of: fd)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// A port that refuses connections: bound once, then closed.
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return localPort(of: fd)
    }

    private func acceptLoop() {
        defer { close(listener) }
        while !isStopped {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else {
                if errno == EINTR { continue }
                return
            }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            accepted.add(1, ordering: .relaxed)
            connections.withLock { _ = $0.insert(fd) }
            let thread = Thread { [self] in
                serve(ReceiverConnection(fd: fd))
                connections.withLock { _ = $0.remove(fd) }
                close(fd)
            }
            thread.start()
        }
    }

    private func serve(_ connection: ReceiverConnection) {
        while !isStopped, let request = connection.readRequest() {
            total.add(1, ordering: .relaxed)
            if keepsRequests { received.withLock { $0.append(request) } }
            concurrency.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            defer { concurrency.withLock { $0.now -= 1 } }
            let reply = handler(request)
            let keepOpen: Bool
            switch reply {
            case .status(let status, let headers, let body):
                keepOpen = write(connection, status: status, headers: headers, body: Data(body.utf8))
            case .slow(let milliseconds, let status):
                usleep(useconds_t(milliseconds * 1000))
                keepOpen = write(connection, status: status, headers: [], body: Data())
            case .hang:
                while !isStopped, !connection.waitForClientClose(milliseconds: 20) {}
                keepOpen = false
            case .close:
                keepOpen = false
            }
            guard keepOpen else { return }
        }
    }

    private func write(_ connection: ReceiverConnection, status: Int, headers: [String], body: Data) -> Bool {
        var head = "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.count)\r\n"
        for header in headers { head += header + "\r\n" }
        head += "\r\n"
        return connection.write(Data(head.utf8) + body)
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func localPort(of fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// One accepted socket: buffered reads of requests, and writes that never raise SIGPIPE.
final class ReceiverConnection: @unchecked Sendable {  // Used by one handler thread only.
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    func readRequest() -> NotificationReceiver.Request? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            headEnd = Self.find(terminator, in: buffer)
            if headEnd != nil { break }
            guard fill() else { return nil }
        }
        // Parsed byte by byte: cheap enough for thousands of requests a second in a debug build.
        let headBytes = Array(buffer[..<headEnd!])
        buffer.removeFirst(headEnd! + terminator.count)
        var lines: [[UInt8]] = [[]]
        var i = 0
        while i < headBytes.count {
            if headBytes[i] == 13, i + 1 < headBytes.count, headBytes[i + 1] == 10 {
                lines.append([])
                i += 2
            } else {
                lines[lines.count - 1].append(headBytes[i])
                i += 1
            }
        }
        let requestLine = lines.removeFirst().split(separator: 32).map { String(decoding: $0, as: UTF8.self) }
        guard requestLine.count == 3 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: 58) else { continue }
            var value = line[(colon + 1)...]
            while value.first == 32 || value.first == 9 { value = value.dropFirst() }
            while value.last == 32 || value.last == 9 { value = value.dropLast() }
            headers.append((name: String(decoding: line[..<colon], as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        }
        let length = Int(headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
        while buffer.count < length {
            guard fill() else { return nil }
        }
        let body = Data(buffer[..<length])
        buffer.removeFirst(length)
        let target = requestLine[1].split(separator: "?", maxSplits: 1).map(String.init)
        return NotificationReceiver.Request(method: requestLine[0], path: target[0],
                                            query: target.count > 1 ? target[1] : "", headers: headers, body: body)
    }

    /// Where `needle` first occurs in `haystack`.
    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = 0
        while i <= haystack.count - needle.count {
            var j = 0
            while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
            if j == needle.count { return i }
            i += 1
        }
        return nil
    }

    private var chunk = [UInt8](repeating: 0, count: 16 * 1024)

    private func fill() -> Bool {
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    @discardableResult
    func write(_ data: Data) -> Bool {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    func waitForClientClose(milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return false }
        return !fill()
    }
}
