import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 keep-alive connection for tests that need many requests from several
/// threads at once (URLSession on Linux is not reliable under that load).
final class SocketSender {
    private var fd: Int32 = -1
    private let port: UInt16
    private var pending: [UInt8] = []

    init(port: UInt16) { self.port = port }
    deinit { if fd >= 0 { close(fd) } }

    /// Sends one request and returns the status and body, or nil if the connection failed.
    func send(_ request: [UInt8]) -> (status: Int, body: String)? {
        if fd < 0, !connectNow() { return nil }
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { reset(); return nil }
            sent += n
        }
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            if let end = pending.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if pending.count >= end.upperBound + length {
                    let body = String(decoding: pending[end.upperBound..<(end.upperBound + length)], as: UTF8.self)
                    pending.removeFirst(end.upperBound + length)
                    return (status, body)
                }
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { reset(); return nil }
            pending += buffer[0..<n]
        }
    }

    private func connectNow() -> Bool {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if ok != 0 { reset(); return false }
        return true
    }

    private func reset() {
        if fd >= 0 { close(fd) }
        fd = -1
        pending = []
    }
}
