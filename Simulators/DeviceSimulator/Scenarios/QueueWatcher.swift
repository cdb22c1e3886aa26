import Dispatch
import Synchronization

/// Polls the top of the call queue (the P1 calls) on a fixed period from its own thread and
/// remembers when each call was first seen, so a storm can measure how long a call takes to
/// become visible to operators after its 202.
final class QueueWatcher: Sendable {
    let settings: ServerSettings
    let period: Double

    let polls = Atomic<Int>(0)
    private let pollNanos = Atomic<UInt64>(0)
    private let stopping = Atomic<Bool>(false)
    private let firstSeen = Shared<[Int64: UInt64]>([:])
    private let problems = Shared<[String]>([])

    init(settings: ServerSettings, period: Double) {
        self.settings = settings
        self.period = period
    }

    func start() -> DispatchGroup {
        Threads.start(1, name: "queue-watch") { [self] _ in
            let queue = CallQueue(api: APIClient(settings))
            while !stopping.load(ordering: .relaxed) {
                let began = SimClock.nanos()
                do {
                    let calls = try queue.topPriority()
                    // Seen when the answer is in: the conservative end of the poll.
                    let seenAt = SimClock.nanos()
                    firstSeen.withLock { seen in
                        for call in calls where seen[call.id] == nil { seen[call.id] = seenAt }
                    }
                    polls.wrappingAdd(1, ordering: .relaxed)
                    pollNanos.wrappingAdd(seenAt &- began, ordering: .relaxed)
                } catch {
                    problems.withLock { $0.append("\(error)") }
                }
                let next = began + UInt64(period * 1e9)
                let now = SimClock.nanos()
                if next > now { SimClock.sleep(seconds: Double(next - now) / 1e9) }
            }
        }
    }

    func stop() { stopping.store(true, ordering: .relaxed) }

    /// Monotonic time each call was first seen in the queue.
    var seen: [Int64: UInt64] { firstSeen.value }

    var averagePollMillis: Double {
        let n = polls.load(ordering: .relaxed)
        return n == 0 ? 0 : Double(pollNanos.load(ordering: .relaxed)) / Double(n) / 1e6
    }

    var errors: [String] { problems.value }
}
