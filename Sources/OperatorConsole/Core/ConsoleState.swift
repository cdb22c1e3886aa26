import CareModel
import Foundation

/// Which screen fills the terminal.
public enum ConsoleScreen: Hashable, Sendable {
    /// The open calls, most urgent first.
    case queue
    /// One call: profile, health, contacts, responders, timeline; the actions work here.
    case call(Int64)
    /// The floor at a glance (`s`).
    case supervisor
    /// Every key (`?`).
    case help
}

/// A short message on the status line, gone after a few seconds.
public struct Flash: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case info, error }
    public var text: String
    public var kind: Kind
    public var until: Date

    public init(text: String, kind: Kind, until: Date) { self.text = text; self.kind = kind; self.until = until }
}

/// Everything the console shows, and nothing about terminals or sockets: events change it
/// through ``apply(_:)`` (or ``reduce(_:_:)``), and ``render(_:width:height:color:)`` draws it.
///
/// ```swift
/// var state = ConsoleState(now: Date(), timeZone: TimeZone(identifier: "Asia/Shanghai")!)
/// state.apply(.signedIn(me))
/// state.apply(.snapshot(calls))
/// let effects = state.apply(.key(.char("c")))   // [.perform(claim of the top call), .loadDetail(id)]
/// ```
public struct ConsoleState: Sendable {
    public var me: ConsoleOperator?
    public var queue = CallQueue()
    /// Whether a listing has arrived: until then an empty queue means "not known yet", not "no calls".
    public var queueLoaded = false
    public var screen: ConsoleScreen = .queue
    /// Where `?` returns to.
    public var helpReturn: ConsoleScreen = .queue
    public var prompt: ConsolePrompt?

    /// The selected row of the queue (an index into ``CallQueue/visible``).
    public var selection = 0
    /// The selected call: the selection follows it when the queue reorders.
    public var selectedID: Int64?
    /// The first queue row on screen.
    public var queueTop = 0

    /// The call on the call screen, once loaded.
    public var detail: CallDetail?
    public var detailLoading = false
    public var detailError: String?
    /// The first line of the call screen's content on screen.
    public var detailScroll = 0

    public var overview: CallOverview?
    public var overviewAt: Date?
    public var overviewError: String?
    public var overviewLoading = false

    public var connection: ConnectionState = .connecting
    /// When the feed was last lost, while it is down.
    public var offlineSince: Date?
    /// The last change-log position the feed delivered.
    public var lastEventID: String?

    public var flash: Flash?
    /// Actions sent and not answered yet: the status line says "working…".
    public var pending: [ActionRequest] = []
    /// Unclaimed P1 calls the bell has rung for.
    public var belled: Set<Int64> = []

    public var now: Date
    public var timeZone: TimeZone
    public var width = 80
    public var height = 24

    public init(now: Date, timeZone: TimeZone = .current) {
        self.now = now
        self.timeZone = timeZone
    }

    /// The selected call of the queue, if any.
    public var selectedCall: CallSummary? {
        guard selection >= 0, selection < queue.visible.count else { return nil }
        return queue[visible: selection]
    }

    /// Calls held by this operator, for the quit question.
    public var heldByMe: Int {
        guard let id = me?.accountId else { return 0 }
        return queue.calls.values.reduce(0) { $0 + ($1.claimedBy?.accountId == id ? 1 : 0) }
    }
}

/// The pure form of ``ConsoleState/apply(_:)``: the new state and what the driver should do.
///
/// The driver uses the mutating form, so a 10,000-call queue is never copied per event.
public func reduce(_ state: ConsoleState, _ event: ConsoleEvent) -> (ConsoleState, [ConsoleEffect]) {
    var next = state
    let effects = next.apply(event)
    return (next, effects)
}
