import Dispatch
import Synchronization

/// How sends are paced.
enum Pacing: Sendable {
    /// Open loop: `total` sends on a fixed timetable at `perSecond`; each is measured from its
    /// *scheduled* time, so a stalled server cannot hide the queue it causes (no coordinated omission).
    /// `spinMicros`: how long before each slot to stop sleeping and spin (see `SimClock.wait`).
    case fixedRate(perSecond: Double, total: Int, spinMicros: Int = 60)
    /// Closed loop: each connection sends its next request as soon as the last is answered, for `seconds`.
    case asFastAsPossible(seconds: Double)
}

/// What one thread does with the slots it is handed: it owns its connection and its counters,
/// so nothing on the hot path takes a lock.
protocol SlotWorker: SendableMetatype {
    associatedtype Outcome: Sendable
    /// Runs on the worker's thread before the common start (connect here, not in the measurement).
    mutating func prepare() throws
    /// Sends slot `slot`; latency counts from `since` (the scheduled time, or the send time in closed loop).
    mutating func fire(slot: Int, since: UInt64)
    /// The thread's results, once the run is over.
    func finish() -> Outcome
    /// Closed loop: how many slots the thread takes at once (one per connection it owns).
    var group: Int { get }
    /// Closed loop: sends `slots` on the thread's connections, all before reading any answer.
    mutating func fire(slots: Range<Int>, since: UInt64)
}

extension SlotWorker {
    var group: Int { 1 }
    mutating func fire(slots: Range<Int>, since: UInt64) {
        for slot in slots { fire(slot: slot, since: since) }
    }
}

/// What a paced run did.
struct SlotRun<Outcome: Sendable>: Sendable {
    var outcomes: [Outcome]
    /// Monotonic time of the common start, and of the last answer.
    var started: UInt64
    var finished: UInt64
    var fired: Int
    /// Open loop only: slots never sent because the run passed its hard stop (the server fell too far behind).
    var unsent: Int
    var prepareProblems: [String]

    var seconds: Double { SimClock.seconds(from: started, to: max(finished, started)) }
}

/// Runs the slots of a paced run on `threads` threads (the approach of `registry-load`: one
/// blocking keep-alive connection per thread; a shared counter hands out slots in order).
enum SlotDriver {
    private final class State: Sendable {
        let next = Atomic<Int>(0)
        let fired = Atomic<Int>(0)
        let startAt = Atomic<UInt64>(0)
        let lastAnswer = Atomic<UInt64>(0)
        let outcomes: Shared<[(Int, any Sendable)]> = Shared([])
        let problems: Shared<[String]> = Shared([])
    }

    /// - Parameters:
    ///   - hardStopSeconds: open loop only; stop taking slots this long after the start.
    ///   - progressEvery: seconds between calls of `progress(fired, secondsSinceStart)` on the calling thread.
    static func run<W: SlotWorker>(
        threads: Int, pacing: Pacing, name: String, hardStopSeconds: Double? = nil,
        progressEvery: Double? = nil, progress: (Int, Double) -> Void = { _, _ in },
        make: @escaping @Sendable (Int) -> W
    ) -> SlotRun<W.Outcome> {
        let state = State()
        let ready = DispatchGroup()
        for _ in 0..<threads { ready.enter() }
        let done = Threads.start(threads, name: name) { index in
            var worker = make(index)
            do { try worker.prepare() } catch { state.problems.withLock { $0.append("connection \(index): \(error)") } }
            ready.leave()
            var start = state.startAt.load(ordering: .acquiring)
            while start == 0 {
                SimClock.sleep(seconds: 0.001)
                start = state.startAt.load(ordering: .acquiring)
            }
            switch pacing {
            case .fixedRate(let perSecond, let total, let spinMicros):
                let spin = UInt64(spinMicros) * 1000
                let interval = 1e9 / perSecond
                let stop = hardStopSeconds.map { start + UInt64($0 * 1e9) } ?? .max
                while true {
                    let slot = state.next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard slot < total else { break }
                    let scheduled = start + UInt64(Double(slot) * interval)
                    guard SimClock.nanos() < stop else { break }
                    SimClock.wait(until: scheduled, spinNanos: spin)
                    worker.fire(slot: slot, since: scheduled)
                    state.fired.wrappingAdd(1, ordering: .relaxed)
                }
            case .asFastAsPossible(let seconds):
                let end = start + UInt64(seconds * 1e9)
                while true {
                    let now = SimClock.nanos()
                    guard now < end else { break }
                    let group = worker.group
                    let first = state.next.wrappingAdd(group, ordering: .relaxed).oldValue
                    worker.fire(slots: first..<first + group, since: now)
                    state.fired.wrappingAdd(group, ordering: .relaxed)
                }
            }
            let last = SimClock.nanos()
            _ = state.lastAnswer.max(last, ordering: .relaxed)
            let outcome = worker.finish()
            state.outcomes.withLock { $0.append((index, outcome)) }
        }
        ready.wait()
        // Everyone is connected: start together, a little ahead so the first slots are not already late.
        let started = SimClock.nanos() + 50_000_000
        state.startAt.store(started, ordering: .releasing)
        if let every = progressEvery {
            while done.wait(timeout: .now() + every) == .timedOut {
                progress(state.fired.load(ordering: .relaxed), SimClock.seconds(from: started, to: SimClock.nanos()))
            }
        } else {
            done.wait()
        }
        let fired = state.fired.load(ordering: .relaxed)
        var unsent = 0
        if case .fixedRate(_, let total, _) = pacing { unsent = total - fired }
        let outcomes = state.outcomes.value.sorted { $0.0 < $1.0 }.map { $0.1 as! W.Outcome }
        return SlotRun(
            outcomes: outcomes, started: started, finished: state.lastAnswer.load(ordering: .relaxed),
            fired: fired, unsent: unsent, prepareProblems: state.problems.value)
    }
}
