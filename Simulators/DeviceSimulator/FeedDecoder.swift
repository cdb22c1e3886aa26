#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// One `event: call` of `GET /v1/calls/stream`, reduced to what the measurements need.
struct FeedEvent: Sendable {
    /// The event's `id:` (the change-log position); -1 when the stream never gave one.
    var position: Int64
    /// The call's `id` and `version` from the data line; -1 when the line could not be read
    /// (the decoder then keeps a sample of it, see `FeedDecoder.malformedSample`).
    var callId: Int64
    var version: Int
}

/// Why a stream could not be decoded: the connection is useless after this and is closed.
struct FeedDecodeError: Error, CustomStringConvertible {
    var description: String
}

/// Turns the body of `GET /v1/calls/stream` into events as bytes arrive, without Foundation
/// and without building a String per event: the simulator shares the machine with the server
/// it measures, and a subscriber may read tens of thousands of events a second.
///
/// Two layers, each a small state machine fed whatever `recv` returned:
/// - HTTP/1.1 framing: `Transfer-Encoding: chunked` (hex size lines between chunks; the server
///   uses it because a stream has no length) or plain bytes to the end of the connection;
/// - the event stream (WHATWG rules): lines end in `\n`, `\r\n` or `\r`; `id:`, `event:`,
///   `data:`, `retry:` fields; `:` comments (the server's heartbeats); a blank line ends an event.
///
/// Of the data line only the call's `id` and `version` are read. The server writes the
/// `CallSummary` object with `"id"` as its first key (`{"id":4812,"elderId":…`), so the id is
/// read only there — the object also holds `elderId`, `deviceId` and `claimedBy.accountId` — and
/// `version` is its last key, so it is found by searching backwards. A quote inside a JSON string
/// is escaped (`\"`), so `"version":` cannot appear inside a value.
struct FeedDecoder {
    /// Counts of what went by besides events, for the reports.
    private(set) var heartbeats = 0
    private(set) var retryHint: Int?
    private(set) var malformed = 0
    private(set) var malformedSample: String?
    /// True once a chunked body has ended (its zero-size chunk): the server closed the stream.
    private(set) var ended = false

    private let chunked: Bool
    private var chunk = ChunkState.size(0, digits: 0)

    private var line: [UInt8] = []
    private var lastWasCR = false
    private var lastId: Int64 = -1
    private var eventType: EventType = .message
    private var data: DataState = .none

    private enum ChunkState {
        /// Reading the hex size; `digits` read so far.
        case size(Int, digits: Int)
        /// After the size: an extension (`;name=value`) or the CR, up to the LF.
        case sizeLineEnd(Int)
        case data(remaining: Int)
        /// The CRLF after a chunk's data.
        case dataCR, dataLF
        /// After the last chunk: trailer lines up to an empty one; `empty` while the current line is.
        case trailers(empty: Bool)
        case done
    }

    private enum EventType { case call, message, other }
    private enum DataState { case none, parsed(callId: Int64, version: Int), unreadable }

    init(chunked: Bool) {
        self.chunked = chunked
        line.reserveCapacity(1024)
    }

    /// Decodes the next bytes of the body, appending completed events to `events`.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, into events: inout [FeedEvent]) throws(FeedDecodeError) {
        guard chunked else { lines(bytes, into: &events); return }
        var i = 0
        let n = bytes.count
        while i < n {
            switch chunk {
            case .size(let size, let digits):
                let b = bytes[i]
                i += 1
                if let v = Self.hexValue(b) {
                    guard digits < 15 else { throw FeedDecodeError(description: "a chunk size line is too long") }
                    chunk = .size(size * 16 + v, digits: digits + 1)
                } else if digits > 0, b == 13 || b == UInt8(ascii: ";") || b == 32 || b == 9 {
                    chunk = .sizeLineEnd(size)
                } else if digits > 0, b == 10 {
                    chunk = size == 0 ? .trailers(empty: true) : .data(remaining: size)
                } else {
                    throw FeedDecodeError(description: "expected a hex chunk size, got byte \(b)")
                }
            case .sizeLineEnd(let size):
                let b = bytes[i]
                i += 1
                if b == 10 { chunk = size == 0 ? .trailers(empty: true) : .data(remaining: size) }
            case .data(let remaining):
                let take = min(remaining, n - i)
                lines(UnsafeBufferPointer(rebasing: bytes[i..<(i + take)]), into: &events)
                i += take
                chunk = take == remaining ? .dataCR : .data(remaining: remaining - take)
            case .dataCR:
                let b = bytes[i]
                i += 1
                if b == 13 {
                    chunk = .dataLF
                } else if b == 10 {
                    chunk = .size(0, digits: 0)
                } else {
                    throw FeedDecodeError(description: "a chunk did not end with CRLF (byte \(b)): the chunk sizes do not match the data")
                }
            case .dataLF:
                let b = bytes[i]
                i += 1
                guard b == 10 else { throw FeedDecodeError(description: "a chunk did not end with CRLF (byte \(b))") }
                chunk = .size(0, digits: 0)
            case .trailers(let empty):
                let b = bytes[i]
                i += 1
                if b == 10 {
                    if empty { chunk = .done; ended = true } else { chunk = .trailers(empty: true) }
                } else if b != 13 {
                    chunk = .trailers(empty: false)
                }
            case .done:
                return  // nothing may follow the last chunk of a response that never ends otherwise
            }
        }
    }

    // MARK: - Event stream

    /// Splits into lines; a line wholly inside `bytes` is handled in place, only a line split
    /// across reads is copied.
    private mutating func lines(_ bytes: UnsafeBufferPointer<UInt8>, into events: inout [FeedEvent]) {
        var start = 0
        var i = 0
        let n = bytes.count
        if lastWasCR, n > 0 {
            lastWasCR = false
            if bytes[0] == 10 { start = 1; i = 1 }  // the LF of a CRLF split across reads
        }
        while i < n, let end = Self.lineEnd(bytes, from: i) {
            i = end
            let b = bytes[i]
            if line.isEmpty {
                handle(UnsafeBufferPointer(rebasing: bytes[start..<i]), into: &events)
            } else {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                line.withUnsafeBufferPointer { handle($0, into: &events) }
                line.removeAll(keepingCapacity: true)
            }
            if b == 13 {
                if i + 1 < n { if bytes[i + 1] == 10 { i += 1 } } else { lastWasCR = true }
            }
            i += 1
            start = i
        }
        if start < n { line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<n])) }
    }

    /// Where the first line terminator (LF or CR) at or after `from` is, or nil. `memchr` looks
    /// at many bytes per step: with 200 subscribers the simulator scans some 200 MB of events a
    /// second, and a byte-at-a-time loop here was a tenth of the machine's CPU.
    private static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let start = UnsafeRawPointer(bytes.baseAddress! + from)
        let count = bytes.count - from
        let lf = memchr(start, 10, count).map { start.distance(to: $0) }
        // A CR ends a line too (rare: the server writes LF), but only one before the LF matters.
        if let cr = memchr(start, 13, lf ?? count) { return from + start.distance(to: cr) }
        return lf.map { from + $0 }
    }

    /// One complete line, without its terminator.
    private mutating func handle(_ l: UnsafeBufferPointer<UInt8>, into events: inout [FeedEvent]) {
        if l.isEmpty {
            // A blank line dispatches the event, if it had data (the `retry:` block has none).
            switch data {
            case .none: break
            case .parsed(let callId, let version):
                if eventType == .call { events.append(FeedEvent(position: lastId, callId: callId, version: version)) }
            case .unreadable:
                if eventType == .call { events.append(FeedEvent(position: lastId, callId: -1, version: -1)) }
            }
            data = .none
            eventType = .message
            return
        }
        if l[0] == UInt8(ascii: ":") { heartbeats += 1; return }
        var colon = 0
        while colon < l.count, l[colon] != UInt8(ascii: ":") { colon += 1 }
        var valueStart = min(colon + 1, l.count)
        if valueStart < l.count, l[valueStart] == 32 { valueStart += 1 }
        let name = UnsafeBufferPointer(rebasing: l[0..<colon])
        let value = UnsafeBufferPointer(rebasing: l[valueStart..<l.count])
        if Self.equals(name, "data") {
            if case .none = data, let parsed = Self.callAndVersion(value) {
                data = .parsed(callId: parsed.0, version: parsed.1)
            } else {
                // Unreadable, or a second data line (the server's JSON is one line).
                data = .unreadable
                malformed += 1
                if malformedSample == nil { malformedSample = String(decoding: value.prefix(200), as: UTF8.self) }
            }
        } else if Self.equals(name, "id") {
            // The spec keeps the last id when a new one is not a number; so do we (-1 if none yet).
            if let id = Self.decimal(value, 0, value.count) { lastId = Int64(id) }
        } else if Self.equals(name, "event") {
            eventType = Self.equals(value, "call") ? .call : .other
        } else if Self.equals(name, "retry") {
            retryHint = Self.decimal(value, 0, value.count)
        }
    }

    /// `{"id":4812,…,"version":2}` → (4812, 2).
    private static func callAndVersion(_ v: UnsafeBufferPointer<UInt8>) -> (Int64, Int)? {
        let prefix: StaticString = "{\"id\":"
        let p = prefix.utf8CodeUnitCount
        guard v.count > p else { return nil }
        for k in 0..<p where v[k] != prefix.utf8Start[k] { return nil }
        var end = p
        while end < v.count, v[end] >= 48, v[end] <= 57 { end += 1 }
        guard let callId = decimal(v, p, end) else { return nil }
        let key: StaticString = "\"version\":"
        let m = key.utf8CodeUnitCount
        var i = v.count - m
        while i > end {
            var same = true
            for k in 0..<m where v[i + k] != key.utf8Start[k] { same = false; break }
            if same {
                var stop = i + m
                while stop < v.count, v[stop] >= 48, v[stop] <= 57 { stop += 1 }
                guard let version = decimal(v, i + m, stop) else { return nil }
                return (Int64(callId), version)
            }
            i -= 1
        }
        return nil
    }

    /// The decimal digits at `from..<to` (all of them digits), or nil.
    private static func decimal(_ v: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        guard to > from, to - from <= 18 else { return nil }
        var value = 0
        for i in from..<to {
            guard v[i] >= 48, v[i] <= 57 else { return nil }
            value = value * 10 + Int(v[i] - 48)
        }
        return value
    }

    private static func equals(_ v: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard v.count == word.utf8CodeUnitCount else { return false }
        for k in 0..<v.count where v[k] != word.utf8Start[k] { return false }
        return true
    }

    private static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 48...57: Int(b - 48)
        case 97...102: Int(b - 87)
        case 65...70: Int(b - 55)
        default: nil
        }
    }
}
