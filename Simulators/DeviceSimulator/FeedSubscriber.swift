import Dispatch
import Synchronization

/// A call change as a dictionary key: `callId << 24 | version`, so the per-subscriber tables of
/// a long run (tens of thousands of alarms × N subscribers) hold 16 bytes per entry.
enum FeedKey {
    static let versionBits: UInt64 = 24

    /// nil when the numbers do not fit (a call id over 2^40 or a version over 2^24): not tracked.
    static func pack(callId: Int64, version: Int) -> UInt64? {
        guard callId >= 0, callId < 1 << 40, version >= 0, version < 1 << 24 else { return nil }
        return UInt64(callId) << versionBits | UInt64(version)
    }

    static func callId(_ key: UInt64) -> Int64 { Int64(key >> versionBits) }
    static func version(_ key: UInt64) -> Int { Int(key & (1 << versionBits - 1)) }
}

/// One simulated operator console: a thread reading `GET /v1/calls/stream` for the whole run,
/// noting when each call change first arrived, and checking the feed's promises on the way —
/// ids only increase, each (call, version) comes once, and a call's versions come in order
/// without gaps.
///
/// If the server ends the stream (it cuts off a subscriber that falls too far behind), the
/// subscriber reconnects at once with `Last-Event-ID`, as a console does; the replayed events
/// then count from when they arrived, so the latency includes the interruption.
final class FeedSubscriber: Sendable {
    /// What the thread has seen; read by the load command after the run (and while it waits
    /// for the last events), hence behind a lock, taken once per read from the socket.
    struct Tally: Sendable {
        /// First arrival (monotonic nanoseconds) per `FeedKey`, filled from `arrivalLog` when asked
        /// (``FeedSubscriber/missing(of:)``, ``FeedSubscriber/finishedTally``), not per event.
        var arrivals: [UInt64: UInt64] = [:]
        /// Each (call, version) as it first arrived: appended per event, which costs no hashing.
        var arrivalLog: [(key: UInt64, at: UInt64)] = []
        /// How much of `arrivalLog` is already in `arrivals`.
        var logged = 0
        var events = 0
        /// Attempts to reconnect after the stream was interrupted (each failed attempt counts).
        var reconnects = 0
        var lastPosition: Int64 = -1
        /// Events whose id was not above the previous one (repeated or out of order).
        var positionsNotIncreasing = 0
        /// Ids between consecutive events that never came (normal only for change-log positions
        /// of other things than calls); not counted before the first event.
        var skippedIds: Int64 = 0
        /// A (call, version) that arrived a second time, under another id.
        var repeatedVersions = 0
        /// A call's version lower than one already seen for it.
        var versionsBackwards = 0
        /// A call's version more than one above the last seen for it: changes the feed skipped.
        var versionGaps = 0
        /// Data lines the decoder could not read, with a sample.
        var unreadable = 0
        var unreadableSample: String?
        /// Examples of the anomalies above, for the report.
        var anomalies: [String] = []
        var failures: [String] = []
        /// Highest version seen per call.
        var versions = CallVersions()

        /// Moves what arrived since the last call from the log into `arrivals`.
        mutating func index() {
            guard logged < arrivalLog.count else { return }
            for entry in arrivalLog[logged...] where arrivals[entry.key] == nil { arrivals[entry.key] = entry.at }
            logged = arrivalLog.count
        }
    }

    let index: Int
    let settings: ServerSettings
    private let tally: Shared<Tally>
    private let stopping = Atomic<Bool>(false)

    init(index: Int, settings: ServerSettings) {
        self.index = index
        self.settings = settings
        var empty = Tally()
        empty.arrivalLog.reserveCapacity(1 << 16)
        tally = Shared(empty)
    }

    /// Starts the thread; `subscribed` is left once the first connection is open (or failed:
    /// see `failures`). Wait on the returned group after `stop()`.
    func start(subscribed: DispatchGroup) -> DispatchGroup {
        subscribed.enter()
        return Threads.start(1, name: "feed-\(index)") { [self] _ in
            let stream = FeedStream(settings: settings)
            var events: [FeedEvent] = []
            events.reserveCapacity(4096)
            var first = true
            var lastPosition: Int64?
            var lastReason = ""
            while !stopping.load(ordering: .relaxed) {
                do {
                    events = try stream.open(lastEventID: lastPosition)
                    lastReason = ""
                    if first { first = false; subscribed.leave() }
                    if !events.isEmpty {
                        lastPosition = record(events, at: SimClock.nanos(), decoder: stream.decoder) ?? lastPosition
                        events.removeAll(keepingCapacity: true)
                    }
                    while !stopping.load(ordering: .relaxed) {
                        let result = try stream.poll(into: &events)
                        if !events.isEmpty {
                            lastPosition = record(events, at: SimClock.nanos(), decoder: stream.decoder) ?? lastPosition
                            events.removeAll(keepingCapacity: true)
                        }
                        if result == .ended { throw SimError("the server ended the stream") }
                    }
                } catch {
                    // Not subscribed at all: the run cannot measure anything.
                    if first { tally.withLock { $0.failures.append("\(error)") }; subscribed.leave(); break }
                    stream.close()
                    guard !stopping.load(ordering: .relaxed) else { break }
                    // Interrupted: resume after the last id seen, as a console does. Repeated
                    // failures (a server restarting) are noted once.
                    let reason = "\(error)"
                    let line =
                        "interrupted (\(reason)); reconnecting with Last-Event-ID "
                        + (lastPosition.map(String.init) ?? "(none: resuming live, changes in between may be missed)")
                    tally.withLock { t in
                        t.reconnects += 1
                        if reason != lastReason { note(&t, line) }
                    }
                    lastReason = reason
                    SimClock.sleep(seconds: 0.05)
                }
            }
            stream.close()
        }
    }

    func stop() { stopping.store(true, ordering: .relaxed) }

    var snapshot: Tally { tally.value }

    /// Everything seen, with `arrivals` complete: for the report, after ``stop()``.
    var finishedTally: Tally {
        tally.withLock {
            $0.index(); return $0
        }
    }

    /// The keys that have not arrived yet (for the wait after the run).
    func missing(of keys: [UInt64]) -> [UInt64] {
        tally.withLock { t in
            t.index()
            return keys.filter { t.arrivals[$0] == nil }
        }
    }

    /// Notes a batch of events that arrived together; returns the last id seen.
    private func record(_ events: [FeedEvent], at now: UInt64, decoder: FeedDecoder) -> Int64? {
        tally.withLock { t -> Int64? in
            for event in events {
                t.events += 1
                if event.position <= t.lastPosition {
                    t.positionsNotIncreasing += 1
                    note(&t, "id \(event.position) came after id \(t.lastPosition)")
                }
                if t.lastPosition >= 0, event.position > t.lastPosition + 1 { t.skippedIds += event.position - t.lastPosition - 1 }
                t.lastPosition = max(t.lastPosition, event.position)
                guard event.callId >= 0 else {
                    t.unreadable += 1
                    if t.unreadableSample == nil { t.unreadableSample = decoder.malformedSample }
                    continue
                }
                // No hashing per event (with 200 subscribers the hash tables here were a fifth of
                // the simulator's CPU): versions come in order, so a version no higher than the
                // call's highest so far is a repeat or a step back, and anything else arrives for
                // the first time and is logged.
                let seen = t.versions.update(event.callId, to: event.version)
                if let seen, event.version <= seen {
                    _ = t.versions.update(event.callId, to: seen)
                    if event.version == seen {
                        t.repeatedVersions += 1
                        note(&t, "call \(event.callId) version \(event.version) came again (id \(event.position))")
                    } else {
                        t.versionsBackwards += 1
                        note(&t, "call \(event.callId) went from version \(seen) back to \(event.version) (id \(event.position))")
                    }
                    continue
                }
                if let seen, event.version > seen + 1 {
                    t.versionGaps += 1
                    note(&t, "call \(event.callId) jumped from version \(seen) to \(event.version) (id \(event.position))")
                }
                if let key = FeedKey.pack(callId: event.callId, version: event.version) { t.arrivalLog.append((key, now)) }
            }
            return t.lastPosition >= 0 ? t.lastPosition : nil
        }
    }

    private func note(_ t: inout Tally, _ text: String) {
        if t.anomalies.count < 10 { t.anomalies.append(text) }
    }
}
