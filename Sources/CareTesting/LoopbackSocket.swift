import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The few socket calls under the server: a listener on 127.0.0.1, accepting, and a port that
/// refuses connections.
enum LoopbackSocket {
    /// A socket listening on 127.0.0.1, on a port the kernel picked, and that port.
    static func listen() throws -> (fd: Int32, port: Int) {
        let fd = try bound()
        // A deep backlog: with the default, a burst of concurrent connects waits for SYN retries.
        guard Glibc.listen(fd, 1024) == 0 else {
            let error = lastError()
            close(fd)
            throw error
        }
        return (fd, port(of: fd))
    }

    /// A port on 127.0.0.1 that nothing listens on: bound, then closed without listening.
    static func unusedPort() throws -> Int {
        let fd = try bound()
        defer { close(fd) }
        return port(of: fd)
    }

    /// The next connection on `listener`, or nil once the listener is shut down.
    static func accept(_ listener: Int32) -> Int32? {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 {
                // Event streams go out in small writes a few milliseconds apart; without this,
                // Nagle's algorithm holds each back until the last is acknowledged, and the
                // client's delayed ACK makes that 40 ms.
                var yes: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            if errno != EINTR { return nil }
        }
    }

    /// The `sockaddr_in` of 127.0.0.1 and `port` (0: let the kernel choose).
    static func address(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A TCP socket bound to 127.0.0.1 on a port of the kernel's choosing.
    private static func bound() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw lastError() }
        var address = address(port: 0)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = lastError()
            close(fd)
            throw error
        }
        return fd
    }

    private static func port(of fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func lastError() -> POSIXError { POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
}
