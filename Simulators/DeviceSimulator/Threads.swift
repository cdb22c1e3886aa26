import Dispatch
import Foundation
import Synchronization

/// Plain OS threads, as the load generator's approach calls for: each runs a blocking loop on
/// its own connection, without an async runtime between it and the socket.
enum Threads {
    /// Starts `count` threads running `body(index)`; wait on the returned group.
    static func start(_ count: Int, name: String, _ body: @escaping @Sendable (Int) -> Void) -> DispatchGroup {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                body(index)
                group.leave()
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
        return group
    }

    /// Runs `body(index)` on `count` threads and returns when all have finished.
    static func run(_ count: Int, name: String, _ body: @escaping @Sendable (Int) -> Void) {
        start(count, name: name, body).wait()
    }

    /// Runs `body(&state, item)` for items `0..<count`, handed out one at a time to `threads`
    /// threads; each thread makes its own `state` first (typically its own connection).
    static func forEach<State>(
        _ count: Int, threads: Int, name: String, state makeState: @escaping @Sendable () -> State,
        _ body: @escaping @Sendable (inout State, Int) -> Void
    ) {
        let next = Shared(0)
        run(max(1, min(threads, count)), name: name) { _ in
            var state = makeState()
            while true {
                let item = next.withLock { n -> Int in
                    n += 1; return n - 1
                }
                guard item < count else { return }
                body(&state, item)
            }
        }
    }
}

/// A value several threads share, behind a lock.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { value in body(&value) }
    }

    var value: Value { withLock { $0 } }
}

/// Lines for people, written at once (unbuffered) so progress shows while a run goes on and
/// lines from different threads never interleave mid-line.
enum Console {
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func warn(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Numbers the way the reports print them: 15,000 and 1.234.
enum Format {
    static func count<T: BinaryInteger>(_ n: T) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func fixed(_ x: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", x) }
}
