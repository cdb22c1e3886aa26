/// What the live feed remembers between connections: the last change-log position delivered
/// (sent back as `Last-Event-ID`, so the server replays everything missed) and how many
/// attempts in a row have failed (for the backoff).
///
/// ```swift
/// var book = FeedBookkeeping()
/// book.needsSnapshot            // true: a first connection lists the open calls
/// book.delivered(eventID: "41")
/// book.delivered(eventID: "42")
/// book.failed()                 // .milliseconds(500), then 1 s, 2 s, 4 s, 8 s, 15 s, 15 s…
/// book.lastEventID              // "42": the reconnection resumes after it, no listing needed
/// ```
public struct FeedBookkeeping: Hashable, Sendable {
    public private(set) var lastEventID: String?
    /// Failed attempts since the feed last delivered anything.
    public private(set) var failures = 0

    public static let firstDelay: Duration = .milliseconds(500)
    public static let longestDelay: Duration = .seconds(15)

    public init(lastEventID: String? = nil) { self.lastEventID = lastEventID }

    /// Without a position there is nothing to resume from: list the open calls first.
    public var needsSnapshot: Bool { lastEventID == nil }

    /// An event reached the console. Events without an `id:` keep the last one, as in a browser.
    public mutating func delivered(eventID: String?) {
        if let eventID, !eventID.isEmpty { lastEventID = eventID }
        failures = 0
    }

    /// A heartbeat, or a response head: the server is there, so the backoff starts over.
    public mutating func heardFrom() { failures = 0 }

    /// The server cannot resume from our position (it answered the resumed request with an
    /// error): start again from a fresh listing.
    public mutating func forgetPosition() { lastEventID = nil }

    /// The connection failed or ended; returns how long to wait before the next attempt.
    public mutating func failed() -> Duration {
        failures += 1
        return Self.delay(afterFailures: failures)
    }

    /// 0.5 s, doubling, at most 15 s: quick after a blip, gentle on a server that is down.
    public static func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let doublings = min(failures - 1, 10)
        return min(firstDelay * (1 << doublings), longestDelay)
    }
}
