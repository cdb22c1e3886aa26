import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers with whatever the test says, for checking
/// the console's API client against real sockets (after Tests/CurlHTTPTests/LoopbackServer.swift).
///
/// One thread per connection, one request per connection (`Connection: close`), which is all
/// the client needs to be exercised. Every request is recorded.
final class StubServer: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        /// The raw query, without `?`.
        var query: String
        /// Header names lowercased.
        var headers: [String: String]
        var body: Data
    }

    enum Reply: Sendable {
        case json(status: Int, body: String, contentType: String = "application/json")
        /// An event stream: each piece written 10 ms apart; then the connection closes, or, with
        /// `holdOpen`, heartbeats follow every 50 ms until the client leaves or the server stops.
        case events([String], holdOpen: Bool)
    }

    let port: Int
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let recorded = Mutex<[Request]>([])
    private let stopped = Atomic<Bool>(false)
    private let open = Mutex<Set<Int32>>([])

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var requests: [Request] { recorded.withLock { $0 } }

    init(_ handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        listener = fd
        port = Self.localPort(of: fd)
        Thread { [self] in acceptLoop() }.start()
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in open.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// A port nothing listens on.
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
        while !stopped.load(ordering: .acquiring) {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else {
                if errno == EINTR { continue }
                return
            }
            open.withLock { _ = $0.insert(fd) }
            Thread { [self] in
                serve(fd)
                open.withLock { _ = $0.remove(fd) }
                close(fd)
            }.start()
        }
    }

    private func serve(_ fd: Int32) {
        guard let request = Self.read(fd) else { return }
        recorded.withLock { $0.append(request) }
        switch handler(request) {
        case .json(let status, let body, let contentType):
            let bytes = Data(body.utf8)
            Self.write(fd, "HTTP/1.1 \(status) X\r\nContent-Type: \(contentType)\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n")
            Self.write(fd, bytes)
        case .events(let pieces, let holdOpen):
            Self.write(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n")
            for piece in pieces {
                guard Self.write(fd, Data(piece.utf8)) else { return }
                usleep(10_000)
            }
            while holdOpen, !stopped.load(ordering: .acquiring), Self.write(fd, Data(": heartbeat\n\n".utf8)) {
                usleep(50_000)
            }
        }
    }

    private static func read(_ fd: Int32) -> Request? {
        var buffer: [UInt8] = []
        let terminator = Array("\r\n\r\n".utf8)
        var chunk = [UInt8](repeating: 0, count: 8192)
        while buffer.firstRange(of: terminator) == nil {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            buffer += chunk[..<n]
        }
        let end = buffer.firstRange(of: terminator)!.lowerBound
        var lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let start = lines.removeFirst().split(separator: " ")
        guard start.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(buffer[(end + terminator.count)...])
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while body.count < length {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            body += chunk[..<n]
        }
        let target = start[1].split(separator: "?", maxSplits: 1).map(String.init)
        return Request(method: String(start[0]), path: target[0], query: target.count > 1 ? target[1] : "",
                       headers: headers, body: Data(body))
    }

    @discardableResult
    private static func write(_ fd: Int32, _ text: String) -> Bool { write(fd, Data(text.utf8)) }

    @discardableResult
    private static func write(_ fd: Int32, _ data: Data) -> Bool {
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
