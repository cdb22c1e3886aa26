import CareModel
import CareStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Notifications

/// The notification log, dead letters and requeueing (`manage_notifications`); acknowledging
/// a message on a family member's behalf (`handle_calls`); and the public acknowledgement
/// link a family member opens (`/v1/acks/{token}`: the token is the credential).
struct NotificationController: Sendable {
    let env: APIEnvironment
    /// The notifications worker's store.
    let notifications: NotificationStore
    /// Woken after a requeue, so the messages go out now rather than at its next poll.
    let notifier: NotificationWorker

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/v1/notifications", .permission(.manageNotifications), list),
            APIRoute(.get, "/v1/notifications/dead-letters", .permission(.manageNotifications), deadLetters),
            APIRoute(.get, "/v1/notifications/:id", .permission(.manageNotifications), get),
            APIRoute(.post, "/v1/notifications/:id/requeue", .permission(.manageNotifications), requeue),
            APIRoute(.post, "/v1/notifications/requeue", .permission(.manageNotifications), requeueDeadLetters),
            APIRoute(.post, "/v1/notifications/:id/ack", .permission(.handleCalls), acknowledge),
            APIRoute(.get, "/v1/acks/:token", .public, acknowledgementPage),
            APIRoute(.post, "/v1/acks/:token", .public, acknowledgeByLink),
        ]
    }

    // MARK: The log and dead letters

    @Sendable func list(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(
            try await notifications.notifications(
                try notificationFilter(request),
                page: try env.pageRequest(request)))
    }

    @Sendable func deadLetters(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        var filter = try notificationFilter(request)
        filter.status = .dead
        return try JSONCoding.response(try await notifications.notifications(filter, page: try env.pageRequest(request)))
    }

    @Sendable func get(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await notifications.notification(id: try env.id(context, "notification")))
    }

    @Sendable func requeue(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let view = try await notifications.requeueNotification(id: try env.id(context, "notification"), by: try context.caller)
        notifier.wake()
        return try JSONCoding.response(view)
    }

    @Sendable func requeueDeadLetters(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let body = try await env.decode(BulkRequeue.self, request)
        var v = Validator()
        if let limit = body.limit { v.check((1...10_000).contains(limit), "limit", "must be from 1 to 10000") }
        try v.finish()
        let filter = NotificationFilter(
            channel: body.channel, callId: body.callId, elderId: body.elderId,
            topic: body.topic?.rawValue)
        let count = try await notifications.requeueDeadNotifications(filter, limit: body.limit ?? 1_000, by: try context.caller)
        notifier.wake()
        return try JSONCoding.response(RequeueResult(requeued: count))
    }

    // MARK: Acknowledgements

    @Sendable func acknowledge(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let ack = try await notifications.acknowledgeNotification(id: try env.id(context, "notification"), by: try context.caller)
        return try JSONCoding.response(ack)
    }

    @Sendable func acknowledgementPage(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let view = try await notifications.notification(ackToken: token) else { throw APIError.notFound(Self.unknownAck) }
        return Self.html(AckPage.confirm(view))
    }

    @Sendable func acknowledgeByLink(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let ack = try await notifications.acknowledgeNotification(token: token) else {
            throw APIError.notFound(Self.unknownAck)
        }
        if request.headers[.accept]?.contains("text/html") == true
            || request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true
        {
            return Self.html(AckPage.done(ack))
        }
        return try JSONCoding.response(ack)
    }

    private static let unknownAck = "This acknowledgement link is not valid. Please contact the care centre."

    // MARK: Reading the request, writing pages

    /// `?status=&channel=&recipient=&callId=&elderId=&topic=`.
    private func notificationFilter(_ request: Request) throws -> NotificationFilter {
        let recipient = env.queryText(request, "recipient")
        if let r = recipient {
            let parts = r.split(separator: ":", maxSplits: 1).map(String.init)
            let isKind = RecipientKind(rawValue: parts[0]) != nil && (parts.count == 1 || Int64(parts[1]) != nil)
            let isPhone = r.allSatisfy { $0.isNumber || $0 == "+" }
            guard isKind || isPhone else {
                throw APIError.malformed(
                    field: "recipient",
                    detail:
                        "recipient must be a kind (\(RecipientKind.allCases.map(\.rawValue).joined(separator: ", "))), a kind and id such as family_contact:5531, or a phone number"
                )
            }
        }
        return NotificationFilter(
            status: try env.query(request, "status", as: NotificationStatus.self),
            channel: try env.query(request, "channel", as: NotificationChannelKind.self),
            recipient: recipient, callId: try env.queryInt(request, "callId"),
            elderId: try env.queryInt(request, "elderId"),
            topic: try env.query(request, "topic", as: NotificationTopic.self)?.rawValue)
    }

    private static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        // The page carries a secret link: keep it out of caches and referrers.
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}

/// The body of `POST /v1/notifications/requeue`: which dead letters to put back.
struct BulkRequeue: Decodable {
    var channel: NotificationChannelKind?
    var topic: NotificationTopic?
    var callId: Int64?
    var elderId: Int64?
    /// At most this many (1–10000, default 1000), oldest first.
    var limit: Int?
}

/// The small pages a family member sees after tapping the link in a message. Opening the link
/// does not acknowledge: chat apps open links to preview them, and a preview must not stop an
/// escalation chain. The page asks for one tap, which posts the form.
enum AckPage {
    static func confirm(_ n: NotificationView) -> String {
        let body: String
        if let at = n.acknowledgedAt {
            body = "<p>\(escape(n.text))</p><p class=done>已于 \(escape(clock(at))) 确认收到。Already confirmed.</p>"
        } else {
            body = """
                <p>\(escape(n.text))</p>
                <form method="post"><button type="submit">我已收到 · I have seen this</button></form>
                """
        }
        return page(title: n.title, body: body)
    }

    static func done(_ ack: NotificationAcknowledgement) -> String {
        page(title: "已确认", body: "<p class=done>已确认收到，谢谢。平台会继续跟进。</p><p>Thank you: the care centre knows you have seen it.</p>")
    }

    static func page(title: String, body: String) -> String {
        """
        <!doctype html><html lang="zh"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1"><title>\(escape(title))</title>
        <style>body{font:18px/1.5 sans-serif;max-width:32em;margin:2em auto;padding:0 1em}
        button{font-size:1.2em;padding:.6em 1.2em}.done{color:#1a7f37}</style></head>
        <body><h1>\(escape(title))</h1>\(body)</body></html>
        """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func clock(_ date: Date) -> String { LocalTime.clock(date) }
}
