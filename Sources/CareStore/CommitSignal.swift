import Foundation
import Synchronization

/// Wakes whoever waits for "calls changed" as soon as a transaction that changed calls commits,
/// so the live feed forwards an alarm within a millisecond of its commit instead of on its next poll.
///
/// Waiting is edge-triggered with a generation counter: a waiter passes the generation it has
/// seen and returns at once if a commit happened since, so no commit between two waits is missed.
/// Several waiters (the live feed, the notification worker) wait independently: one timing out
/// releases only itself.
final class CommitSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<UInt64, Never>] = [:]
        /// Waiters whose timeout came before they parked: they return as soon as they try.
        var abandoned: Set<Int> = []
    }
    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    /// Called after a commit.
    func signal() {
        let (waiters, generation) = state.withLock { s -> ([CheckedContinuation<UInt64, Never>], UInt64) in
            s.generation &+= 1
            defer { s.waiters.removeAll() }
            return (Array(s.waiters.values), s.generation)
        }
        for waiter in waiters { waiter.resume(returning: generation) }
    }

    /// Returns the new generation once it differs from `seen`, or after `timeout` (returning the
    /// current one), whichever comes first.
    func wait(after seen: UInt64, timeout: Duration) async -> UInt64 {
        let id = state.withLock { s -> Int in
            s.nextWaiter &+= 1
            return s.nextWaiter
        }
        return await withTaskGroup(of: UInt64.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now = self.state.withLock { s -> UInt64? in
                        if s.generation != seen || s.abandoned.remove(id) != nil { return s.generation }
                        s.waiters[id] = continuation
                        return nil
                    }
                    if let now { continuation.resume(returning: now) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return self.generation
            }
            let first = await group.next() ?? seen
            group.cancelAll()
            // If the timeout won, release this waiter alone (or mark it, if it has not parked yet).
            let parked = state.withLock { s -> CheckedContinuation<UInt64, Never>? in
                if let mine = s.waiters.removeValue(forKey: id) { return mine }
                if s.generation == seen { s.abandoned.insert(id) }
                return nil
            }
            parked?.resume(returning: first)
            return first
        }
    }
}
