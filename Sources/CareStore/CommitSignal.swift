import Foundation
import Synchronization

/// Wakes whoever waits for "calls changed" as soon as a transaction that changed calls commits,
/// so the live feed forwards an alarm within a millisecond of its commit instead of on its next poll.
///
/// Waiting is edge-triggered with a generation counter: a waiter passes the generation it has
/// seen and returns at once if a commit happened since, so no commit between two waits is missed.
final class CommitSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [CheckedContinuation<UInt64, Never>] = []
    }
    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    /// Called after a commit.
    func signal() {
        let (waiters, generation) = state.withLock { s -> ([CheckedContinuation<UInt64, Never>], UInt64) in
            s.generation &+= 1
            defer { s.waiters.removeAll() }
            return (s.waiters, s.generation)
        }
        for waiter in waiters { waiter.resume(returning: generation) }
    }

    /// Returns the new generation once it differs from `seen`, or after `timeout` (returning the
    /// current one), whichever comes first.
    func wait(after seen: UInt64, timeout: Duration) async -> UInt64 {
        await withTaskGroup(of: UInt64.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now = self.state.withLock { s -> UInt64? in
                        if s.generation != seen { return s.generation }
                        s.waiters.append(continuation)
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
            // The other child is either sleeping (cancelled here) or parked as a waiter; a signal
            // releases the latter, and one is sent below so the group can finish at once.
            group.cancelAll()
            if first == seen { self.signal() }
            return first
        }
    }
}
