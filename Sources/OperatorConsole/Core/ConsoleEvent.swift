import CareModel
import Foundation

/// Something that happened, for the reducer: a key, a second passing, or news from the server.
/// The driver produces them; ``ConsoleState/apply(_:)`` consumes them.
public enum ConsoleEvent: Sendable {
    case key(ConsoleKey)
    /// The clock moved on (once a second): ages tick, messages expire.
    case tick(Date)
    case resized(width: Int, height: Int)
    /// `GET /v1/me` answered: who is at this console.
    case signedIn(ConsoleOperator)
    /// A complete listing of open calls (`GET /v1/calls?open=true`), taken on a fresh feed.
    case snapshot([CallSummary])
    /// One `event: call` of the live feed, with its `id:` (the change-log position).
    case callChanged(CallSummary, eventID: String?)
    case detailLoaded(CallDetail)
    case detailFailed(callId: Int64, message: String)
    case overviewLoaded(CallOverview)
    case overviewFailed(String)
    case actionSucceeded(ActionRequest, CallDetail)
    case actionFailed(ActionRequest, ActionFailure)
    case connection(ConnectionState)
}

/// What the reducer asks the driver to do. Nothing here blocks the screen: the driver runs
/// each as a task and reports back with an event.
public enum ConsoleEffect: Hashable, Sendable {
    /// `GET /v1/calls/{id}`, answered with ``ConsoleEvent/detailLoaded(_:)``.
    case loadDetail(Int64)
    /// `POST /v1/calls/{id}/…`, answered with ``ConsoleEvent/actionSucceeded(_:_:)`` or ``ConsoleEvent/actionFailed(_:_:)``.
    case perform(ActionRequest)
    /// `GET /v1/calls/overview`.
    case loadOverview
    /// Reconnect the live feed now instead of waiting out the backoff.
    case reconnect
    /// Ring the terminal bell (a new P1).
    case bell
    /// Repaint every line (Ctrl-L, after the terminal was disturbed).
    case redrawAll
    case quit
}

/// Why an action did not happen, as the server (or the network) said it.
public struct ActionFailure: Hashable, Sendable, Error {
    /// The HTTP status; nil when no answer came.
    public var status: Int?
    /// A sentence for the operator: the problem document's `detail`, or what went wrong.
    public var message: String

    public init(status: Int?, message: String) { self.status = status; self.message = message }

    /// Someone else changed the call first, or the move is not allowed in its state (409), or
    /// the call is another operator's (403): the screen refreshes the call.
    public var callChangedMeanwhile: Bool { status == 409 || status == 403 || status == 412 }
}

/// The state of the live feed, shown at the top right.
public enum ConnectionState: Hashable, Sendable {
    case connecting
    case live
    /// The feed dropped; the next attempt is at `retryAt`.
    case retrying(at: Date, reason: String)
    /// The server will not take this token any more; the feed does not retry.
    case stopped(reason: String)

    public var isLive: Bool { self == .live }
}

/// Who is signed in at this console (`GET /v1/me`).
///
/// ```json
/// {"accountId":17,"name":"王芳","role":"operator","permissions":["read_calls","…"]}
/// ```
public struct ConsoleOperator: Codable, Hashable, Sendable {
    public var accountId: Int64?
    public var name: String
    public var role: Role

    public init(accountId: Int64?, name: String, role: Role) {
        self.accountId = accountId; self.name = name; self.role = role
    }

    public var isSupervisor: Bool { role == .supervisor || role == .admin }
}
