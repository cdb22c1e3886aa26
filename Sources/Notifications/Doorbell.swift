import Foundation
import Synchronization

/// Wakes a waiting loop early: `ring()` from anywhere, `wait(upTo:)` in the loop. A ring with
/// nobody waiting is remembered once, so a wake-up between two waits is not lost.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    func ring() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns at the next ring, after `duration`, or at once if a ring is pending.
    func wait(upTo duration: Duration) async {
        if state.withLock({ s in
            defer { s.rung = false }; return s.rung
        }) {
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: duration)
                self.ring()
            }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.rung {
                        s.rung = false
                        return true
                    }
                    s.waiter = c
                    return false
                }
                if resumeNow { c.resume() }
            }
            group.cancelAll()
        }
        // The timer may have rung after a real ring woke us: forget it.
        state.withLock { $0.rung = false }
    }
}

/// Delivery results waiting to be written, in batches (group commit).
final class RecordBuffer<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var closed = false
    }
    private let state = Mutex(State())
    private let bell = Doorbell()
    let maximumBatch: Int

    init(maximumBatch: Int = 1024) { self.maximumBatch = maximumBatch }

    /// Adds an item. Only the first item into an empty buffer wakes the taker, who takes
    /// everything there is: fewer wake-ups, bigger batches.
    func put(_ item: Item) {
        let wasEmpty = state.withLock { s in
            defer { s.items.append(item) }
            return s.items.isEmpty
        }
        if wasEmpty { bell.ring() }
    }

    /// No more items will come; ``take()`` returns what is left, then `[]`.
    func close() {
        state.withLock { $0.closed = true }
        bell.ring()
    }

    /// The waiting items (at most ``maximumBatch``), waiting for at least one; `[]` once closed and empty.
    func take() async -> [Item] {
        while true {
            let (batch, closed) = state.withLock { s -> ([Item], Bool) in
                let n = min(s.items.count, maximumBatch)
                let batch = Array(s.items.prefix(n))
                s.items.removeFirst(n)
                return (batch, s.closed)
            }
            if !batch.isEmpty || closed { return batch }
            await bell.wait(upTo: .seconds(1))
        }
    }

    var count: Int { state.withLock { $0.items.count } }
}
