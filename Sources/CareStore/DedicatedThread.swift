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
    /// - Parameter nice: how much lower than its peers the thread runs (a Linux nice value, 0
    ///   to 19): background helpers of a thread that must keep its core, such as the threads
    ///   that prepare a bulk load for the one writer.
    public static func start(named name: String, nice: Int32 = 0, _ body: @escaping @Sendable () -> Void) {
        Thread.detachNewThread {
            #if os(Linux)
            try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            // On Linux a nice value belongs to the thread, and 0 names the calling one.
            if nice > 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }
            #endif
            body()
        }
    }
}
