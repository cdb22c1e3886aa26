import CareModel
import CareStore
import Emergency
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension APIEnvironment {
    /// The operators' side of calls: the queue, a call's detail, actions, the live feed, the
    /// floor overview and the service-level report.
    func callRoutes(feed: CallFeed) -> [APIRoute] {
        [
            APIRoute(.get, "/v1/calls", .permission(.readCalls)) { request, context in
                let filter = CallFilter(openOnly: queryText(request, "open") != "false",
                                        priority: try priority(request),
                                        status: try query(request, "status", as: CallStatus.self),
                                        code: try query(request, "code", as: AlarmCode.self),
                                        region: queryText(request, "region"),
                                        claimedBy: try operatorFilter(request, context))
                // Read before the list: a client that subscribes to the feed from this position
                // sees every change made after (and perhaps a few it already has; ids tell).
                let position = try await database.latestChangePosition()
                let page = try await calls.callSummaries(filter, page: try pageRequest(request))
                var headers = HTTPFields()
                headers[.changePosition] = String(position)
                return try JSONCoding.response(page, headers: headers)
            },
            APIRoute(.get, "/v1/calls/stream", .permission(.readCalls)) { request, context in
                try await streamResponse(request, context, feed: feed)
            },
            APIRoute(.get, "/v1/calls/overview", .permission(.readCalls)) { _, _ in
                try JSONCoding.response(try await calls.callOverview(now: clock.now(), operatorsOnline: feed.subscriberNames))
            },
            APIRoute(.get, "/v1/calls/:id", .permission(.readCalls)) { _, context in
                let detail = try await calls.callDetail(id: try id(context, "call"), for: try actor(context))
                return try JSONCoding.response(detail, headers: .etag(detail.call.version))
            },
            action("claim") { _ in .claim },
            action("release") { .release(note: $0.note) },
            action("notes", versioned: false) { body in .note(try required(body.note, "note")) },
            action("callback") { .startCallback(note: $0.note) },
            action("dispatch") { body in .dispatch(try required(body.responders, "responders"), note: body.note) },
            action("resolve") { body in .resolve(outcome: try required(body.outcome, "outcome"), note: body.note ?? "") },
            action("follow-up") { body in
                .recordFollowUp(note: try required(body.note, "note"), reachedElder: try required(body.reachedElder, "reachedElder"))
            },
            action("close") { .close(note: $0.note) },
            action("reopen") { body in .reopen(reason: try required(body.reason ?? body.note, "reason")) },
            APIRoute(.post, "/v1/calls/:id/responders/:responderId", .permission(.handleCalls)) { request, context in
                let text = context.parameters.get("responderId") ?? ""
                guard let responder = Int(text) else { throw APIError.notFound("The call has no responder \(text).") }
                return try await perform(request, context, versioned: true) { body in
                    .updateResponder(responderId: responder, status: try required(body.status, "status"), note: body.note)
                }
            },
            APIRoute(.get, "/v1/reports/emergency", .permission(.readReports)) { request, _ in
                let to = try dateQuery(request, "to") ?? clock.now()
                let from = try dateQuery(request, "from") ?? to.addingTimeInterval(-30 * 86_400)
                guard from < to else { throw APIError.malformed(field: "from", detail: "from must be before to") }
                return try JSONCoding.response(try await calls.emergencyReport(from: from, to: to, region: queryText(request, "region")))
            },
        ]
    }

    /// `POST /v1/calls/{id}/<name>`: the body is a ``CallActionRequest``.
    private func action(_ name: String, versioned: Bool = true,
                        _ make: @escaping @Sendable (CallActionRequest) throws -> CallAction) -> APIRoute {
        APIRoute(.post, "/v1/calls/:id/" + name, .permission(.handleCalls)) { request, context in
            try await perform(request, context, versioned: versioned, make)
        }
    }

    private func perform(_ request: Request, _ context: CareRequestContext, versioned: Bool,
                         _ make: (CallActionRequest) throws -> CallAction) async throws -> Response {
        let callId = try id(context, "call")
        let body = try await decode(CallActionRequest.self, request)
        if versioned, body.version == nil {
            throw APIError.invalid(ValidationFailure(field: "version", reason: "is required: send the version of the call you saw, so nobody's action is overwritten"))
        }
        let detail = try await calls.act(on: callId, try make(body), expectedVersion: versioned ? body.version : nil,
                                            by: try actor(context))
        return try JSONCoding.response(detail, headers: .etag(detail.call.version))
    }

    func actor(_ context: CareRequestContext) throws -> CallActor {
        guard let principal = context.principal else { throw APIError.unauthenticated }
        return CallActor(principal)
    }

    /// `?operator=me` or `?operator=<account id>`.
    private func operatorFilter(_ request: Request, _ context: CareRequestContext) throws -> Int64? {
        guard let text = queryText(request, "operator") else { return nil }
        if text == "me" { return context.principal?.accountId ?? -1 }
        guard let id = Int64(text) else {
            throw APIError.malformed(field: "operator", detail: "operator must be me or an account id")
        }
        return id
    }

    private func dateQuery(_ request: Request, _ name: String) throws -> Date? {
        guard let text = queryText(request, name) else { return nil }
        if let date = Timestamp.parse(text) { return date }
        // A bare date is local midnight, the care centre's day.
        if let day = CalendarDate(iso: text) { return LocalTime.midnight(day) }
        throw APIError.malformed(field: name, detail: "\(name) must be a date (2026-11-01) or an ISO-8601 time (2026-11-01T00:00:00+08:00)")
    }
}

private func required<T>(_ value: T?, _ field: String) throws -> T {
    guard let value else { throw APIError.invalid(ValidationFailure(field: field, reason: "is required for this action")) }
    return value
}

extension HTTPField.Name {
    /// The change-log position a queue listing was read at: subscribe to the feed from it.
    static let changePosition = Self("X-Change-Position")!
    static let lastEventID = Self("Last-Event-ID")!
}
