import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Reads the terminal on its own thread and hands over decoded keys, so a slow network or a
/// busy frame never delays a keypress, and a keypress never waits for the network.
final class KeyReader: Sendable {
    private let stopped = Atomic<Bool>(false)
    /// How long to wait after a lone Esc before it counts as the Esc key.
    static let escapeWait: Int32 = 30

    /// Starts reading `fd`. `keys` gets each batch as it is decoded; `closed` is called once if
    /// the terminal goes away (the SSH session dropped).
    func start(fd: Int32, keys: @escaping @Sendable ([ConsoleKey]) -> Void, closed: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            var decoder = KeyDecoder()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !stopped.load(ordering: .relaxed) {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                // Wake up now and then to notice `stop()`; sooner when an Esc is pending.
                let ready = poll(&descriptor, 1, decoder.hasPending ? Self.escapeWait : 200)
                if ready < 0 {
                    if errno == EINTR { continue }
                    closed(); return
                }
                if ready == 0 {
                    if decoder.hasPending { keys(decoder.flush()) }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    closed(); return
                }
                if count == 0 { closed(); return }
                let decoded = decoder.feed(buffer[0..<count])
                if !decoded.isEmpty { keys(decoded) }
            }
        }
        thread.name = "console-keys"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
}
