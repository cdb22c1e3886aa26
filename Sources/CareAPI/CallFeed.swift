import CareModel
import CareStore
import Emergency
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The live feed behind `GET /v1/calls/stream`: follows the change log and hands every new
/// entry to every subscriber.
///
/// One loop reads the log (woken by each commit that changes calls, so an alarm reaches the
/// consoles about a millisecond after its commit) and pushes to each subscriber's ``FeedInbox``.
/// Pushing never waits: a subscriber too slow to keep up overflows its inbox and is cut off, and
/// its client reconnects with `Last-Event-ID` and replays what it missed from the database. So
/// a slow console never holds up the server or the other consoles.
public final class CallFeed: Service, Sendable {
    let calls: CallStore
    let heartbeat: Duration
    let inboxLimit: Int
    let logger: Logger
    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextId = Atomic<Int>(0)
    /// The last position handed to subscribers; a new subscriber without `Last-Event-ID` starts
    /// here. -1 while the loop is not following the log because nobody listens.
    private let position = Atomic<Int64>(-1)

    struct Subscriber {
        let name: String
        let inbox: FeedInbox
    }

    /// - Parameters:
    ///   - heartbeat: how often a comment line goes to idle subscribers, so proxies keep the connection.
    ///   - inboxLimit: how many undelivered items a subscriber may fall behind before it is cut off.
    public init(
        calls: CallStore, heartbeat: Duration = .seconds(15), inboxLimit: Int = 20_000,
        logger: Logger = Logger(label: "eldercare.feed")
    ) {
        self.calls = calls
        self.heartbeat = heartbeat
        self.inboxLimit = inboxLimit
        self.logger = logger
    }

    /// Registers a subscriber. Live items start flowing at once; the returned position is where
    /// the log stood, so a replay up to it and the live items after it together miss nothing.
    func subscribe(name: String) async throws -> (id: Int, inbox: FeedInbox, position: Int64) {
        let inbox = FeedInbox(limit: inboxLimit)
        let id = nextId.wrappingAdd(1, ordering: .relaxed).newValue
        // Under the lock, so the loop cannot stop following the log in between (see `run`).
        let at = subscribers.withLock { table in
            table[id] = Subscriber(name: name, inbox: inbox)
            return position.load(ordering: .acquiring)
        }
        if at >= 0 { return (id, inbox, at) }
        // Nobody was listening, so the loop is not following the log: the first subscriber
        // reads where it ends and the loop picks up there. One that raced it, or arrived after
        // the loop moved on, takes the position as it stands; what lies before it in the inbox
        // the stream skips.
        let end = try await calls.database.latestChangePosition()
        let start = subscribers.withLock { _ in
            if position.load(ordering: .acquiring) < 0 { position.store(end, ordering: .releasing) }
            return position.load(ordering: .acquiring)
        }
        return (id, inbox, start)
    }

    func unsubscribe(_ id: Int) {
        let gone = subscribers.withLock { $0.removeValue(forKey: id) }
        gone?.inbox.close()
    }

    /// The names of operators with a feed open, each once, sorted.
    public var subscriberNames: [String] {
        Array(Set(subscribers.withLock { $0.values.map(\.name) })).sorted()
    }

    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    public func run() async throws {
        var generation: UInt64 = 0
        var lastBeat = ContinuousClock.now
        var lastSent = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let seen = generation
            generation = await calls.database.waitForChanges(after: generation, timeout: .seconds(1))
            if stopFollowingWhileNobodyListens() { continue }
            var last = position.load(ordering: .acquiring)
            if last < 0 {
                // A first subscriber is reading where the log ends; look again in a moment
                // without losing this wake-up's changes.
                generation = seen
                try? await Task.sleep(for: .milliseconds(1))
                continue
            }
            // Each broadcast costs a socket write per subscriber. With many subscribers, changes
            // that come soon after the last broadcast wait out a short window and go together:
            // a quiet floor still sees each alarm at once, a busy one gets fewer, larger writes.
            let window = Self.gatherWindow(subscribers: subscriberCount)
            let since = ContinuousClock.now - lastSent
            if since < window { try? await Task.sleep(for: window - since) }
            do {
                while true {
                    let changes = try await calls.callChanges(after: last, limit: 2000)
                    guard let newest = changes.last else { break }
                    // Position first: a subscriber arriving in between then starts after this
                    // batch and skips it in its inbox, rather than starting before it and missing it.
                    last = newest.position
                    position.store(last, ordering: .releasing)
                    // Formatted once for everyone: each subscriber writes the same bytes.
                    broadcast([.changes(FeedBatch(changes))])
                    lastSent = ContinuousClock.now
                }
            } catch {
                logger.error("reading the change log failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200))
            }
            if ContinuousClock.now - lastBeat >= heartbeat {
                broadcast([.heartbeat])
                lastBeat = ContinuousClock.now
            }
        }
        subscribers.withLock { table in
            for subscriber in table.values { subscriber.inbox.close() }
            table.removeAll()
        }
    }

    /// With no subscriber, reading and formatting every change would be work for nobody (at
    /// thousands of alarms a second, a tenth of the server's CPU), and so would even asking
    /// where the log ends after every commit: the loop stops following (position -1) and the
    /// next subscriber finds the end. True when nobody listens.
    private func stopFollowingWhileNobodyListens() -> Bool {
        guard subscriberCount == 0 else { return false }
        // Under the lock `subscribe` takes: one that registered meanwhile keeps the loop following.
        return subscribers.withLock { table in
            guard table.isEmpty else { return false }
            position.store(-1, ordering: .releasing)
            return true
        }
    }

    /// How long after a broadcast the next one waits: nothing for a handful of consoles, 100 µs
    /// per subscriber beyond that, at most 20 ms (200 consoles: 50 writes per second each).
    static func gatherWindow(subscribers: Int) -> Duration {
        subscribers <= 10 ? .zero : .microseconds(min(20_000, subscribers * 100))
    }

    private func broadcast(_ items: [FeedItem]) {
        let overflowed = subscribers.withLock { table -> [Int] in
            table.compactMap { id, subscriber in subscriber.inbox.push(items) ? nil : id }
        }
        for id in overflowed {
            logger.notice("live feed subscriber fell behind and was cut off; it will replay on reconnect")
            unsubscribe(id)
        }
    }
}

/// What the feed sends a subscriber.
enum FeedItem: Sendable {
    case changes(FeedBatch)
    case heartbeat
}

/// Consecutive changes and their Server-Sent Events text, formatted once however many
/// subscribers write it (a `ByteBuffer` is shared, not copied, between connections).
struct FeedBatch: Sendable {
    let changes: [CallChange]
    let bytes: ByteBuffer
    var first: Int64 { changes.first?.position ?? 0 }
    var last: Int64 { changes.last?.position ?? 0 }

    init(_ changes: [CallChange]) {
        self.changes = changes
        self.bytes = SSEFormat.events(changes)
    }
}

/// One subscriber's queue: the feed pushes without waiting, the subscriber's connection takes
/// everything pending at once (so a busy feed becomes few large writes, not many small ones).
final class FeedInbox: Sendable {
    private struct State {
        var items: [FeedItem] = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }
    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Adds items; false when the inbox is over its limit (the subscriber is then cut off).
    func push(_ items: [FeedItem]) -> Bool {
        let (waiter, accepted) = state.withLock { s -> (CheckedContinuation<Void, Never>?, Bool) in
            guard !s.closed else { return (nil, true) }
            if s.items.count + items.count > limit { return (nil, false) }
            s.items.append(contentsOf: items)
            defer { s.waiter = nil }
            return (s.waiter, true)
        }
        waiter?.resume()
        return accepted
    }

    func close() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Everything pending, waiting for at least one item; nil once closed and drained.
    func next() async -> [FeedItem]? {
        while true {
            let taken = state.withLock { s -> [FeedItem]? in
                if !s.items.isEmpty { defer { s.items.removeAll(keepingCapacity: true) }; return s.items }
                return s.closed ? [] : nil
            }
            if let taken { return taken.isEmpty ? nil : taken }
            await withCheckedContinuation { continuation in
                let ready = state.withLock { s -> Bool in
                    if !s.items.isEmpty || s.closed { return true }
                    s.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }
}
