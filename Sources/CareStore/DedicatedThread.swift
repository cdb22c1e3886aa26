import Foundation

/// A thread of the process's own for blocking work that must not wait its turn on a shared
/// pool: a store's group-commit writer, the background checkpointer.
///
/// The name reaches the kernel, so `top -H` and `perf` show it (Foundation's `Thread.name` does
/// not, on Linux).
///
/// ```swift
/// DedicatedThread.start(named: "wal-checkpoint") { checkpointForever() }
/// ```
public enum DedicatedThread {
    public static func start(named name: String, _ body: @escaping @Sendable () -> Void) {
        Thread.detachNewThread {
            #if os(Linux)
            try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            #endif
            body()
        }
    }
}
