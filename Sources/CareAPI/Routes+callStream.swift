import CareModel
import CareStore
import Emergency
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

extension APIEnvironment {
    /// `GET /v1/calls/stream`: Server-Sent Events, one per change to any call.
    ///
    /// ```
    /// id: 48121
    /// event: call
    /// data: {"id":4812,"elderName":"黄秀英",…,"status":"claimed","version":2}
    /// ```
    ///
    /// A client that reconnects with `Last-Event-ID` first gets everything after that id, read
    /// from the change log, then live events; the subscription starts before the replay, so
    /// nothing falls between the two. Without the header it starts live.
    func streamResponse(_ request: Request, _ context: CareRequestContext, feed: CallFeed) async throws -> Response {
        var resumeFrom: Int64?
        if let text = request.headers[.lastEventID] {
            guard let position = Int64(text.trimmingCharacters(in: .whitespaces)), position >= 0 else {
                throw APIError.malformed(field: "Last-Event-ID", detail: "Last-Event-ID must be the id of an event this stream sent")
            }
            resumeFrom = position
        }
        let subscription = try await feed.subscribe(name: context.principal?.name ?? "?")
        let database = self.database
        let replayFrom = resumeFrom
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        // Tell nginx-style proxies not to buffer the stream.
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { feed.unsubscribe(subscription.id) }
            // The retry hint first, so a browser-style client waits a moment before reconnecting.
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            var sent = replayFrom ?? subscription.position
            if replayFrom != nil {
                while true {
                    let changes = try await calls.callChanges(after: sent, limit: 2000)
                    guard let last = changes.last else { break }
                    try await writer.write(SSEFormat.events(changes))
                    sent = last.position
                }
            }
            // On SIGTERM the server waits for requests in flight; a feed never ends by itself,
            // so shutting down closes it (clients reconnect to the next server with Last-Event-ID).
            try await withGracefulShutdownHandler {
                try await Self.forward(subscription.inbox, to: &writer, after: sent)
            } onGracefulShutdown: {
                subscription.inbox.close()
            }
            try await writer.finish(nil)
        })
    }

    /// Writes live items to the client until the inbox closes, skipping changes the replay sent.
    private static func forward(_ inbox: FeedInbox, to writer: inout any ResponseBodyWriter, after position: Int64) async throws {
        var sent = position
        while let items = await inbox.next() {
            var out: [ByteBuffer] = []
            var beat = false
            for item in items {
                switch item {
                case .changes(let batch) where batch.first > sent:
                    out.append(batch.bytes)
                    sent = batch.last
                case .changes(let batch) where batch.last > sent:
                    // Only right after a replay: part of the batch was already sent.
                    let fresh = batch.changes.filter { $0.position > sent }
                    out.append(SSEFormat.events(fresh))
                    sent = batch.last
                case .changes: continue
                case .heartbeat: beat = true
                }
            }
            if !out.isEmpty {
                try await writer.write(contentsOf: out)
            } else if beat {
                try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
            }
        }
    }
}

/// The text of Server-Sent Events. The payloads are compact JSON (no newlines), so each is one
/// `data:` line.
enum SSEFormat {
    static func events(_ changes: [CallChange]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(changes.reduce(0) { $0 + $1.payload.utf8.count + 40 })
        for change in changes {
            buffer.writeString("id: ")
            buffer.writeString(String(change.position))
            buffer.writeString("\nevent: call\ndata: ")
            buffer.writeString(change.payload)
            buffer.writeString("\n\n")
        }
        return buffer
    }
}
