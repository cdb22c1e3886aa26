import CareModel
import CareStore
import Emergency
import Foundation
import HTTPTypes
import HealthArchive
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The operators' side of calls: the queue, a call's detail, actions, the live feed, the floor
/// overview and the service-level report.
struct CallController: Sendable {
    let env: APIEnvironment
    /// Emergency's store.
    let calls: CallStore
    /// The live feed behind `GET /v1/calls/stream`.
    let feed: CallFeed
    let clock: CareClock
    /// Where the call screen's health summary comes from.
    let archive: HealthArchive

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/v1/calls", .permission(.readCalls), list),
            APIRoute(.get, "/v1/calls/stream", .permission(.readCalls), stream),
            APIRoute(.get, "/v1/calls/overview", .permission(.readCalls), overview),
            APIRoute(.get, "/v1/calls/:id", .permission(.readCalls), get),
            action(.claim) { _ in .claim },
            action(.release) { .release(note: $0.note) },
            action(.note) { body in .note(try required(body.note, "note")) },
            action(.startCallback) { .startCallback(note: $0.note) },
            action(.dispatch) { body in .dispatch(try required(body.responders, "responders"), note: body.note) },
            action(.resolve) { body in .resolve(outcome: try required(body.outcome, "outcome"), note: body.note ?? "") },
            action(.recordFollowUp) { body in
                .recordFollowUp(note: try required(body.note, "note"), reachedElder: try required(body.reachedElder, "reachedElder"))
            },
            action(.close) { .close(note: $0.note) },
            action(.reopen) { body in .reopen(reason: try required(body.reason ?? body.note, "reason")) },
            APIRoute(.post, Self.path(of: .updateResponder) + "/:responderId", .permission(.handleCalls), updateResponder),
            APIRoute(.get, "/v1/reports/emergency", .permission(.readReports), report),
        ]
    }

    // MARK: Reading calls

    @Sendable func list(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let filter = CallFilter(
            openOnly: try env.queryBool(request, "open") ?? true,
            priority: try priority(request),
            status: try env.query(request, "status", as: CallStatus.self),
            code: try env.query(request, "code", as: AlarmCode.self),
            region: env.queryText(request, "region"),
            claimedBy: try operatorFilter(request, context))
        // Read before the list: a client that subscribes to the feed from this position
        // sees every change made after (and perhaps a few it already has; ids tell).
        let position = try await calls.database.latestChangePosition()
        let page = try await calls.callSummaries(filter, page: try env.pageRequest(request))
        var headers = HTTPFields()
        headers[.changePosition] = String(position)
        return try JSONCoding.response(page, headers: headers)
    }

    @Sendable func overview(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await calls.callOverview(now: clock.now(), operatorsOnline: feed.subscriberNames))
    }

    @Sendable func get(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        var detail = try await calls.callDetail(id: try env.id(context, "call"), for: try actor(context))
        // Breaking the glass: whoever handles an open call sees the elder's health summary, and
        // the audit log records the call as the reason. A closed call shows none.
        let caller = try context.caller
        if detail.call.status.isOpen, caller.allows(.handleCalls) {
            detail.health = try await archive.summary(elderId: detail.call.elderId, callId: detail.call.id, by: caller)
        }
        return try JSONCoding.response(detail, headers: .etag(detail.call.version))
    }

    @Sendable func report(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let to = try dateQuery(request, "to") ?? clock.now()
        let from = try dateQuery(request, "from") ?? to.addingTimeInterval(-30 * 86_400)
        guard from < to else { throw APIError.malformed(field: "from", detail: "from must be before to") }
        return try JSONCoding.response(try await calls.emergencyReport(from: from, to: to, region: env.queryText(request, "region")))
    }

    // MARK: Acting on calls

    /// `POST /v1/calls/{id}/<the kind's path segment>`: the body is a ``CallActionRequest``.
    private func action(
        _ kind: CallActionKind,
        _ make: @escaping @Sendable (CallActionRequest) throws -> CallAction
    ) -> APIRoute {
        APIRoute(.post, Self.path(of: kind), .permission(.handleCalls)) { request, context in
            try await perform(request, context, versioned: kind.isVersioned, make)
        }
    }

    /// `/v1/calls/:id/claim` and the like.
    private static func path(of kind: CallActionKind) -> String {
        // Only the platform's own actions lack a route, and none of them is listed here.
        guard let segment = kind.pathSegment else { preconditionFailure("\(kind) has no route") }
        return "/v1/calls/:id/" + segment
    }

    @Sendable func updateResponder(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let text = context.parameters.get("responderId") ?? ""
        guard let responder = Int(text) else { throw APIError.notFound("The call has no responder \(text).") }
        return try await perform(request, context, versioned: CallActionKind.updateResponder.isVersioned) { body in
            .updateResponder(responderId: responder, status: try required(body.status, "status"), note: body.note)
        }
    }

    private func perform(
        _ request: Request, _ context: CareRequestContext, versioned: Bool,
        _ make: (CallActionRequest) throws -> CallAction
    ) async throws -> Response {
        let callId = try env.id(context, "call")
        let body = try await env.decode(CallActionRequest.self, request)
        var v = Validator()
        if versioned, body.version == nil {
            v.add("version", "is required: send the version of the call you saw, so nobody's action is overwritten")
        }
        // A note or reason sent with any action holds to the document's one rule for them, even
        // where the action itself has no use for it.
        v.checkText(body.note, "note", required: false, maxLength: CallLifecycle.maxNoteLength)
        v.checkText(body.reason, "reason", required: false, maxLength: CallLifecycle.maxNoteLength)
        for (i, r) in (body.responders ?? []).enumerated() {
            v.checkText(r.name, "responders[\(i)].name", maxLength: 50)
            v.checkPhone(r.phone, "responders[\(i)].phone", required: false)
        }
        if !v.issues.isEmpty { throw APIError.invalid(ValidationFailure(v.issues)) }
        let detail = try await calls.act(
            on: callId, try make(body), expectedVersion: versioned ? body.version : nil,
            by: try actor(context))
        return try JSONCoding.response(detail, headers: .etag(detail.call.version))
    }

    // MARK: The live feed

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
    @Sendable func stream(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        var resumeFrom: Int64?
        if let text = request.headers[.lastEventID] {
            guard let position = Int64(text.trimmingCharacters(in: .whitespaces)), position >= 0 else {
                throw APIError.malformed(field: "Last-Event-ID", detail: "Last-Event-ID must be the id of an event this stream sent")
            }
            resumeFrom = position
        }
        let feed = self.feed, calls = self.calls
        let subscription = try await feed.subscribe(name: context.principal?.name ?? "?")
        let replayFrom = resumeFrom
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        // Tell nginx-style proxies not to buffer the stream.
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
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

    // MARK: Reading the request

    /// `?priority=P1`.
    private func priority(_ request: Request) throws -> Priority? {
        guard let text = env.queryValue(request, "priority") else { return nil }
        guard let p = Priority(label: text) else {
            throw APIError.malformed(field: "priority", detail: "priority must be one of: P1, P2, P3, P4")
        }
        return p
    }

    /// `?operator=me` or `?operator=<account id>`.
    private func operatorFilter(_ request: Request, _ context: CareRequestContext) throws -> Int64? {
        guard let text = env.queryValue(request, "operator") else { return nil }
        if text == "me" { return context.principal?.accountId ?? -1 }
        // Digits with an optional minus, as the document's pattern says; Int64 alone would take "+5".
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(text) else {
            throw APIError.malformed(field: "operator", detail: "operator must be me or an account id")
        }
        return id
    }

    private func dateQuery(_ request: Request, _ name: String) throws -> Date? {
        guard let text = env.queryText(request, name) else { return nil }
        if let date = Timestamp.parse(text) { return date }
        // A bare date is local midnight, the care centre's day.
        if let day = CalendarDate(iso: text) { return LocalTime.midnight(day) }
        throw APIError.malformed(field: name, detail: "\(name) must be a date (2026-11-01) or an ISO-8601 time (2026-11-01T00:00:00+08:00)")
    }

    private func actor(_ context: CareRequestContext) throws -> CallActor {
        guard let principal = context.principal else { throw APIError.unauthenticated }
        return CallActor(principal)
    }
}

private func required<T>(_ value: T?, _ field: String) throws -> T {
    guard let value else { throw APIError.invalid(ValidationFailure(field: field, reason: "is required for this action")) }
    return value
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

extension HTTPField.Name {
    /// The change-log position a queue listing was read at: subscribe to the feed from it.
    static let changePosition = Self("X-Change-Position")!
    static let lastEventID = Self("Last-Event-ID")!
}
