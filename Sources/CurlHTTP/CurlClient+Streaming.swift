import Foundation

extension CurlClient {
    /// Sends a request and returns as soon as the response headers are in; the body follows
    /// as a stream of chunks, each yielded the moment curl receives it.
    ///
    /// Meant for long-lived responses such as Server-Sent Events. Give such requests no total
    /// timeout, and an ``HTTPRequest/idleTimeout`` longer than the server's heartbeat:
    ///
    /// ```swift
    /// let response = try await client.stream(HTTPRequest(
    ///     url: "https://care.example/v1/console/stream",
    ///     headers: ["Accept": "text/event-stream"],
    ///     timeout: nil, idleTimeout: .seconds(45)))
    /// for try await case .event(let event) in response.body.serverSentEvents() {
    ///     print(event.id ?? "-", event.data)
    /// }
    /// ```
    ///
    /// Cancelling the task that iterates the body, or dropping the body without finishing it,
    /// aborts the transfer and closes its connection; the cancelled reader sees the body end
    /// or, if the abort gets there first, ``CurlHTTPError/cancelled``. Chunks are buffered without limit until
    /// read, so read promptly.
    ///
    /// - Throws: a ``CurlHTTPError`` if no response head arrives. Errors after the head end the
    ///   body stream instead.
    public func stream(_ request: HTTPRequest) async throws(CurlHTTPError) -> HTTPStreamingResponse {
        let (chunks, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let transfer = Transfer(request: request, streamingInto: continuation)
        continuation.onTermination = { [weak transfer, queue] termination in
            // `.finished` is the transfer ending by itself; `.cancelled` is the reader leaving.
            if case .cancelled = termination, let transfer { queue.cancel(transfer) }
        }
        let lifetime = StreamLifetime(client: self, transfer: transfer)
        let head = await withTaskCancellationHandler {
            await withCheckedContinuation { waiter in
                transfer.expectHead(waiter)
                if !queue.submit(transfer) {
                    transfer.complete(.failure(.clientShutDown))
                }
            }
        } onCancel: { [queue] in
            queue.cancel(transfer)
        }
        let responseHead = try head.get()
        return HTTPStreamingResponse(
            status: responseHead.status,
            headers: responseHead.headers,
            body: HTTPBodyStream(chunks: chunks, lifetime: lifetime)
        )
    }
}

/// Ties a streaming transfer to the values that can still read it: when the last body stream
/// and iterator are gone, nobody can read the rest, so the transfer is cancelled. It also keeps
/// the client (and its thread) alive while a body is being read.
final class StreamLifetime: Sendable {
    private let client: CurlClient
    private let transfer: Transfer

    init(client: CurlClient, transfer: Transfer) {
        self.client = client
        self.transfer = transfer
    }

    deinit {
        client.queue.cancel(transfer)
    }
}
