import CareModel
import CareStore
import CoreMetrics
import Foundation

/// The per-channel instruments, made once: asking the metrics factory for a counter on every
/// delivery costs a lookup under its lock each time.
final class ChannelMetrics: Sendable {
    let sent: Counter
    let latency: CoreMetrics.Timer
    let deadLettered: Counter
    let deferred: Counter
    let retriedBackoff: Counter
    let retriedFallOver: Counter
    let failed: [String: Counter]

    static let reasons = ["http_4xx", "http_429", "http_5xx", "timeout", "connect", "closed", "other"]

    init(_ channel: NotificationChannelKind) {
        sent = NotificationMetrics.sent(channel)
        latency = NotificationMetrics.latency(channel)
        deadLettered = NotificationMetrics.deadLettered(channel)
        deferred = NotificationMetrics.deferred(channel)
        retriedBackoff = NotificationMetrics.retried(channel, "backoff")
        retriedFallOver = NotificationMetrics.retried(channel, "fall_over")
        failed = Dictionary(uniqueKeysWithValues: Self.reasons.map { ($0, NotificationMetrics.failed(channel, $0)) })
    }

    /// One of each channel's instruments.
    static func all() -> [NotificationChannelKind: ChannelMetrics] {
        Dictionary(uniqueKeysWithValues: NotificationChannelKind.allCases.map { ($0, ChannelMetrics($0)) })
    }
}

/// What the worker reports to `/metrics` (all `eldercare_notifications_*`).
enum NotificationMetrics {
    /// Messages a channel accepted.
    static func sent(_ channel: NotificationChannelKind) -> Counter {
        Counter(label: "eldercare_notifications_sent_total", dimensions: [("channel", channel.rawValue)])
    }
    /// Attempts that failed, by channel and reason (http_4xx, http_429, http_5xx, timeout, connect, closed, other).
    static func failed(_ channel: NotificationChannelKind, _ reason: String) -> Counter {
        Counter(label: "eldercare_notifications_failed_total", dimensions: [("channel", channel.rawValue), ("reason", reason)])
    }
    /// Further attempts scheduled after a failure: `backoff` on the same channel, `fall_over` to the next.
    static func retried(_ channel: NotificationChannelKind, _ how: String) -> Counter {
        Counter(label: "eldercare_notifications_retried_total", dimensions: [("channel", channel.rawValue), ("kind", how)])
    }
    /// Messages that became dead letters.
    static func deadLettered(_ channel: NotificationChannelKind) -> Counter {
        Counter(label: "eldercare_notifications_dead_lettered_total", dimensions: [("channel", channel.rawValue)])
    }
    /// Messages held back because their channel's circuit was open.
    static func deferred(_ channel: NotificationChannelKind) -> Counter {
        Counter(label: "eldercare_notifications_deferred_total", dimensions: [("channel", channel.rawValue)])
    }
    /// Outbox rows fanned out, and the notifications they made.
    static let fannedOut = Counter(label: "eldercare_notifications_outbox_dispatched_total")
    static let created = Counter(label: "eldercare_notifications_created_total")
    /// Notifications stored dead at once: no configured channel reaches the recipient.
    static let unreachable = Counter(label: "eldercare_notifications_unreachable_total")
    /// How long sends take, by channel.
    static func latency(_ channel: NotificationChannelKind) -> CoreMetrics.Timer {
        Timer(label: "eldercare_notifications_delivery_duration", dimensions: [("channel", channel.rawValue)])
    }
    /// What is waiting: `outbox` (not fanned out), `pending`, `sending`, `dead`.
    static func depth(_ state: String) -> Gauge {
        Gauge(label: "eldercare_notifications_queue_depth", dimensions: [("state", state)])
    }
    static let inFlight = Gauge(label: "eldercare_notifications_in_flight")
    /// 1 while a channel's circuit is open (or half-open), else 0.
    static func circuitOpen(_ channel: NotificationChannelKind) -> Gauge {
        Gauge(label: "eldercare_notifications_circuit_open", dimensions: [("channel", channel.rawValue)])
    }

    static func record(_ depth: NotificationQueueDepth) {
        self.depth("outbox").record(depth.outbox)
        self.depth("pending").record(depth.pending)
        self.depth("sending").record(depth.sending)
        self.depth("dead").record(depth.dead)
    }

    /// A short reason for the failed-attempts counter.
    static func reason(status: Int?, error: String) -> String {
        if let status {
            return status == 429 ? "http_429" : status >= 500 ? "http_5xx" : "http_4xx"
        }
        if error.hasPrefix("timed out") { return "timeout" }
        if error.hasPrefix("could not connect") { return "connect" }
        if error.hasPrefix("connection closed") { return "closed" }
        return "other"
    }
}
