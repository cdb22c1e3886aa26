import Foundation

extension LoopbackHTTPServer {
    /// One request as the server read it off the socket.
    ///
    /// ```swift
    /// let seen = try #require(server.requests.first)
    /// #expect(seen.method == "POST" && seen.path == "/hook")
    /// #expect(seen.headers["content-type"] == "application/json")
    /// #expect(seen.text.contains("跌倒"))
    /// ```
    public struct Request: Sendable {
        /// `GET`, `POST`, … as sent.
        public var method: String
        /// The path, without the query.
        public var path: String
        /// The query as sent, without `?` and undecoded (`open=true&limit=500`); empty if none.
        public var query: String
        public var headers: Headers
        /// The body: `Content-Length` bytes of it, the only framing read (the clients under test
        /// send bodies of known length).
        public var body: Data

        /// The body as UTF-8 text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Header fields in the order they arrived, with repeats, looked up by name in any case.
    public struct Headers: Sendable, Sequence {
        public typealias Field = (name: String, value: String)

        /// Every field, in order, names as the client spelled them.
        public var fields: [Field]

        /// The value of the first field named `name`, compared case-insensitively.
        public subscript(name: String) -> String? {
            let wanted = name.lowercased()
            return fields.first { $0.name.utf8.count == wanted.utf8.count && $0.name.lowercased() == wanted }?.value
        }

        public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
    }
}
