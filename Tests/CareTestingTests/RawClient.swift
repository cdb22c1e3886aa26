import Foundation
import Synchronization
import Testing

@testable import CareTesting

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP client, so the server's tests see its bytes exactly as it wrote them.
final class RawClient: @unchecked Sendable {  // One test uses it, one call at a time.
    private let fd: Int32
    private var closed = false

    /// Connects to 127.0.0.1:`port`; throws the `POSIXError` of a failed connect.
    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // A broken server fails the test after 10 s instead of hanging the run.
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = LoopbackSocket.address(port: UInt16(port))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            // Closed once, here: an initialiser that throws once every property is set still runs
            // `deinit`, and a second close could hit another test's socket that got the number since.
            close()
            throw error
        }
    }

    deinit { close() }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        #expect(sent == bytes.count)
    }

    /// Reads until `done` holds for everything read so far, or the server closes the connection,
    /// or 10 s pass without a byte; returns everything read.
    ///
    /// The blocking reads run on a thread of their own: a test waiting here must not hold one of
    /// the few threads Swift concurrency has (two on a two-core machine) from the other tests.
    func read(until done: @escaping @Sendable (String) -> Bool = { _ in false }) async -> String {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.readBlocking(until: done)) }.start()
        }
    }

    /// Everything until the server closes the connection.
    func readToEnd() async -> String { await read() }

    private func readBlocking(until done: (String) -> Bool) -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !done(String(decoding: received, as: UTF8.self)) {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += chunk[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Closes the sending half (`shutdown(SHUT_WR)`): the server sees the client leave, and the
    /// client can still read what the server sends until it closes.
    func finishSending() {
        shutdown(fd, Int32(SHUT_WR))
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}

/// Whether `condition` comes to hold within 60 s (polled every 10 ms).
func becomes(_ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(60)
    while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    return condition()
}

/// A flag the test sets and a handler's thread polls.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

extension String {
    /// How many times `part` occurs.
    func occurrences(of part: String) -> Int { components(separatedBy: part).count - 1 }
}
