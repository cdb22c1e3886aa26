import Foundation

/// One page of a listing, with the cursor to ask for the next.
///
/// Listings are ordered by a key that only grows (row ids), and a cursor names the last key
/// seen, so rows inserted between two requests are never repeated and never skipped.
public struct Page<Item: Sendable & Codable>: Sendable, Codable {
    public var items: [Item]
    /// Pass as `?cursor=` to get the next page; absent on the last page.
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// An opaque, URL-safe token holding the last key of a page.
public enum Cursor {
    public static func encode(_ key: String) -> String {
        Data(("k:" + key).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func encode(_ key: Int64) -> String { encode(String(key)) }

    /// Returns nil for a cursor this server did not make.
    public static func decode(_ cursor: String) -> String? {
        var b64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("k:")
        else { return nil }
        return String(text.dropFirst(2))
    }

    public static func decodeInt(_ cursor: String) -> Int64? { decode(cursor).flatMap { Int64($0) } }
}

/// Where a listing starts and how long it is.
public struct PageRequest: Sendable, Hashable {
    /// The last key of the previous page, already decoded.
    public var after: String?
    public var limit: Int

    public init(after: String? = nil, limit: Int = 50) {
        self.after = after
        self.limit = limit
    }
}

/// The clock, injected so tests control time.
public struct CareClock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    public static let system = CareClock { Date() }
}
