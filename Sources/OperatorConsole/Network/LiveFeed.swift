import CareModel
import Foundation
import Synchronization

/// Keeps the console's queue live: connects to `GET /v1/calls/stream`, reconnects by itself
/// with backoff, and resumes with `Last-Event-ID` so nothing that happened while it was away is
/// missed.
///
/// A first connection (no position yet) lists the open calls after the stream has answered and
/// before reading it: anything that changes while the listing is on its way is already waiting
/// in the stream, and the queue's version check drops whatever the listing already had.
///
/// ```swift
/// let feed = LiveFeed(api: api)
/// let task = Task { await feed.run { event in events.yield(event) } }
/// feed.reconnectNow()   // the operator pressed R: skip the rest of the backoff
/// task.cancel()
/// ```
public final class LiveFeed: Sendable {
    private let api: ConsoleAPI
    private let nudged = Atomic<Bool>(false)
    private let clock: @Sendable () -> Date

    public init(api: ConsoleAPI, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.api = api
        self.clock = clock
    }

    /// Ends the current wait between attempts.
    public func reconnectNow() { nudged.store(true, ordering: .relaxed) }

    /// Runs until the task is cancelled or the server refuses the token, reporting every change
    /// of the connection and every call through `send`.
    public func run(from start: FeedBookkeeping = FeedBookkeeping(), _ send: @escaping @Sendable (ConsoleEvent) -> Void) async {
        var book = start
        while !Task.isCancelled {
            nudged.store(false, ordering: .relaxed)
            send(.connection(.connecting))
            do {
                try await session(&book, send)
                throw ConsoleAPIError.unreachable(server: api.server, detail: "the server ended the feed")
            } catch {
                if Task.isCancelled { return }
                let error = error as? ConsoleAPIError ?? .unreachable(server: api.server, detail: "\(error)")
                if case .tokenRefused = error {
                    send(.connection(.stopped(reason: error.description)))
                    return
                }
                let delay = book.failed()
                send(.connection(.retrying(at: clock().addingTimeInterval(delay.seconds), reason: Self.reason(error))))
                await wait(delay)
            }
        }
    }

    /// One connection, from the request to the end of the stream.
    private func session(_ book: inout FeedBookkeeping, _ send: @Sendable (ConsoleEvent) -> Void) async throws(ConsoleAPIError) {
        let connection: FeedConnection
        do {
            connection = try await api.feed(lastEventID: book.lastEventID)
        } catch {
            // A server that cannot resume from our position (its log was reset) says so with a
            // client error: start over from a listing rather than retry the same thing forever.
            if let status = error.status, (400..<500).contains(status), status != 401, status != 429 {
                book.forgetPosition()
            }
            throw error
        }
        if book.needsSnapshot {
            send(.snapshot(try await api.openCalls()))
            // Only a server that answered in full resets the backoff: one that accepts the feed and
            // then fails the listing must not be asked twenty pages every half second.
            book.heardFrom()
        }
        send(.connection(.live))
        do {
            for try await item in connection {
                switch item {
                case .call(let call, let id):
                    book.delivered(eventID: id)
                    send(.callChanged(call, eventID: id))
                case .skipped(let id):
                    book.delivered(eventID: id)
                case .heartbeat:
                    book.heardFrom()
                }
            }
        } catch let error as ConsoleAPIError {
            throw error
        } catch {
            throw .unreachable(server: api.server, detail: "\(error)")
        }
    }

    /// Sleeps `delay`, or less if ``reconnectNow()`` is called or the task is cancelled.
    private func wait(_ delay: Duration) async {
        let end = ContinuousClock.now + delay
        while ContinuousClock.now < end, !Task.isCancelled, !nudged.load(ordering: .relaxed) {
            try? await Task.sleep(for: min(.milliseconds(100), end - ContinuousClock.now))
        }
    }

    /// A short reason for the status line.
    static func reason(_ error: ConsoleAPIError) -> String {
        switch error {
        case .unreachable(_, let detail): detail
        case .answered(let status, let detail): "\(status): \(detail)"
        default: error.description
        }
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`, for dates.
    var seconds: TimeInterval {
        let (s, attoseconds) = components
        return TimeInterval(s) + TimeInterval(attoseconds) / 1e18
    }
}
