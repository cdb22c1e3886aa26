import Dispatch
import Synchronization

/// Many devices keeping their heartbeat, each on its own timetable, over a few connections.
///
/// Each device beats every `heartbeatSeconds / speedup` seconds, starting at a random point of
/// its first interval so the fleet does not beat in step. Like a real device it adopts the
/// interval each answer returns (`heartbeatSeconds`, as SCAIP's `hbi`), and after a 429 it waits
/// the `Retry-After` (in real seconds: that is the server's rate, whatever the speed-up).
/// Devices are split over the threads by index; each thread keeps a min-heap of due times.
final class HeartbeatFleet: Sendable {
    let keyring: DeviceKeyring
    let settings: ServerSettings
    let speedup: Double
    let connections: Int
    /// Device indexes that stop beating once `silence(at:)` is called.
    let silent: Set<Int>

    // Live counters, read by the progress lines.
    let sent = Atomic<Int>(0)
    let acknowledged = Atomic<Int>(0)
    let limited = Atomic<Int>(0)
    let refused = Atomic<Int>(0)

    private let stopping = Atomic<Bool>(false)
    private let silentFrom = Atomic<UInt64>(.max)
    private let outcomes = Shared<[Outcome]>([])
    private let heardSilent = Shared<Set<Int>>([])

    /// The silent devices (by index) with at least one acknowledged heartbeat so far: the
    /// platform supervises only those. Readable while the fleet runs, unlike ``outcome``.
    var silentDevicesHeard: Set<Int> { heardSilent.value }
    private let mint = RefMint()

    struct Outcome: Sendable {
        var tally = StatusTally()
        var latency = LatencyRecorder()
        /// Wall-clock second of each silent device's last acknowledged heartbeat.
        var lastHeartbeat: [Int: Int] = [:]
    }

    init(keyring: DeviceKeyring, settings: ServerSettings, speedup: Double, connections: Int, silent: Set<Int> = []) {
        self.keyring = keyring
        self.settings = settings
        self.speedup = speedup
        self.connections = max(1, min(connections, keyring.count))
        self.silent = silent
    }

    /// Heartbeats per second the fleet should send, at the registered intervals.
    var expectedRate: Double {
        keyring.devices.reduce(0) { $0 + speedup / Double(max(1, $1.heartbeatSeconds)) }
    }

    /// Starts the threads; they run until `stop()`.
    func start() -> DispatchGroup {
        Threads.start(connections, name: "fleet") { [self] worker in work(worker) }
    }

    /// From now on the silent devices send nothing more.
    func silence() { silentFrom.store(SimClock.nanos(), ordering: .relaxed) }

    func stop() { stopping.store(true, ordering: .relaxed) }

    /// All threads' results together (call after the group is done).
    var outcome: Outcome {
        var total = Outcome()
        for o in outcomes.value {
            total.tally.merge(o.tally)
            total.latency.merge(o.latency)
            total.lastHeartbeat.merge(o.lastHeartbeat) { max($0, $1) }
        }
        return total
    }

    private func work(_ worker: Int) {
        let sender = EventSender(keyring: keyring, settings: settings)
        try? sender.connection.open()
        let template = EventTemplate(.heartbeat)
        var outcome = Outcome()
        var rng = SystemRandomNumberGenerator()
        var due = MinHeap()
        var interval: [Int: UInt64] = [:]
        let start = SimClock.nanos()
        for device in stride(from: worker, to: keyring.count, by: connections) {
            let every = nanos(seconds: Double(keyring.devices[device].heartbeatSeconds) / speedup)
            interval[device] = every
            due.push(start + UInt64.random(in: 0..<max(every, 1), using: &rng), device)
        }
        while !stopping.load(ordering: .relaxed), let (when, device) = due.peek() {
            let now = SimClock.nanos()
            if when > now {
                // Sleep in short steps so stop() takes effect promptly.
                SimClock.sleep(seconds: min(Double(when - now) / 1e9, 0.1))
                continue
            }
            due.pop()
            if silent.contains(device), now >= silentFrom.load(ordering: .relaxed) { continue }  // gone quiet for good
            let result = sender.send(device: device, template: template, ref: mint.next())
            let answered = SimClock.nanos()
            outcome.latency.record(nanos: answered &- when)
            outcome.tally.add(result)
            sent.wrappingAdd(1, ordering: .relaxed)
            if result.acknowledged {
                acknowledged.wrappingAdd(1, ordering: .relaxed)
                if silent.contains(device) {
                    outcome.lastHeartbeat[device] = SimClock.epochSeconds()
                    heardSilent.withLock { _ = $0.insert(device) }
                }
            } else if result.status == 429 {
                limited.wrappingAdd(1, ordering: .relaxed)
            } else {
                refused.wrappingAdd(1, ordering: .relaxed)
            }
            if let seconds = result.answer?.heartbeatSeconds, seconds > 0 {
                interval[device] = nanos(seconds: Double(seconds) / speedup)
            }
            var next = when + interval[device]!
            if result.status == 429, let retryAfter = result.retryAfter {
                next = max(next, answered + nanos(seconds: Double(retryAfter)))
            }
            // A device that fell behind sends its next beat on time from now, not a burst of missed ones.
            due.push(max(next, answered), device)
        }
        let finished = outcome
        outcomes.withLock { $0.append(finished) }
    }

    private func nanos(seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1e9) }
}

/// A binary min-heap of (due time, device index).
struct MinHeap {
    private var items: [(UInt64, Int)] = []

    func peek() -> (UInt64, Int)? { items.first }

    mutating func push(_ when: UInt64, _ device: Int) {
        items.append((when, device))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].0 < items[parent].0 else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    @discardableResult
    mutating func pop() -> (UInt64, Int)? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count && items[l].0 < items[smallest].0 { smallest = l }
                if r < items.count && items[r].0 < items[smallest].0 { smallest = r }
                guard smallest != i else { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return top
    }
}
