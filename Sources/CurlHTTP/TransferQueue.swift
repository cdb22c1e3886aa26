internal import CCurl
import Synchronization

/// The hand-off between callers on any thread and the one loop thread that owns curl.
///
/// Callers only append here and poke the loop with `curl_multi_wakeup`, the one multi-handle
/// call curl allows from other threads. The loop takes everything at the top of each turn.
final class TransferQueue: Sendable {
    /// What the loop should do in its next turn.
    struct Work {
        var starts: [Transfer] = []
        var cancels: [Transfer] = []
        var stopping = false
    }

    private struct State {
        var work = Work()
        var stopped = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// The multi handle, used here only for `curl_multi_wakeup`. Wakeups happen under the lock
    /// and never once a stop is requested, so after the loop has seen the stop it may clean the
    /// handle up without racing a wakeup.
    nonisolated(unsafe) let multi: UnsafeMutableRawPointer

    init(multi: UnsafeMutableRawPointer) {
        self.multi = multi
    }

    /// Queues a transfer to start. Returns false, without taking it, once the client is stopping.
    func submit(_ transfer: Transfer) -> Bool {
        state.withLock { state in
            guard !state.work.stopping else { return false }
            state.work.starts.append(transfer)
            curl_multi_wakeup(multi)
            return true
        }
    }

    /// Asks the loop to abandon a transfer; harmless if it already finished.
    func cancel(_ transfer: Transfer) {
        // The flag first: if this overtakes the submission, the loop sees it when starting.
        transfer.cancelRequested.store(true, ordering: .releasing)
        state.withLock { state in
            guard !state.work.stopping else { return }
            state.work.cancels.append(transfer)
            curl_multi_wakeup(multi)
        }
    }

    /// Asks the loop to stop without waiting for it.
    func requestStop() {
        state.withLock { state in
            guard !state.work.stopping else { return }
            state.work.stopping = true
            curl_multi_wakeup(multi)
        }
    }

    /// Asks the loop to stop and returns once it has failed every open transfer and freed curl.
    func stop() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let alreadyStopped = state.withLock { state in
                if state.stopped { return true }
                state.stopWaiters.append(waiter)
                if !state.work.stopping {
                    state.work.stopping = true
                    curl_multi_wakeup(multi)
                }
                return false
            }
            if alreadyStopped { waiter.resume() }
        }
    }

    // MARK: Loop side

    /// Takes the queued work. Once `stopping` is seen, nothing is queued any more.
    func take() -> Work {
        state.withLock { state in
            let work = state.work
            state.work = Work(stopping: work.stopping)
            return work
        }
    }

    /// Called by the loop as its last act; wakes everyone waiting in ``stop()``.
    func markStopped() {
        let waiters = state.withLock { state in
            state.stopped = true
            defer { state.stopWaiters = [] }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
