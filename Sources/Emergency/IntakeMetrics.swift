import CareModel
import CoreMetrics
import Foundation

/// What intake and supervision report to `/metrics`.
enum IntakeMetrics {
    /// Events stored, by what happened to them (accepted, joined, cancelled, recorded, duplicate).
    /// Made once per outcome: building a counter looks it up in the registry under a lock.
    static func stored(_ outcome: String) -> Counter {
        storedByOutcome[outcome] ?? Counter(label: "eldercare_intake_events_total", dimensions: [("outcome", outcome)])
    }
    private static let storedByOutcome: [String: Counter] = Dictionary(
        uniqueKeysWithValues: (EventOutcome.allCases.map(\.rawValue) + ["duplicate"]).map {
            ($0, Counter(label: "eldercare_intake_events_total", dimensions: [("outcome", $0)]))
        })
    /// Group commits written, and the events they carried.
    static let commits = Counter(label: "eldercare_intake_commits_total")
    static let committedEvents = Counter(label: "eldercare_intake_committed_events_total")
    /// Events refused, by reason (unauthenticated, rate_limited, invalid, too_large).
    static func refused(_ reason: String) -> Counter {
        Counter(label: "eldercare_intake_refused_total", dimensions: [("reason", reason)])
    }
    /// Time the supervisor spent in its passes: divided by wall time, the share of a core it costs.
    static let supervisionBusy = Counter(label: "eldercare_supervision_busy_microseconds_total")
    static let devicesOffline = Counter(label: "eldercare_supervision_devices_offline_total")

    /// Time spent per intake stage (lookup, verify, decode, commit_wait) and in the write
    /// transactions themselves: divided by the events, where each event's time goes.
    static let lookup = stage("lookup"), verify = stage("verify"), decode = stage("decode"),
        commitWait = stage("commit_wait"), transaction = stage("transaction")

    private static func stage(_ name: String) -> Counter {
        Counter(label: "eldercare_intake_stage_microseconds_total", dimensions: [("stage", name)])
    }

    /// Adds the time since `start` to `counter`, in microseconds.
    static func record(_ counter: Counter, since start: ContinuousClock.Instant) {
        let d = ContinuousClock.now - start
        counter.increment(by: Int(d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000))
    }
}
