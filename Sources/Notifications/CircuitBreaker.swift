import CareModel
import Foundation
import Synchronization

/// Pauses a channel that keeps failing, instead of hammering it.
///
/// ```
/// closed ──N consecutive channel faults──▶ open ──rest period over──▶ half-open (one probe)
///   ▲                                        ▲                            │
///   └──────────────── probe succeeds ────────┼──── probe fails (rest ×2, at most ×8) ◀┘
/// ```
///
/// Only failures that say the channel is unwell count (5xx, 429, 401/403, network trouble); a
/// 4xx about one message proves the channel answers, and counts as a success. State is kept in
/// memory: a restart starts every channel closed, which at worst costs N more failed sends.
/// Time comes from the caller, so tests drive it with a controlled clock.
public final class CircuitBreaker: Sendable {
    public enum State: Sendable, Equatable {
        case closed
        case open(until: Date)
        /// The rest is over and one probe is out; the others wait for its answer.
        case halfOpen
    }

    private struct Channel {
        var failures = 0
        var openUntil: Date?
        var probing = false
        /// How many rests in a row; each doubles the next, up to 8×.
        var trips = 0
    }

    public let threshold: Int
    public let openDuration: TimeInterval
    private let channels = Mutex<[NotificationChannelKind: Channel]>([:])

    public init(threshold: Int, openDuration: TimeInterval) {
        self.threshold = max(1, threshold)
        self.openDuration = openDuration
    }

    /// Whether a send on `channel` may go now. In the half-open state the first caller gets
    /// `true` (the probe) and everyone else `false` until the probe is recorded.
    public func permits(_ channel: NotificationChannelKind, now: Date) -> Bool {
        channels.withLock { all in
            var c = all[channel] ?? Channel()
            defer { all[channel] = c }
            guard let until = c.openUntil else { return true }
            if now < until || c.probing { return false }
            c.probing = true
            return true
        }
    }

    /// Records a send's result. `fault` nil means the send never happened (interrupted): a probe
    /// slot is given back, nothing else changes.
    public func record(_ channel: NotificationChannelKind, fault: Bool?, now: Date) {
        channels.withLock { all in
            var c = all[channel] ?? Channel()
            defer { all[channel] = c }
            guard let fault else {
                c.probing = false
                return
            }
            if !fault {
                c = Channel()
                return
            }
            c.failures += 1
            if c.probing || (c.openUntil == nil && c.failures >= threshold) {
                c.trips = c.probing ? c.trips + 1 : 1
                c.openUntil = now.addingTimeInterval(openDuration * Double(1 << min(c.trips - 1, 3)))
                c.probing = false
            }
        }
    }

    public func state(_ channel: NotificationChannelKind, now: Date) -> State {
        channels.withLock { all in
            guard let c = all[channel], let until = c.openUntil else { return .closed }
            return now < until ? .open(until: until) : .halfOpen
        }
    }

    /// When the channel will let a probe through; nil when it is closed.
    public func reopensAt(_ channel: NotificationChannelKind) -> Date? {
        channels.withLock { $0[channel]?.openUntil }
    }
}
