import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole lines to a file descriptor (standard error), written by a thread of their own so that
/// a request never waits on the terminal, pipe or file behind it.
///
/// A line below `warning` is appended to a buffer and the writer thread writes everything
/// buffered in one call every few milliseconds, so a busy server pays a copy per line, not a
/// system call under a shared lock. If the buffer reaches ``capacity`` (the reader of the log has stopped keeping
/// up), such lines are counted and dropped, and the next write says how many. A warning or an
/// error is never dropped and never waits in the buffer: the logging thread writes everything
/// buffered before it, then the line itself, so it is on the descriptor, in order, when the call
/// returns, even if the process is killed the next moment.
final class LogWriter: Sendable {
    /// Standard error, with the platform's line format for the dropped-lines notice.
    static let standardError = LogWriter(descriptor: 2)

    /// The most bytes waiting to be written before lines below warning are dropped.
    let capacity: Int
    private let descriptor: Int32
    private struct Pending {
        var bytes: [UInt8] = []
        var dropped = 0
    }
    private let pending = Mutex(Pending())
    /// Held while bytes go to the descriptor, so lines from the writer thread and from a
    /// warning's own thread never interleave.
    private let output = Mutex(())
    /// Signalled when the buffer passes ``eagerBytes``; otherwise the thread wakes every
    /// ``interval``. Waking it for every line cost more in thread switches than the lines did.
    private let wake = DispatchSemaphore(value: 0)
    private let eagerBytes: Int
    /// How long a line may wait in the buffer.
    static let interval: DispatchTimeInterval = .milliseconds(20)
    /// Makes the line that reports dropped lines, in the log's format.
    private let notice: Mutex<@Sendable (Int) -> String>

    init(descriptor: Int32, capacity: Int = 4 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        eagerBytes = min(256 << 10, capacity / 4)
        notice = Mutex({ count in "log: \(count) lines below warning were dropped because the log could not keep up" })
        Thread.detachNewThread { [self] in
            #if os(Linux)
            try? "log-writer".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            #endif
            while true {
                _ = wake.wait(timeout: .now() + Self.interval)
                flush()
            }
        }
    }

    /// Sets how the dropped-lines notice is written (the log's format and level).
    func reportDropped(with line: @escaping @Sendable (Int) -> String) {
        notice.withLock { $0 = line }
    }

    /// Buffers `line` (`urgent: false`) or writes it now after everything buffered.
    func write(_ line: String, urgent: Bool) {
        if urgent {
            output.withLock { _ in
                var bytes = takePending()
                bytes.append(contentsOf: line.utf8)
                bytes.append(UInt8(ascii: "\n"))
                writeAll(bytes, to: descriptor)
            }
            return
        }
        let crossed = pending.withLock { pending -> Bool in
            guard pending.bytes.count + line.utf8.count < capacity else {
                pending.dropped += 1
                return false
            }
            let before = pending.bytes.count
            pending.bytes.append(contentsOf: line.utf8)
            pending.bytes.append(UInt8(ascii: "\n"))
            return before < eagerBytes && pending.bytes.count >= eagerBytes
        }
        if crossed { wake.signal() }
    }

    /// Writes everything buffered; returns when it is on the descriptor.
    func flush() {
        output.withLock { _ in writeAll(takePending(), to: descriptor) }
    }

    /// The buffered bytes, with the notice for dropped lines first; the buffer is left empty.
    private func takePending() -> [UInt8] {
        let (bytes, dropped) = pending.withLock { pending in
            defer { pending = Pending() }
            return (pending.bytes, pending.dropped)
        }
        guard dropped > 0 else { return bytes }
        var out = Array(notice.withLock { $0 }(dropped).utf8)
        out.append(UInt8(ascii: "\n"))
        return out + bytes
    }
}

/// Writes all of `bytes`, retrying short writes and interrupted calls.
private func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return  // nowhere left to report a failure to write the log
            }
        }
    }
}
