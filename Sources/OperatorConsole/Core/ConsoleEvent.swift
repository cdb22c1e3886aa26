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
    /// The home service booked for a green-key call, as the status line words it.
    case serviceBooked(callId: Int64, summary: String)
    case serviceBookingFailed(callId: Int64, message: String)
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
    /// Books a home service answering a green-key call's request.
    case book(HomeServiceBooking)
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

/// A home service an operator books from a green-key call: the request the press put on the
/// worklist is found by its call, and the booking answers it.
///
/// ```swift
/// HomeServiceBooking(parsing: "cleaning 2026-12-09 09:00", callId: 4812, elderId: 1024, timeZone: shanghai)
/// ```
public struct HomeServiceBooking: Hashable, Sendable {
    public var callId: Int64
    public var elderId: Int64
    public var service: String
    public var start: Date

    public init(callId: Int64, elderId: Int64, service: String, start: Date) {
        self.callId = callId; self.elderId = elderId; self.service = service; self.start = start
    }

    /// `service YYYY-MM-DD HH:MM`, the time on the console's clock; nil when it is not that.
    public init?(parsing text: String, callId: Int64, elderId: Int64, timeZone: TimeZone) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, let day = CalendarDate(iso: parts[1]), let minutes = LocalTime.minutes(ofClockTime: parts[2]) else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard
            let midnight = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
        else { return nil }
        self.init(callId: callId, elderId: elderId, service: parts[0], start: midnight.addingTimeInterval(Double(minutes * 60)))
    }
}
