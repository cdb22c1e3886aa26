import CurlHTTP
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for testing the client against real sockets.
///
/// Plain POSIX sockets, one thread per connection, keep-alive with `Content-Length` framing.
/// What it answers depends on the path (see `LoopbackServer+Routes.swift`). It records what it
/// saw so tests can check the client's side of the conversation.
final class LoopbackServer: Sendable {
    struct Request: Sendable {
        var method: String
        /// Path without the query.
        var path: String
        var query: [String: String]
        var headers: HTTPHeaders
        var body: Data
    }

    /// Everything the server observed; read through ``observed``.
    struct Observations: Sendable {
        var acceptedConnections = 0
        var requests: [Request] = []
        var inFlight = 0
        var maximumInFlight = 0
        /// Handlers that stopped because the client closed the connection (`/hang`, `/sse/forever`).
        var closedByClient = 0
        /// SSE handlers that sent every event.
        var streamsCompleted = 0
    }

    let port: Int
    private let listener: Int32
    let observations = Mutex(Observations())
    private let connections = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)
    private let gateOpen = Atomic<Bool>(false)

    var baseURL: String { "http://127.0.0.1:\(port)" }
    func url(_ path: String) -> String { baseURL + path }
    var observed: Observations { observations.withLock { $0 } }
    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // A deep backlog: with the default, bursts of concurrent connects wait for SYN retries.
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

    /// Closes the listener and every open connection; handlers notice and return.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Lets a waiting `/sse/*` handler send the rest of its events.
    func openGate() { gateOpen.store(true, ordering: .releasing) }
    var isGateOpen: Bool { gateOpen.load(ordering: .acquiring) }

    /// A port that refuses connections: bound once, then closed.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return localPort(of: fd)
    }

    // MARK: Accepting and reading

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
            observations.withLock { $0.acceptedConnections += 1 }
            connections.withLock { _ = $0.insert(fd) }
            let thread = Thread { [self] in
                serve(Connection(fd: fd))
                connections.withLock { _ = $0.remove(fd) }
                close(fd)
            }
            thread.start()
        }
    }

    /// Answers requests on one connection until either side closes it.
    private func serve(_ connection: Connection) {
        while !isStopped, let request = connection.readRequest() {
            observations.withLock {
                $0.requests.append(request)
                $0.inFlight += 1
                $0.maximumInFlight = max($0.maximumInFlight, $0.inFlight)
            }
            let keepOpen = respond(to: request, on: connection)
            observations.withLock { $0.inFlight -= 1 }
            guard keepOpen, request.headers["Connection"]?.lowercased() != "close" else { return }
        }
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
final class Connection: @unchecked Sendable {  // Used by one handler thread only.
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    /// Reads the next request, or nil when the client closed the connection or sent garbage.
    func readRequest() -> LoopbackServer.Request? {
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while true {
            if let first = buffer.first, !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) {
                // Not HTTP (a TLS ClientHello, say): answer in plain text and give up on the connection.
                write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return nil
            }
            headEnd = buffer.firstRange(of: terminator)?.lowerBound
            if headEnd != nil { break }
            guard fill() else { return nil }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + terminator.count)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers["Content-Length"] ?? "0") ?? 0
        while buffer.count < length {
            guard fill() else { return nil }
        }
        let body = Data(buffer[..<length])
        buffer.removeFirst(length)
        let target = requestLine[1].split(separator: "?", maxSplits: 1)
        var query: [String: String] = [:]
        for pair in target.dropFirst().first?.split(separator: "&") ?? [] {
            let parts = pair.split(separator: "=", maxSplits: 1)
            query[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return LoopbackServer.Request(method: String(requestLine[0]), path: String(target[0]), query: query, headers: headers, body: body)
    }

    /// Appends what the socket has; false when the peer closed it.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    @discardableResult
    func write(_ text: String) -> Bool { write(Data(text.utf8)) }

    /// Writes everything; false if the connection is gone.
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

    /// Waits up to `milliseconds` for the client to close; true if it did. Any bytes it sends
    /// meanwhile are kept for the next request.
    func waitForClientClose(milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return false }
        return !fill()
    }
}
