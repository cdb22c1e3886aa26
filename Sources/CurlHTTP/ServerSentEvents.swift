/// Server-Sent Events read from an asynchronous sequence of byte chunks, such as the body of
/// an ``HTTPStreamingResponse``.
///
/// Each element is an event or a comment (heartbeat), in stream order. The sequence ends when
/// the body ends; an event not yet closed by a blank line is discarded, as the spec says.
///
/// ```swift
/// let response = try await client.stream(request)
/// for try await output in response.body.serverSentEvents() {
///     switch output {
///     case .event(let event): handle(event)
///     case .comment: lastHeartbeat = .now
///     }
/// }
/// ```
public struct ServerSentEvents<Base: AsyncSequence>: AsyncSequence where Base.Element: Sequence<UInt8> {
    public typealias Element = ServerSentEventParser.Output

    private let base: Base
    private let lastEventID: String?

    /// - Parameter lastEventID: the ID the previous connection ended with, if resuming.
    public init(_ base: Base, lastEventID: String? = nil) {
        self.base = base
        self.lastEventID = lastEventID
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), parser: ServerSentEventParser(lastEventID: lastEventID))
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var parser: ServerSentEventParser
        /// Outputs of the last chunk not yet returned, reversed so `popLast` takes the next one.
        var pending: [ServerSentEventParser.Output] = []

        public mutating func next() async throws -> ServerSentEventParser.Output? {
            while pending.isEmpty {
                guard let chunk = try await base.next() else { return nil }
                pending = parser.feed(chunk).reversed()
            }
            return pending.popLast()
        }
    }
}

extension ServerSentEvents: Sendable where Base: Sendable {}

extension HTTPBodyStream {
    /// This body parsed as a `text/event-stream`.
    ///
    /// - Parameter lastEventID: the ID the previous connection ended with, if resuming.
    public func serverSentEvents(lastEventID: String? = nil) -> ServerSentEvents<HTTPBodyStream> {
        ServerSentEvents(self, lastEventID: lastEventID)
    }
}
