/// An incremental `text/event-stream` parser: feed it bytes as they arrive, get events back.
///
/// It follows the WHATWG event-stream interpretation rules: lines end in `\n`, `\r\n` or `\r`;
/// a blank line dispatches the event; `data` lines are joined with `\n`; `id` and `retry`
/// persist; unknown fields are ignored; a leading byte-order mark is dropped. Chunks may be
/// split anywhere, including between `\r` and `\n` and inside a multi-byte UTF-8 character,
/// because bytes are only decoded once a whole line is in.
///
/// Comment lines (starting with `:`) carry no event but are returned as ``Output/comment(_:)``,
/// since servers send them as heartbeats and a client may want to know the feed is alive.
///
/// ```swift
/// var parser = ServerSentEventParser()
/// parser.feed(Array("data: hel".utf8))             // []
/// parser.feed(Array("lo\n\n: ping\n".utf8))        // [.event(data: "hello"), .comment("ping")]
/// ```
public struct ServerSentEventParser: Sendable {
    public enum Output: Sendable, Equatable {
        case event(ServerSentEvent)
        /// A comment line's text, after the colon and one optional space.
        case comment(String)
    }

    /// The ID to send as `Last-Event-ID` when reconnecting: that of the last completed event
    /// block (an `id:` line takes effect when its block ends, as in a browser).
    public private(set) var lastEventID: String?
    /// The reconnection delay the server last asked for.
    public private(set) var reconnectionTime: Duration?

    private var line: [UInt8] = []
    /// The last byte was `\r`, so a `\n` right after it belongs to the same line ending.
    private var afterCarriageReturn = false
    private var atStreamStart = true
    private var data: [UInt8] = []
    private var eventType: [UInt8] = []
    /// The spec's "last event ID buffer": set by `id:`, committed to ``lastEventID`` on dispatch.
    private var idBuffer: String?

    /// - Parameter lastEventID: the ID a previous connection ended with, so that events of a
    ///   resumed stream carry it until the server sends a new one.
    public init(lastEventID: String? = nil) {
        self.lastEventID = lastEventID
        self.idBuffer = lastEventID
    }

    /// Parses the next chunk of the stream and returns what it completed, in order.
    public mutating func feed(_ chunk: some Sequence<UInt8>) -> [Output] {
        var output: [Output] = []
        for byte in chunk {
            if afterCarriageReturn {
                afterCarriageReturn = false
                if byte == .lineFeed { continue }
            }
            switch byte {
            case .lineFeed:
                endLine(into: &output)
            case .carriageReturn:
                afterCarriageReturn = true
                endLine(into: &output)
            default:
                line.append(byte)
            }
        }
        return output
    }

    private mutating func endLine(into output: inout [Output]) {
        defer { line.removeAll(keepingCapacity: true) }
        if atStreamStart {
            atStreamStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        guard let first = line.first else {
            if let event = dispatch() { output.append(.event(event)) }
            return
        }
        if first == .colon {
            output.append(.comment(Self.text(line.dropFirst().droppingOneLeadingSpace())))
            return
        }
        let colon = line.firstIndex(of: .colon) ?? line.endIndex
        let value = colon == line.endIndex ? [] : line[(colon + 1)...].droppingOneLeadingSpace()
        process(field: line[..<colon], value: value)
    }

    private mutating func process(field: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        switch Self.text(field) {
        case "event":
            eventType = Array(value)
        case "data":
            data.append(contentsOf: value)
            data.append(.lineFeed)
        case "id":
            // The spec ignores IDs containing NUL, so they cannot corrupt Last-Event-ID.
            guard !value.contains(0) else { return }
            idBuffer = value.isEmpty ? nil : Self.text(value)
        case "retry":
            guard !value.isEmpty, value.allSatisfy({ (0x30...0x39).contains($0) }),
                let milliseconds = Int64(Self.text(value))
            else { return }
            reconnectionTime = .milliseconds(milliseconds)
        default:
            break
        }
    }

    /// Ends the current event. Blocks without data produce nothing, but still commit their ID.
    private mutating func dispatch() -> ServerSentEvent? {
        lastEventID = idBuffer
        defer {
            data.removeAll(keepingCapacity: true)
            eventType.removeAll(keepingCapacity: true)
        }
        guard !data.isEmpty else { return nil }
        data.removeLast()  // The line feed after the last data line.
        return ServerSentEvent(
            id: lastEventID,
            event: eventType.isEmpty ? "message" : Self.text(eventType[...]),
            data: Self.text(data[...]),
            retry: reconnectionTime
        )
    }

    /// Invalid UTF-8 becomes U+FFFD, as the spec's UTF-8 decode does.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

private extension UInt8 {
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let colon = UInt8(ascii: ":")
    static let space = UInt8(ascii: " ")
}

private extension ArraySlice<UInt8> {
    func droppingOneLeadingSpace() -> ArraySlice<UInt8> {
        first == .space ? dropFirst() : self
    }
}
