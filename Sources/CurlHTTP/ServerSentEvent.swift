/// One event from a `text/event-stream`, as the WHATWG HTML spec ("Server-sent events") defines it.
///
/// ```
/// id: 42            →  ServerSentEvent(id: "42", event: "alert", data: "{\"p\":1}\nsecond line")
/// event: alert
/// data: {"p":1}
/// data: second line
///
/// ```
public struct ServerSentEvent: Sendable, Equatable {
    /// The last event ID in effect when this event was dispatched. Like a browser's
    /// `lastEventId`, it persists across events until an `id:` line changes it, so it is what
    /// to send as `Last-Event-ID` when reconnecting. `nil` if no `id` was ever set (or it was
    /// cleared with an empty `id:` line).
    public var id: String?
    /// The event type; `"message"` when the server sent no `event:` line.
    public var event: String
    /// The `data:` lines of the event, joined with `\n`.
    public var data: String
    /// The reconnection delay the server last asked for with `retry:`, if it ever did; it also
    /// persists across events.
    public var retry: Duration?

    public init(id: String? = nil, event: String = "message", data: String, retry: Duration? = nil) {
        self.id = id
        self.event = event
        self.data = data
        self.retry = retry
    }
}
