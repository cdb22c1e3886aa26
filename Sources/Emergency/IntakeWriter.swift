import CareModel
import CareStore
import CoreMetrics
import Foundation
import Synchronization

/// Group commit: events arriving while a transaction is being written wait and go into the next
/// one together, so each fsync covers many events and durability does not cost throughput.
/// Each caller resumes only after the transaction holding its event has committed.
///
/// Alarms and cancels wait in their own lane and fill each transaction first: when a typhoon
/// cuts the power and fifty thousand devices report it at once, an SOS does not queue behind them.
public final class IntakeWriter: Sendable {
    private struct Waiting {
        var incoming: IncomingEvent
        var continuation: CheckedContinuation<IntakeResult, any Error>
    }
    private struct State {
        var urgent: [Waiting] = []
        var routine: [Waiting] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let database: CareDatabase
    private let policy: IntakePolicy
    /// The most events one transaction takes, so a burst cannot make one commit huge.
    private let maximumBatch: Int
    /// After a commit, a batch smaller than this waits ``gatherFor`` for company (as
    /// PostgreSQL's `commit_delay` does): every commit costs an fsync, WAL page writes and a
    /// wake-up of the live feed, so at a steady few thousand events a second, commits of two or
    /// three events cost several times more per event than commits of ten. An event arriving at
    /// an idle writer never waits.
    private let gatherBelow: Int
    private let gatherFor: Duration

    public init(database: CareDatabase, policy: IntakePolicy, maximumBatch: Int = 512,
                gatherBelow: Int = 16, gatherFor: Duration = .milliseconds(1)) {
        self.database = database
        self.policy = policy
        self.maximumBatch = maximumBatch
        self.gatherBelow = gatherBelow
        self.gatherFor = gatherFor
    }

    /// Stores the event with the next group commit and returns its (durable) result.
    public func submit(_ incoming: IncomingEvent) async throws -> IntakeResult {
        try await withCheckedThrowingContinuation { continuation in
            let waiting = Waiting(incoming: incoming, continuation: continuation)
            let isUrgent = incoming.event.kind == .alarm || incoming.event.kind == .cancel
            let startDraining = state.withLock { s -> Bool in
                if isUrgent { s.urgent.append(waiting) } else { s.routine.append(waiting) }
                if s.draining { return false }
                s.draining = true
                return true
            }
            if startDraining { Task { await drain() } }
        }
    }

    private func drain() async {
        var committed = false
        while true {
            if committed, gatherFor > .zero,
               state.withLock({ !($0.urgent.isEmpty && $0.routine.isEmpty) && $0.urgent.count + $0.routine.count < gatherBelow }) {
                try? await Task.sleep(for: gatherFor)
            }
            let batch = state.withLock { s -> [Waiting] in
                guard !s.urgent.isEmpty || !s.routine.isEmpty else {
                    s.draining = false
                    return []
                }
                var taken = Array(s.urgent.prefix(maximumBatch))
                s.urgent.removeFirst(taken.count)
                let room = maximumBatch - taken.count
                taken += s.routine.prefix(room)
                s.routine.removeFirst(min(room, s.routine.count))
                return taken
            }
            if batch.isEmpty { return }
            let policy = self.policy
            do {
                let started = ContinuousClock.now
                defer { IntakeMetrics.record(IntakeMetrics.transaction, since: started) }
                let results = try await database.recordEvents(batch.map(\.incoming), graceSeconds: policy.heartbeatGraceSeconds) {
                    IntakeRules.decide($0, policy: policy)
                }
                committed = true
                IntakeMetrics.commits.increment()
                IntakeMetrics.committedEvents.increment(by: batch.count)
                for (waiting, result) in zip(batch, results) { waiting.continuation.resume(with: result) }
            } catch {
                // The transaction did not commit: nothing of this batch is stored, and every
                // device is told so (it will retry with the same reference).
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
