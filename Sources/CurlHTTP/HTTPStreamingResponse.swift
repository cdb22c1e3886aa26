public import Foundation

/// A response whose body is still arriving; see ``CurlClient/stream(_:)``.
public struct HTTPStreamingResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The body, chunk by chunk. It ends when the server finishes the response and throws a
    /// ``CurlHTTPError`` if the transfer fails midway.
    public var body: HTTPBodyStream
}

/// The body of an ``HTTPStreamingResponse``: chunks in arrival order, split wherever the
/// network split them (so a chunk may end inside a line or a UTF-8 character).
///
/// ```swift
/// for try await chunk in response.body { parser.feed(chunk) }
/// ```
public struct HTTPBodyStream: AsyncSequence, Sendable {
    public typealias Element = Data

    let chunks: AsyncThrowingStream<Data, any Error>
    let lifetime: StreamLifetime

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: chunks.makeAsyncIterator(), lifetime: lifetime)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<Data, any Error>.AsyncIterator
        // Held so the transfer lives as long as someone can still read it.
        let lifetime: StreamLifetime

        public mutating func next() async throws -> Data? {
            try await base.next()
        }
    }

    /// Reads the rest of the body into one `Data`, failing beyond `limit` bytes.
    ///
    /// - Throws: ``CurlHTTPError/responseTooLarge(limit:)``, or whatever ends the stream.
    public func collect(upTo limit: Int) async throws -> Data {
        var data = Data()
        for try await chunk in self {
            guard data.count + chunk.count <= limit else { throw CurlHTTPError.responseTooLarge(limit: limit) }
            data.append(chunk)
        }
        return data
    }
}
