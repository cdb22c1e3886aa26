import CareModel
import CareStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Notifications
import Testing

@testable import CareAPI

/// The notification routes over HTTP: listing with filters, dead letters, requeue, and both
/// ways of acknowledging. Notifications are made through the store directly (the worker's own
/// behaviour is tested in NotificationsTests).
@Suite("Notification routes")
struct NotificationRoutesTests {
    /// Three notifications: 1 sent (SMS, chain step 1, ack token `tok-a`), 2 pending (step 2),
    /// 3 dead (webhook, a booking message).
    static func seed(_ database: CareDatabase) async throws {
        let now = Date()
        let notifications = NotificationStore(database)
        try await database.enqueueOutbox(
            [
                OutboxEntry(topic: .callOpened, key: "call:9:opened", elderId: nil, callId: 9, payload: [:]),
                OutboxEntry(topic: .bookingConfirmed, key: "booking:4:confirmed", elderId: nil, callId: nil, payload: [:]),
            ], at: now)
        _ = try await notifications.fanOutOutbox(now: now, limit: 10) { context in
            if context.message.topic == "call_opened" {
                return FanOutPlan(notifications: [
                    PlannedNotification(
                        key: "call:9:opened:family_contact:1", urgency: .critical,
                        recipient: NotificationRecipient(kind: .familyContact, id: 1, name: "李明", phone: "13800000001"),
                        channels: [.sms, .push], title: "紧急呼叫", text: "紧急", due: now, chainStep: 1, ackToken: "tok-a"),
                    PlannedNotification(
                        key: "call:9:opened:family_contact:2", urgency: .critical,
                        recipient: NotificationRecipient(kind: .familyContact, id: 2, name: "李娟", phone: "13800000002"),
                        channels: [.sms, .push], title: "紧急呼叫", text: "紧急", due: now.addingTimeInterval(3600),
                        chainStep: 2, ackToken: "tok-b"),
                ])
            }
            return FanOutPlan(notifications: [
                PlannedNotification(
                    key: "booking:4:confirmed:provider:3", urgency: .normal,
                    recipient: NotificationRecipient(kind: .provider, id: 3, name: "康乐家政", phone: nil),
                    channels: [.webhook], title: "预约已确认", text: "新预约", due: now)
            ])
        }
        let claimed = try await notifications.claimDueNotifications(now: now, limit: 10, lease: 60)
        #expect(claimed.count == 2)
        try await notifications.recordDeliveries(
            claimed.map { c in
                DeliveryRecord(
                    id: c.id, attempt: c.attempt, channels: c.channels, channel: c.channels[0], startedAt: now, latencyMs: 12,
                    httpStatus: c.topic == "call_opened" ? 200 : 410, error: c.topic == "call_opened" ? nil : "HTTP 410",
                    next: c.topic == "call_opened" ? .sent(channelIndex: 0) : .dead(channelIndex: 0))
            }, now: now)
    }

    @Test func listingFiltersAndDeadLetters() async throws {
        let t = try await TestServer.make()
        defer { t.remove() }
        try await Self.seed(t.server.database)
        let admin = t.tokens[.admin]
        try await t.test { client in
            let all = try await client.send(.get, "/v1/notifications", token: admin)
            #expect(all.status == .ok)
            let page = try all.decode(Page<NotificationView>.self)
            #expect(page.items.map(\.id) == [3, 2, 1], "newest first")
            #expect(page.items.last?.recipient.phone == "*******0001")
            #expect(!all.text.contains("13800000001"), "no full phone number in the answer")

            let sms = try await client.send(.get, "/v1/notifications?status=sent&channel=sms&callId=9", token: admin)
            #expect(try sms.decode(Page<NotificationView>.self).items.map(\.id) == [1])
            let byRecipient = try await client.send(.get, "/v1/notifications?recipient=family_contact:2", token: admin)
            #expect(try byRecipient.decode(Page<NotificationView>.self).items.map(\.id) == [2])
            let byTopic = try await client.send(.get, "/v1/notifications?topic=booking_confirmed", token: admin)
            #expect(try byTopic.decode(Page<NotificationView>.self).items.map(\.id) == [3])

            let dead = try await client.send(.get, "/v1/notifications/dead-letters", token: t.tokens[.supervisor])
            #expect(dead.status == .ok)
            let letters = try dead.decode(Page<NotificationView>.self).items
            #expect(letters.map(\.id) == [3] && letters[0].lastError == "HTTP 410")

            for bad in ["status=lost", "channel=email", "recipient=somebody", "callId=x", "topic=weather"] {
                let r = try await client.send(.get, "/v1/notifications?\(bad)", token: admin)
                #expect(r.status == .badRequest, "\(bad)")
                #expect(r.headers[.contentType] == "application/problem+json")
            }

            let one = try await client.send(.get, "/v1/notifications/1", token: admin)
            let view = try one.decode(NotificationView.self)
            #expect(view.attemptLog?.map(\.outcome) == [.delivered] && view.attemptLog?.first?.latencyMs == 12)
            #expect(try await client.send(.get, "/v1/notifications/99", token: admin).status == .notFound)
            #expect(try await client.send(.get, "/v1/notifications", token: t.tokens[.operator]).status == .forbidden)
        }
    }

    @Test func requeueOneAndMany() async throws {
        let t = try await TestServer.make()
        defer { t.remove() }
        try await Self.seed(t.server.database)
        let admin = t.tokens[.admin]
        try await t.test { client in
            let notDead = try await client.send(.post, "/v1/notifications/1/requeue", token: admin)
            #expect(notDead.status == .conflict)
            #expect(notDead.problem?.detail == "Notification 1 is sent; only dead letters can be requeued.")
            let requeued = try await client.send(.post, "/v1/notifications/3/requeue", token: admin)
            #expect(requeued.status == .ok)
            let view = try requeued.decode(NotificationView.self)
            #expect(view.status == .pending && view.attempts == 0 && view.attemptLog?.count == 1)
            #expect(try await client.send(.post, "/v1/notifications/3/requeue", token: admin).status == .conflict)

            let bulk = try await client.send(.post, "/v1/notifications/requeue", token: admin, json: #"{"channel":"webhook"}"#)
            #expect(bulk.status == .ok && bulk.text == #"{"requeued":0}"#)
            let badLimit = try await client.send(.post, "/v1/notifications/requeue", token: admin, json: #"{"limit":0}"#)
            #expect(badLimit.status == .unprocessableContent && badLimit.problem?.errors?.first?.field == "limit")
            let badChannel = try await client.send(.post, "/v1/notifications/requeue", token: admin, json: #"{"channel":"fax"}"#)
            #expect(badChannel.status == .unprocessableContent)
        }
        let audit = try await t.server.database.auditLog(AuditFilter(entity: "notification"), page: PageRequest())
        #expect(audit.items.map(\.action) == ["requeue"])
    }

    @Test func anOperatorAcknowledgesForTheFamily() async throws {
        let t = try await TestServer.make()
        defer { t.remove() }
        try await Self.seed(t.server.database)
        try await t.test { client in
            let r = try await client.send(.post, "/v1/notifications/1/ack", token: t.tokens[.operator])
            #expect(r.status == .ok)
            let ack = try r.decode(NotificationAcknowledgement.self)
            #expect(ack.cancelled == 1 && !ack.alreadyAcknowledged && ack.acknowledgedBy.hasSuffix("test-operator"))
            let again = try await client.send(.post, "/v1/notifications/1/ack", token: t.tokens[.supervisor])
            #expect(try again.decode(NotificationAcknowledgement.self).alreadyAcknowledged)
            #expect(try await client.send(.post, "/v1/notifications/1/ack", token: t.tokens[.auditor]).status == .forbidden)
            let step2 = try await client.send(.get, "/v1/notifications/2", token: t.tokens[.admin])
            #expect(try step2.decode(NotificationView.self).status == .cancelled)
        }
    }

    @Test func theAcknowledgementLinkAsksBeforeItAcknowledges() async throws {
        let t = try await TestServer.make()
        defer { t.remove() }
        try await Self.seed(t.server.database)
        try await t.test { client in
            let page = try await client.send(.get, "/v1/acks/tok-a")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.text.contains("<form method=\"post\">") && page.text.contains("紧急"))
            // Opening the page (as a chat app's link preview would) did not acknowledge.
            #expect(try await t.server.notifier.store.notification(id: 1).acknowledgedAt == nil)

            let form = try await client.send(
                .post, "/v1/acks/tok-a",
                headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .ok && form.text.contains("已确认收到"))
            let view = try await t.server.notifier.store.notification(id: 1)
            #expect(view.acknowledgedBy == "link" && view.acknowledgedAt != nil)
            #expect(try await t.server.notifier.store.notification(id: 2).status == .cancelled)

            let json = try await client.send(.post, "/v1/acks/tok-a", headers: [.accept: "application/json"])
            #expect(try json.decode(NotificationAcknowledgement.self).alreadyAcknowledged)
            let after = try await client.send(.get, "/v1/acks/tok-a")
            #expect(after.text.contains("确认收到") && !after.text.contains("<form"))

            let unknown = try await client.send(.post, "/v1/acks/nope")
            #expect(unknown.status == .notFound && unknown.headers[.contentType] == "application/problem+json")
            #expect(try await client.send(.get, "/v1/acks/nope").status == .notFound)
        }
    }
}
