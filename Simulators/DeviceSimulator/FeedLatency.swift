import Dispatch

/// An acknowledged alarm the live feed must announce: the (call, version) its reply named, and
/// the time its latency counts from (the same start the load's latency report uses).
struct FeedSend: Sendable {
    var key: UInt64
    var sentAt: UInt64
    /// The load slot, to name the device and ref of an alarm the feed never announced.
    var slot: Int
}

/// `load --subscribers N`: the time from a device's POST to the operators' consoles.
///
/// N subscribers open the feed before the first alarm. During the run the two sides are
/// recorded apart, each without a shared lock on its hot path: load threads keep (call,
/// version, send time) per thread, subscribers keep first arrivals per (call, version). Since
/// the feed event can arrive before the device has read its 202, neither side can compute the
/// latency when it records; matching after the run, once every reply is in and the feed has had
/// `grace` seconds to deliver the rest, needs no ordering between them.
final class FeedLatencyProbe {
    let subscribers: [FeedSubscriber]
    private var running: [DispatchGroup] = []

    init(count: Int, settings: ServerSettings) {
        subscribers = (0..<count).map { FeedSubscriber(index: $0, settings: settings) }
    }

    /// Opens every subscriber's feed and returns once all are subscribed; throws when one could not.
    func start() throws {
        let subscribed = DispatchGroup()
        running = subscribers.map { $0.start(subscribed: subscribed) }
        subscribed.wait()
        if let failure = subscribers.lazy.compactMap({ $0.snapshot.failures.first }).first {
            stop()
            throw SimError(failure)
        }
    }

    /// Stops the subscribers (each notices within its 0.2 s receive timeout).
    func stop() {
        for subscriber in subscribers { subscriber.stop() }
        for group in running { group.wait() }
        running = []
    }

    /// Waits until every subscriber has every send's event or `grace` seconds have passed,
    /// stops the subscribers and matches the two sides.
    func finish(sends: [FeedSend], grace: Double) -> FeedLatencyReport {
        let started = SimClock.nanos()
        let keys = sends.map(\.key)
        var pending = subscribers.map { _ in keys }
        while true {
            for (i, subscriber) in subscribers.enumerated() where !pending[i].isEmpty {
                pending[i] = subscriber.missing(of: pending[i])
            }
            if pending.allSatisfy(\.isEmpty) || SimClock.seconds(from: started, to: SimClock.nanos()) >= grace { break }
            SimClock.sleep(seconds: 0.02)
        }
        stop()
        var report = FeedLatencyReport(subscriberCount: subscribers.count, tracked: sends.count, grace: grace)
        var latest = started
        for (i, subscriber) in subscribers.enumerated() {
            let tally = subscriber.finishedTally
            var latency = LatencyRecorder()
            var missing: [FeedSend] = []
            var early: [FeedSend] = []
            for send in sends {
                if let arrived = tally.arrivals[send.key] {
                    latest = max(latest, arrived)
                    if arrived >= send.sentAt { latency.record(nanos: arrived - send.sentAt) } else { early.append(send) }
                } else {
                    missing.append(send)
                }
            }
            if i == 0 { report.first = latency }
            report.all.merge(latency)
            report.subscribers.append(.init(tally: tally, missing: missing, early: early))
        }
        report.lastArrival = SimClock.seconds(from: started, to: latest)
        // Two different alarms cannot both have made the same version of a call.
        var seen = Set<UInt64>()
        seen.reserveCapacity(sends.count)
        report.sharedVersions = sends.filter { !seen.insert($0.key).inserted }
        return report
    }
}

/// What `FeedLatencyProbe.finish` found.
struct FeedLatencyReport {
    struct Subscriber {
        var tally: FeedSubscriber.Tally
        var missing: [FeedSend]
        /// Sends whose (call, version) arrived on the feed before the alarm was sent: the event
        /// cannot be this alarm's change, so the reply named the wrong version.
        var early: [FeedSend]
    }

    let subscriberCount: Int
    /// Acknowledged alarms whose reply named a call and its version.
    let tracked: Int
    let grace: Double
    /// When the last tracked event arrived, in seconds after the last reply (0 if before it).
    var lastArrival: Double = 0
    var first = LatencyRecorder()
    var all = LatencyRecorder()
    var subscribers: [Subscriber] = []
    /// Alarms whose reply named a (call, version) another alarm's reply had already named.
    var sharedVersions: [FeedSend] = []

    /// Missing events fail the run; so does a feed that repeats, reorders or skips changes, or
    /// replies that claim the same version twice or a version announced before the alarm was
    /// sent: those are bugs, not slowness.
    var passed: Bool {
        sharedVersions.isEmpty
            && subscribers.allSatisfy { s in
                s.missing.isEmpty && s.early.isEmpty && s.tally.failures.isEmpty && s.tally.positionsNotIncreasing == 0
                    && s.tally.repeatedVersions == 0
                    && s.tally.versionsBackwards == 0 && s.tally.versionGaps == 0 && s.tally.unreadable == 0
            }
    }

    /// The report, in sentences; `from` says where latencies count from; `name` names a send
    /// (device and ref) for the list of missing ones.
    func lines(from: String, name: (FeedSend) -> String) -> [String] {
        var out: [String] = []
        let plural = subscriberCount == 1 ? "" : "s"
        out.append(
            "Live feed: \(subscriberCount) subscriber\(plural) on GET \(FeedStream.path); \(Format.count(tracked)) acknowledged alarms named a call and its version."
        )
        out.append("Device POST → feed event (\(from)), first subscriber: \(first.summary) (\(Format.count(first.count)) events).")
        if subscriberCount > 1 {
            out.append("Device POST → feed event, all \(subscriberCount) subscribers: \(all.summary) (\(Format.count(all.count)) events).")
        }
        for (i, s) in subscribers.enumerated() {
            let t = s.tally
            var parts = ["\(Format.count(t.events)) events received", "\(Format.count(s.missing.count)) acknowledged alarms missing"]
            if t.reconnects > 0 { parts.append("\(t.reconnects) reconnect attempts with Last-Event-ID") }
            if t.positionsNotIncreasing > 0 { parts.append("\(Format.count(t.positionsNotIncreasing)) ids not above the previous") }
            if t.skippedIds > 0 {
                parts.append("\(Format.count(t.skippedIds)) ids skipped (normal only for changes of other things than calls)")
            }
            if t.repeatedVersions > 0 { parts.append("\(Format.count(t.repeatedVersions)) call versions repeated") }
            if t.versionsBackwards > 0 { parts.append("\(Format.count(t.versionsBackwards)) call versions going backwards") }
            if t.versionGaps > 0 { parts.append("\(Format.count(t.versionGaps)) gaps in a call's versions") }
            if t.unreadable > 0 { parts.append("\(Format.count(t.unreadable)) unreadable data lines, e.g. \(t.unreadableSample ?? "?")") }
            out.append("  subscriber \(i + 1): " + parts.joined(separator: ", ") + ".")
            for anomaly in t.anomalies { out.append("    \(anomaly)") }
            for failure in t.failures { out.append("    the feed failed: \(failure)") }
            if !s.early.isEmpty {
                let shown = s.early.prefix(10).map { "call \(FeedKey.callId($0.key)) version \(FeedKey.version($0.key)) (\(name($0)))" }
                out.append(
                    "    \(Format.count(s.early.count)) events arrived before their alarm was sent, so the reply named another change's version: "
                        + shown.joined(separator: ", "))
            }
            if !s.missing.isEmpty {
                let shown = s.missing.prefix(20).map { "call \(FeedKey.callId($0.key)) version \(FeedKey.version($0.key)) (\(name($0)))" }
                out.append(
                    "    never received within \(Format.fixed(grace, 0)) s after the run: " + shown.joined(separator: ", ")
                        + (s.missing.count > 20 ? ", … and \(Format.count(s.missing.count - 20)) more" : ""))
            }
        }
        if !sharedVersions.isEmpty {
            let shown = sharedVersions.prefix(10).map { "call \(FeedKey.callId($0.key)) version \(FeedKey.version($0.key)) (\(name($0)))" }
            out.append(
                "The server's replies named the same call version for different alarms \(Format.count(sharedVersions.count)) times: "
                    + shown.joined(separator: ", "))
        }
        let missing = subscribers.reduce(0) { $0 + $1.missing.count }
        if missing == 0 {
            out.append(
                "Every acknowledged alarm reached every subscriber (the last \(Format.fixed(lastArrival * 1000, 0)) ms after the last reply)."
            )
        } else {
            out.append(
                "\(Format.count(missing)) feed events for acknowledged alarms never arrived within \(Format.fixed(grace, 0)) s after the run (counted per subscriber)."
            )
        }
        return out
    }
}
