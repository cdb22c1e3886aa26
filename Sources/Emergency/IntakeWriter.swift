import CareModel
import CareStore
import CoreMetrics
import Foundation

/// Group commit: events arriving while a transaction is being written wait and go into the next
/// one together, so each fsync covers many events and durability does not cost throughput.
/// Each caller resumes only after the transaction holding its event has committed.
///
/// Alarms and cancels wait in their own lane and fill each transaction first: when a typhoon
/// cuts the power and fifty thousand devices report it at once, an SOS does not queue behind them.
///
/// The transactions run on a thread of the writer's own, through GRDB's synchronous write,
/// which runs on the calling thread. This one thread is the pace-setter of the whole intake:
/// as a task awaiting an asynchronous write it crossed to GRDB's queue and back for every
/// batch, and on two busy cores each crossing waited milliseconds for a thread to be scheduled,
/// longer than the batch's own work. The thread ends after two idle seconds and starts again with
/// the next event, so a writer nobody uses holds no thread.
public final class IntakeWriter: @unchecked Sendable {
    /// Who hears that an event is durable: an awaiting task, or a receiver the lean device
    /// path (CareAPI's `DeviceEventHandler`) gives, which answers on the connection's event loop
    /// without entering Swift concurrency at all.
    private enum Waiter {
        case task(CheckedContinuation<IntakeResult, any Error>)
        case receiver(any IntakeReceiver)

        func resume(with result: Result<IntakeResult, any Error>) {
            switch self {
            case .task(let continuation): continuation.resume(with: result)
            case .receiver(let receiver): receiver.intakeFinished(result)
            }
        }
    }
    private struct Waiting {
        var incoming: IncomingEvent
        var waiter: Waiter
    }

    /// Guards every `var` below; the writer thread waits on it for work.
    private let condition = NSCondition()
    private var urgent: [Waiting] = []
    private var routine: [Waiting] = []
    private var threadRunning = false
    /// What the writer thread is waiting on `condition` for, which says whether an arriving
    /// event must signal it.
    private var threadWaits = ThreadWait.no

    private enum ThreadWait {
        case no
        /// For any event.
        case forWork
        /// For the queue to reach `below` events (or its deadline); an alarm ends the wait too
        /// when `endedByAlarm`. Arrivals short of that would only wake the thread to sleep again.
        case forCompany(below: Int, endedByAlarm: Bool)
    }

    private let calls: CallStore
    private let policy: IntakePolicy
    /// The most events one transaction takes, so a burst cannot make one commit huge.
    private let maximumBatch: Int
    /// After a commit, a batch smaller than this waits ``gatherFor`` for company (as
    /// PostgreSQL's `commit_delay` does): every commit costs an fsync, WAL page writes and a
    /// wake-up of the live feed, so at a steady few thousand events a second, commits of two or
    /// three events cost several times more per event than commits of ten.
    private let gatherBelow: Int
    private let gatherFor: Duration
    /// How long a heartbeat or info event arriving at an idle writer waits for company, and
    /// how much company ends the wait sooner; an alarm arriving meanwhile ends it at once, and
    /// an alarm arriving at an idle writer never waits. A city's steady state is about a
    /// thousand heartbeats a second, too few to meet in a commit by chance: alone, each pays a
    /// commit, its fsync and the wake-ups around it, and a device that reports every few minutes
    /// does not notice its answer a few milliseconds later (Docs/performance.md has the figures).
    /// Eight, not ``gatherBelow``: a gateway
    /// that sends on a few connections, one event at a time on each, can never have more
    /// waiting than it has connections, and would wait out every deadline.
    private let routineGatherFor: Duration
    private let routineGatherBelow: Int
    /// How long the writer thread waits for work before it ends.
    private static let idleSeconds: TimeInterval = 2

    public init(
        calls: CallStore, policy: IntakePolicy, maximumBatch: Int = 512,
        gatherBelow: Int = 16, gatherFor: Duration = .milliseconds(1),
        routineGatherFor: Duration = .milliseconds(4), routineGatherBelow: Int = 8
    ) {
        self.calls = calls
        self.policy = policy
        self.maximumBatch = maximumBatch
        self.gatherBelow = gatherBelow
        self.gatherFor = gatherFor
        self.routineGatherFor = routineGatherFor
        self.routineGatherBelow = routineGatherBelow
    }

    /// Stores the event with the next group commit and returns its (durable) result.
    public func submit(_ incoming: IncomingEvent) async throws -> IntakeResult {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(Waiting(incoming: incoming, waiter: .task(continuation)))
        }
    }

    /// Stores the event with the next group commit and tells `receiver` once it is durable (or
    /// failed), on the writer's thread.
    public func submit(_ incoming: IncomingEvent, receiver: any IntakeReceiver) {
        enqueue(Waiting(incoming: incoming, waiter: .receiver(receiver)))
    }

    private func enqueue(_ waiting: Waiting) {
        let isUrgent = waiting.incoming.event.kind.concernsCalls
        condition.lock()
        if isUrgent { urgent.append(waiting) } else { routine.append(waiting) }
        if !threadRunning {
            threadRunning = true
            DedicatedThread.start(named: "intake-writer") { [self] in run() }
        } else {
            switch threadWaits {
            case .no: break
            case .forWork: condition.signal()
            case .forCompany(let below, let endedByAlarm):
                if waitingCount >= below || (isUrgent && endedByAlarm) { condition.signal() }
            }
        }
        condition.unlock()
    }

    private var waitingCount: Int { urgent.count + routine.count }

    /// Whether the writer thread is holding events back for company right now, for tests that
    /// must act while it waits rather than guess how long it takes to start waiting.
    var isWaitingForCompany: Bool {
        condition.lock()
        defer { condition.unlock() }
        if case .forCompany = threadWaits { return true }
        return false
    }

    /// The writer thread: takes a batch, writes it, answers it, until idle for a while.
    private func run() {
        var committed = false
        while let batch = nextBatch(afterCommit: committed) {
            committed = write(batch)
        }
    }

    /// Waits for events and takes the next batch; nil (and the thread ends) after
    /// ``idleSeconds`` without any.
    private func nextBatch(afterCommit committed: Bool) -> [Waiting]? {
        condition.lock()
        defer { condition.unlock() }
        if committed, waitingCount > 0 {
            waitForCompany(gatherFor, below: gatherBelow, endedByAlarm: false)
        } else {
            // The writer was idle (or its thread just started).
            while waitingCount == 0 {
                threadWaits = .forWork
                let signalled = condition.wait(until: Date().addingTimeInterval(Self.idleSeconds))
                threadWaits = .no
                if !signalled && waitingCount == 0 {
                    threadRunning = false
                    return nil
                }
            }
            if urgent.isEmpty { waitForCompany(routineGatherFor, below: routineGatherBelow, endedByAlarm: true) }
        }
        var taken = Array(urgent.prefix(maximumBatch))
        urgent.removeFirst(taken.count)
        let room = maximumBatch - taken.count
        taken += routine.prefix(room)
        routine.removeFirst(min(room, routine.count))
        return taken
    }

    /// With the lock held: waits up to `duration` for `below` events in all (or,
    /// when `endedByAlarm`, the first alarm).
    private func waitForCompany(_ duration: Duration, below: Int, endedByAlarm: Bool) {
        guard duration > .zero else { return }
        let deadline = Date().addingTimeInterval(Double(duration / .microseconds(1)) / 1e6)
        threadWaits = .forCompany(below: below, endedByAlarm: endedByAlarm)
        while waitingCount < below, !(endedByAlarm && !urgent.isEmpty), condition.wait(until: deadline) {}
        threadWaits = .no
    }

    /// Writes one batch in one transaction and answers every event in it; true if it committed.
    private func write(_ batch: [Waiting]) -> Bool {
        let policy = self.policy
        let started = ContinuousClock.now
        defer { IntakeMetrics.record(IntakeMetrics.transaction, since: started) }
        do {
            let results = try calls.recordEventsNow(batch.map(\.incoming), graceSeconds: policy.heartbeatGraceSeconds) {
                IntakeRules.decide($0, policy: policy)
            }
            IntakeMetrics.commits.increment()
            IntakeMetrics.committedEvents.increment(by: batch.count)
            for (waiting, result) in zip(batch, results) { waiting.waiter.resume(with: result) }
            return true
        } catch {
            // The transaction did not commit: nothing of this batch is stored, and every
            // device is told so (it will retry with the same reference).
            for waiting in batch { waiting.waiter.resume(with: .failure(error)) }
            return false
        }
    }
}

/// Receives the outcome of an event submitted with ``IntakeWriter/submit(_:receiver:)``.
///
/// A class rather than a closure: the writer keeps its waiters under a lock, and the server keeps
/// no closures in locks on its hot path (see Docs/performance.md, notifications).
public protocol IntakeReceiver: AnyObject, Sendable {
    func intakeFinished(_ result: Result<IntakeResult, any Error>)
}
