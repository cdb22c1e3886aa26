import Foundation
import Testing

@testable import CareConfig

#if canImport(Glibc)
import Glibc
#endif

/// The buffered log writer: lines off the request's thread, warnings at once, drops counted.
@Suite("The log writer")
struct LogWriterTests {
    /// A pipe whose read end the test drains.
    final class Pipe {
        let read: Int32
        let write: Int32
        init() {
            var ends: [Int32] = [0, 0]
            precondition(pipe(&ends) == 0)
            read = ends[0]
            write = ends[1]
            _ = fcntl(read, F_SETFL, fcntl(read, F_GETFL) | O_NONBLOCK)
        }
        /// Everything written so far that can be read without waiting.
        func drain() -> String {
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = Glibc.read(read, &buffer, buffer.count)
                guard n > 0 else { break }
                out.append(contentsOf: buffer[0..<n])
            }
            return String(decoding: out, as: UTF8.self)
        }
        deinit {
            close(read)
            close(write)
        }
    }

    @Test func aWarningIsOnTheDescriptorWhenTheCallReturnsAfterEverythingBufferedBeforeIt() {
        let pipe = Pipe()
        let writer = LogWriter(descriptor: pipe.write)
        // Fill the buffer faster than the writer thread is likely to run; whatever it has not
        // written yet, the warning writes first.
        for n in 0..<200 { writer.write("info \(n)", urgent: false) }
        writer.write("warning at the end", urgent: true)
        let lines = pipe.drain().split(separator: "\n").map(String.init)
        #expect(lines == (0..<200).map { "info \($0)" } + ["warning at the end"])
    }

    @Test func linesBelowWarningAreDroppedWhenTheBufferIsFullAndTheNextWriteSaysHowMany() {
        let pipe = Pipe()
        // Room for about ten lines: the rest of a burst is dropped, unless the writer thread
        // happens to empty the buffer in between, which only lowers the count.
        let writer = LogWriter(descriptor: pipe.write, capacity: 100)
        writer.reportDropped { "dropped \($0)" }
        for n in 0..<1_000 { writer.write("line \(n)", urgent: false) }
        writer.write("error", urgent: true)
        let lines = pipe.drain().split(separator: "\n").map(String.init)
        let kept = lines.filter { $0.hasPrefix("line ") }
        let notices = lines.filter { $0.hasPrefix("dropped ") }.compactMap { Int($0.dropFirst("dropped ".count)) }
        #expect(!notices.isEmpty)
        #expect(kept.count + notices.reduce(0, +) == 1_000, "every line is either written or counted")
        #expect(lines.last == "error", "an error is never dropped")
    }

    @Test func bufferedLinesReachTheDescriptorWithoutAnyoneFlushing() async throws {
        let pipe = Pipe()
        let writer = LogWriter(descriptor: pipe.write)
        writer.write("info alone", urgent: false)
        var seen = ""
        let deadline = ContinuousClock.now + .seconds(10)
        while !seen.contains("info alone\n"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
            seen += pipe.drain()
        }
        #expect(seen == "info alone\n")
    }
}
