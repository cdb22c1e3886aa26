import CareModel
import CareStore
import CareTesting
import CurlHTTP
import Emergency
import Foundation
import GRDB
import Testing

@testable import Notifications

/// The worker against a real HTTP receiver on loopback, one pass at a time under a test clock.
@Suite("Delivering the outbox", .serialized)
struct DeliveryTests {
    @Test("An emergency reaches the first contact by SMS, with its idempotency key, and the attempt is recorded")
    func emergencyToTheFirstContact() async throws {
        try await Harness.with { h in
            let (_, device) = try await h.addElder(1)
            let callId = try await h.openCall(device: device)

            let pass = try await h.worker.runOnce()
            #expect(pass.dispatched == 1)
            #expect(pass.created == 3, "two contacts and the supervisor")
            #expect(pass.sent == 1, "only the first step is due")

            let sms = h.receiver.requests(to: "/sms")
            #expect(sms.count == 1)
            let body = try #require(try JSONSerialization.jsonObject(with: sms[0].body) as? [String: String])
            #expect(body["to"] == "13800000001")
            #expect(body["text"]?.contains("您的家人黄女士") == true)
            #expect(body["text"]?.contains("https://care.example.org/v1/acks/tok-1") == true)
            #expect(sms[0].headers["Idempotency-Key"] == "call:\(callId):opened:family_contact:1")
            #expect(sms[0].headers["Authorization"] == "Bearer \(Harness.smsKey)")

            let all = try await h.notifications(NotificationFilter(callId: callId))
            #expect(all.map(\.status) == [.sent, .pending, .pending])
            #expect(all.map(\.chainStep) == [1, 2, 3])
            let first = try await h.notification(all[0].id)
            #expect(first.recipient.phone == "*******0001", "the API masks phone numbers")
            let attempt = try #require(first.attemptLog?.first)
            #expect(attempt.outcome == .delivered && attempt.httpStatus == 200 && attempt.channel == .sms && attempt.number == 1)
            #expect(attempt.latencyMs != nil && attempt.at == h.clock.now)
            #expect(try await h.database.outboxStatus(key: "call:\(callId):opened")?.status == "dispatched")
        }
    }

    @Test("Nobody acknowledges: the chain moves to the next contact, then the supervisor")
    func theChainMovesOn() async throws {
        try await Harness.with { h in
            let (_, device) = try await h.addElder(1)
            let callId = try await h.openCall(device: device)
            try await h.worker.runOnce()
            h.clock.advance(179)
            #expect(try await h.worker.runOnce().sent == 0, "the first contact still has time")
            h.clock.advance(1)
            #expect(try await h.worker.runOnce().sent == 1)
            #expect(h.receiver.requests(to: "/sms").last?.text.contains("13800000002") == true)
            h.clock.advance(180)
            #expect(try await h.worker.runOnce().sent == 1)
            let last = try #require(h.receiver.requests(to: "/sms").last)
            #expect(last.text.contains("13900000000"), "the supervisor's phone")
            #expect(last.text.contains("无人确认收到"))
            #expect(last.headers["Idempotency-Key"] == "call:\(callId):opened:supervisor")
            #expect(try await h.notifications().allSatisfy { $0.status == .sent })
        }
    }

    @Test("An acknowledgement by link stops the chain; a second one changes nothing")
    func acknowledgementByLink() async throws {
        try await Harness.with { h in
            let (_, device) = try await h.addElder(1, contacts: [("李明", "13800000001"), ("李娟", "13800000002"), ("王强", "13800000003")])
            let callId = try await h.openCall(device: device)
            try await h.worker.runOnce()
            h.clock.advance(180)
            try await h.worker.runOnce()  // the second contact is told
            h.clock.advance(30)

            let ack = try #require(try await h.worker.store.acknowledgeNotification(token: "tok-2"))
            #expect(!ack.alreadyAcknowledged && ack.acknowledgedBy == "link" && ack.callId == callId)
            #expect(ack.cancelled == 2, "the third contact and the supervisor")
            let again = try #require(try await h.worker.store.acknowledgeNotification(token: "tok-2"))
            #expect(again.alreadyAcknowledged && again.cancelled == 0)
            #expect(try await h.worker.store.acknowledgeNotification(token: "no-such-token") == nil)

            h.clock.advance(3600)
            #expect(try await h.worker.runOnce().claimed == 0)
            #expect(h.receiver.requests(to: "/sms").count == 2)
            let states = try await h.notifications(NotificationFilter(callId: callId))
            #expect(states.map(\.status) == [.sent, .sent, .cancelled, .cancelled])
            #expect(states[1].acknowledgedAt == h.clock.now.addingTimeInterval(-3600))
            #expect(states[2].lastError == "acknowledged at step 2")
        }
    }

    @Test("An operator acknowledges for the family: the chain stops, and it is audited")
    func acknowledgementByStaff() async throws {
        try await Harness.with { h in
            let (_, device) = try await h.addElder(1)
            let callId = try await h.openCall(device: device)
            try await h.worker.runOnce()
            let first = try #require(try await h.notifications(NotificationFilter(callId: callId)).first)
            let op = Principal(accountId: 17, name: "王芳", role: .operator)
            let ack = try await h.worker.store.acknowledgeNotification(id: first.id, by: op)
            #expect(ack.acknowledgedBy == "account:17 王芳" && ack.cancelled == 2)
            let audit = try await h.database.auditLog(AuditFilter(entity: "notification"), page: PageRequest())
            #expect(audit.items.map(\.action) == ["acknowledge"])
            await #expect(throws: StoreError.notFound(entity: "notification", id: "999")) {
                try await h.worker.store.acknowledgeNotification(id: 999, by: op)
            }
        }
    }

    @Test("Call handling's messages: dispatch and resolution reach the contacts told, resolution ends the chain")
    func callUpdates() async throws {
        try await Harness.with { h in
            let (_, device) = try await h.addElder(1)
            let callId = try await h.openCall(device: device)
            try await h.worker.runOnce()
            let op = CallActor(accountId: 17, name: "王芳", isSupervisor: true)
            try await h.calls.act(on: callId, .claim, expectedVersion: nil, by: op)
            try await h.calls.act(
                on: callId, .dispatch([ResponderAssignment(kind: .communityWorker, name: "黄建国")]),
                expectedVersion: nil, by: op)
            let dispatched = try await h.worker.runOnce()
            #expect(dispatched.sent == 1, "only the first contact was told of the emergency")
            #expect(h.receiver.requests(to: "/sms").last?.text.contains("社区工作人员 黄建国") == true)

            try await h.calls.act(on: callId, .resolve(outcome: .attendedByResponder, note: "扶起，无外伤"), expectedVersion: nil, by: op)
            try await h.worker.runOnce()
            #expect(h.receiver.requests(to: "/sms").last?.text.contains("呼叫已处置完毕：上门处置") == true)
            let chain = try await h.notifications(NotificationFilter(callId: callId, topic: "call_opened"))
            #expect(chain.map(\.status) == [.sent, .cancelled, .cancelled], "nobody else is paged about a call that is over")
            h.clock.advance(3600)
            #expect(try await h.worker.runOnce().claimed == 0)
        }
    }

    @Test("A missed deadline tells the supervisor")
    func escalation() async throws {
        try await Harness.with(settings: { $0.channelOrder = [.webhook] }) { h in
            let (_, device) = try await h.addElder(1)
            let callId = try await h.openCall(device: device, priority: .p1)
            h.clock.advance(61)
            #expect(try await h.calls.escalateOverdueCalls(now: h.clock.now, limit: 10) == [callId])
            try await h.worker.runOnce()
            let hooks = h.receiver.requests(to: "/hook")
            let escalation = try #require(hooks.first { $0.headers["Idempotency-Key"]?.hasSuffix(":call_escalated:supervisor") == true })
            let json = try #require(try JSONSerialization.jsonObject(with: escalation.body) as? [String: Any])
            #expect(json["topic"] as? String == "call_escalated")
            #expect((json["text"] as? String)?.contains("超时无人接警") == true)
            let signature = try #require(escalation.headers["X-Eldercare-Signature"])
            let timestamp = try #require(escalation.headers["X-Eldercare-Timestamp"])
            #expect(WebhookChannel.verify(signature: signature, timestamp: timestamp, body: escalation.body, secret: Harness.webhookSecret))
        }
    }

    @Test("A failing receiver: back-off under the test clock, then success; every attempt logged")
    func backoffThenSuccess() async throws {
        try await Harness.with(settings: { $0.channelOrder = [.webhook] }) { h in
            let (elder, _) = try await h.addElder(1)
            h.respond { _ in .status(500) }
            try await h.database.enqueueOutbox(
                [
                    OutboxEntry(
                        topic: .bookingConfirmed, key: "booking:5:confirmed", elderId: elder.id, callId: nil,
                        payload: ["service": "助浴", "at": "2026-11-24T01:00:00Z"])
                ], at: h.clock.now)
            #expect(try await h.worker.runOnce().retried == 1)
            let id = try #require(try await h.notifications().first?.id)
            // Round 1 waits 5 s · (½ + ½·0.5) = 3.75 s.
            #expect(try await h.notification(id).nextAttemptAt == h.clock.now.addingTimeInterval(3.75))
            h.clock.advance(3.7)
            #expect(try await h.worker.runOnce().claimed == 0, "not due yet")
            h.clock.advance(0.05)
            #expect(try await h.worker.runOnce().retried == 1)
            #expect(try await h.notification(id).nextAttemptAt == h.clock.now.addingTimeInterval(7.5), "round 2 doubles")
            h.respond { _ in .status(202) }
            h.clock.advance(7.5)
            #expect(try await h.worker.runOnce().sent == 1)
            let done = try await h.notification(id)
            #expect(done.status == .sent && done.attempts == 3)
            #expect(done.attemptLog?.map(\.outcome) == [.retry, .retry, .delivered])
            #expect(done.attemptLog?.map(\.httpStatus) == [500, 500, 202])
            #expect(Set(h.receiver.requests.idempotencyKeys) == ["booking:5:confirmed:family_contact:1"])
        }
    }

    @Test("A 429 is retried no sooner than its Retry-After")
    func retryAfter() async throws {
        try await Harness.with(settings: { $0.channelOrder = [.push] }) { h in
            let (elder, _) = try await h.addElder(1)
            h.respond { _ in .status(429, headers: ["Retry-After": "120"]) }
            try await h.database.enqueueOutbox(
                [
                    OutboxEntry(
                        topic: .bookingReminder, key: "booking:6:reminder", elderId: elder.id, callId: nil,
                        payload: ["service": "助餐"])
                ], at: h.clock.now)
            try await h.worker.runOnce()
            let n = try #require(try await h.notifications().first)
            #expect(n.nextAttemptAt == h.clock.now.addingTimeInterval(120))
            #expect(n.lastStatus == 429 && n.lastError == "HTTP 429")
        }
    }

    @Test("Attempts used up: a dead letter, which a requeue sends again with the same key")
    func deadLetterAndRequeue() async throws {
        try await Harness.with(settings: {
            $0.channelOrder = [.sms]; $0.maximumAttempts = 3
        }) { h in
            let (elder, _) = try await h.addElder(1)
            h.respond { _ in .status(503) }
            try await h.database.enqueueOutbox(
                [
                    OutboxEntry(
                        topic: .workerAssigned, key: "booking:7:worker", elderId: elder.id, callId: nil,
                        payload: ["service": "助浴", "worker": "陈师傅"])
                ], at: h.clock.now)
            for _ in 0..<3 {
                try await h.worker.runOnce()
                h.clock.advance(3600)
            }
            let dead = try await h.worker.store.notifications(NotificationFilter(status: .dead), page: PageRequest()).items
            #expect(dead.count == 1 && dead[0].attempts == 3 && dead[0].lastError == "HTTP 503")
            let admin = Principal(accountId: 1, name: "admin", role: .admin)
            h.respond { _ in .status(200) }
            let requeued = try await h.worker.store.requeueNotification(id: dead[0].id, by: admin)
            #expect(requeued.status == .pending && requeued.attempts == 0 && requeued.nextAttemptAt == h.clock.now)
            await #expect(throws: StoreError.self) { try await h.worker.store.requeueNotification(id: dead[0].id, by: admin) }
            #expect(try await h.worker.runOnce().sent == 1)
            let sent = try await h.notification(dead[0].id)
            #expect(sent.attemptLog?.map(\.number) == [1, 2, 3, 4], "the log keeps counting across the requeue")
            #expect(sent.attemptLog?.map(\.outcome) == [.retry, .retry, .dead, .delivered])
            #expect(Set(h.receiver.requests.idempotencyKeys) == [dead[0].idempotencyKey])
        }
    }

    @Test("Bulk requeue takes only the dead letters that match")
    func bulkRequeue() async throws {
        try await Harness.with(settings: {
            $0.channelOrder = [.sms]; $0.maximumAttempts = 1
        }) { h in
            let (elder, _) = try await h.addElder(1)
            h.respond { _ in .status(400) }
            try await h.database.enqueueOutbox(
                (1...3).map { i in
                    OutboxEntry(
                        topic: .bookingConfirmed, key: "booking:\(i):confirmed", elderId: elder.id, callId: nil, payload: ["service": "助浴"])
                } + [OutboxEntry(topic: .workerAssigned, key: "booking:9:worker", elderId: elder.id, callId: nil, payload: [:])],
                at: h.clock.now)
            #expect(try await h.worker.runOnce().dead == 4, "a 400 is final for a normal message")
            let admin = Principal(accountId: 1, name: "admin", role: .admin)
            let count = try await h.worker.store.requeueDeadNotifications(
                NotificationFilter(topic: "booking_confirmed"), limit: 10, by: admin)
            #expect(count == 3)
            #expect(try await h.worker.store.notifications(NotificationFilter(status: .dead), page: PageRequest()).items.count == 1)
        }
    }

    @Test("An emergency falls over to the next channel when one fails, keeping its key")
    func fallOver() async throws {
        try await Harness.with { h in
            let (_, device) = try await h.addElder(1)
            let callId = try await h.openCall(device: device)
            h.respond { $0.path == "/sms" ? .status(502) : .status(200) }
            #expect(try await h.worker.runOnce().fellOver == 1)
            #expect(try await h.worker.runOnce().sent == 1, "the fall-over is due at once")
            let push = try #require(h.receiver.requests(to: "/push").first)
            #expect(push.path == "/push/eldercare-family_contact-1")
            #expect(push.headers["Priority"] == "5")
            #expect(push.headers["Click"] == "https://care.example.org/v1/acks/tok-1")
            let key = "call:\(callId):opened:family_contact:1"
            #expect(h.receiver.requests.idempotencyKeys == [key, key])
            let n = try #require(try await h.notifications(NotificationFilter(callId: callId)).first)
            #expect(n.channel == .push && n.status == .sent)
            #expect(try await h.notification(n.id).attemptLog?.map(\.outcome) == [.fallOver, .delivered])
        }
    }

    @Test("When every channel fails, an emergency goes round them all again after a back-off")
    func allChannelsDown() async throws {
        try await Harness.with { h in
            let (_, device) = try await h.addElder(1)
            _ = try await h.openCall(device: device)
            h.respond { _ in .status(500) }
            for _ in 0..<3 { try await h.worker.runOnce() }
            let channels: [String] = h.receiver.requests.map { request in request.path.split(separator: "/").first.map(String.init) ?? "" }
            #expect(channels == ["sms", "push", "hook"])
            let n = try #require(try await h.notifications().first)
            #expect(n.status == .pending && n.channel == .sms)
            #expect(n.nextAttemptAt == h.clock.now.addingTimeInterval(3.75))
        }
    }

    @Test("A receiver that hangs past the timeout, one that closes the connection and one that refuses it are retried")
    func transportFailures() async throws {
        try await Harness.with(settings: {
            $0.channelOrder = [.webhook]; $0.requestTimeout = .seconds(1)
        }) { h in
            let (elder, _) = try await h.addElder(1)
            h.respond { $0.text.contains("hang") ? .hang : .close }
            try await h.database.enqueueOutbox(
                [
                    OutboxEntry(topic: .bookingConfirmed, key: "hang", elderId: elder.id, callId: nil, payload: ["service": "hang"]),
                    OutboxEntry(topic: .bookingConfirmed, key: "close", elderId: elder.id, callId: nil, payload: ["service": "close"]),
                ], at: h.clock.now)
            #expect(try await h.worker.runOnce().retried == 2)
            let errors = try await h.notifications().map { $0.lastError ?? "" }
            #expect(errors.contains { $0.hasPrefix("timed out") }, "\(errors)")
            #expect(errors.contains { $0.hasPrefix("connection closed") || $0.contains("Empty reply") }, "\(errors)")

            let refusingPort = try LoopbackHTTPServer.refusingPort()
            try await Harness.with(settings: {
                $0.channelOrder = [.webhook]
                $0.webhook = .init(url: "http://127.0.0.1:\(refusingPort)/hook", secret: "x")
            }) { refused in
                let (e2, _) = try await refused.addElder(2)
                try await refused.database.enqueueOutbox(
                    [OutboxEntry(topic: .bookingReminder, key: "refused", elderId: e2.id, callId: nil, payload: [:])],
                    at: refused.clock.now)
                #expect(try await refused.worker.runOnce().retried == 1)
                #expect(try await refused.notifications().first?.lastError?.hasPrefix("could not connect") == true)
            }
        }
    }

    @Test("A channel that keeps failing is paused, then probed once, then closed again")
    func circuitBreaker() async throws {
        try await Harness.with(settings: {
            $0.channelOrder = [.sms]; $0.circuitFailureThreshold = 2; $0.circuitOpenDuration = 60
        }) { h in
            let (elder, _) = try await h.addElder(1)
            h.respond { _ in .status(500) }
            try await h.database.enqueueOutbox(
                (1...2).map { i in
                    OutboxEntry(topic: .bookingReminder, key: "r\(i)", elderId: elder.id, callId: nil, payload: [:])
                }, at: h.clock.now)
            try await h.worker.runOnce()
            #expect(h.receiver.requests.count == 2)
            #expect(h.worker.breaker.state(.sms, now: h.clock.now) == .open(until: h.clock.now.addingTimeInterval(60)))

            try await h.database.enqueueOutbox(
                [OutboxEntry(topic: .bookingReminder, key: "r3", elderId: elder.id, callId: nil, payload: [:])],
                at: h.clock.now)
            h.clock.advance(30)
            let held = try await h.worker.runOnce()
            #expect(held.deferred == 3 && held.sent == 0 && h.receiver.requests.count == 2, "nothing is sent while it rests")
            let waiting = try await h.notifications()
            #expect(waiting.allSatisfy { $0.attempts <= 1 }, "a deferral is not an attempt")
            #expect(waiting.allSatisfy { $0.nextAttemptAt == h.clock.now.addingTimeInterval(30) })

            // The probe's answer takes half a second, so the pass's other two deliveries ask the
            // breaker while it is still out. Answered at once, a probe may close the breaker
            // before they ask, and they rightly go too: the count below would depend on timing.
            h.respond { _ in .after(milliseconds: 500, .status(200)) }
            h.clock.advance(30)
            let probe = try await h.worker.runOnce()
            #expect(probe.sent == 1 && probe.deferred == 2, "one probe")
            #expect(h.worker.breaker.state(.sms, now: h.clock.now) == .closed)
            h.clock.advance(1)
            #expect(try await h.worker.runOnce().sent == 2)
        }
    }

    @Test("Quiet hours hold a booking message until morning, not an emergency")
    func quietHours() async throws {
        try await Harness.with { h in
            h.clock.advance(15 * 3600)  // 23:00 in Yulin
            let (elder, device) = try await h.addElder(1)
            try await h.database.enqueueOutbox(
                [
                    OutboxEntry(
                        topic: .bookingConfirmed, key: "booking:1:confirmed", elderId: elder.id, callId: nil,
                        payload: ["service": "助浴"])
                ], at: h.clock.now)
            _ = try await h.openCall(device: device)
            let night = try await h.worker.runOnce()
            #expect(night.sent == 1 && h.receiver.requests.count == 1, "the emergency goes out at once")
            let booking = try #require(try await h.notifications(NotificationFilter(topic: "booking_confirmed")).first)
            #expect(booking.nextAttemptAt == h.clock.now.addingTimeInterval(8 * 3600), "07:00")
            h.clock.advance(8 * 3600 - 1)
            #expect(try await h.worker.runOnce().claimed == 2, "at 06:59 only the waiting chain steps are due")
            let morning = try await h.notification(booking.id)
            #expect(morning.status == .pending)
            h.clock.advance(1)
            try await h.worker.runOnce()
            #expect(try await h.notification(booking.id).status == .sent)
        }
    }

    @Test("After a crash mid-send the message goes out again with the same key, and the lost attempt is logged")
    func crashMidSend() async throws {
        try await Harness.with(settings: { $0.channelOrder = [.webhook] }) { h in
            let (elder, _) = try await h.addElder(1)
            try await h.database.enqueueOutbox(
                [
                    OutboxEntry(
                        topic: .bookingConfirmed, key: "booking:1:confirmed", elderId: elder.id, callId: nil,
                        payload: ["service": "助浴"])
                ], at: h.clock.now)
            _ = try await h.worker.fanOut(now: h.clock.now)
            // A worker claims the row and dies before recording anything.
            let claimed = try await h.worker.store.claimDueNotifications(now: h.clock.now, limit: 10, lease: 40)
            #expect(claimed.count == 1)
            #expect(try await h.worker.runOnce().claimed == 0, "the lease holds it")
            h.clock.advance(5)
            #expect(try await h.worker.store.releaseNotificationLeases(now: h.clock.now) == 1, "start-up releases it")
            #expect(try await h.worker.runOnce().sent == 1)
            let n = try await h.notification(claimed[0].id)
            #expect(n.attempts == 2)
            #expect(n.attemptLog?.first?.error?.hasPrefix("interrupted") == true)
            #expect(h.receiver.requests.idempotencyKeys == [claimed[0].key])
            // A record from the dead worker's claim, arriving late, is ignored.
            let stale = DeliveryRecord(
                id: claimed[0].id, attempt: claimed[0].attempt, channels: [.webhook], channel: .webhook,
                startedAt: h.clock.now, httpStatus: 500, error: "HTTP 500", next: .dead(channelIndex: 0))
            #expect(try await h.worker.store.recordDeliveries([stale], now: h.clock.now) == 0)
            #expect(try await h.notification(claimed[0].id).status == .sent)
        }
    }

    @Test("Someone no channel can reach is a dead letter at once, with the reason; unknown topics are noted")
    func unreachableAndUnknown() async throws {
        try await Harness.with(settings: {
            $0.channelOrder = [.sms]; $0.supervisorPhone = nil
        }) { h in
            let (elder, _) = try await h.addElder(1)
            try await h.database.enqueueOutbox(
                [
                    OutboxEntry(
                        topic: .callEscalated, key: "call:1:v2:call_escalated", elderId: elder.id, callId: nil,
                        payload: ["deadline": "unclaimed"])
                ], at: h.clock.now)
            // A topic this build does not know (written by a newer one) goes in as a raw row: services
            // can only enqueue the topics they know.
            try await h.database.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO outbox (topic, idempotency_key, elder_id, payload, due_at, created_at)
                        VALUES ('weather_warning', 'weather:1', ?, '{}', ?, ?)
                        """, arguments: [elder.id, h.clock.now, h.clock.now])
            }
            try await h.worker.runOnce()
            let n = try #require(try await h.notifications().first)
            #expect(n.status == .dead && n.lastError?.contains("supervisor") == true)
            #expect(try await h.database.outboxStatus(key: "weather:1")?.note == "unknown topic weather_warning; nothing sent")
        }
    }

    @Test("Listing filters by status, channel, recipient, call and topic")
    func listing() async throws {
        try await Harness.with { h in
            let (_, d1) = try await h.addElder(1)
            let (_, d2) = try await h.addElder(2, name: "张伟", sex: .male, contacts: [("张强", "13800000009")])
            let c1 = try await h.openCall(device: d1)
            let c2 = try await h.openCall(device: d2)
            try await h.worker.runOnce()
            func count(_ f: NotificationFilter) async throws -> Int {
                try await h.worker.store.notifications(f, page: PageRequest(limit: 100)).items.count
            }
            #expect(try await count(NotificationFilter()) == 5)
            #expect(try await count(NotificationFilter(callId: c1)) == 3)
            #expect(try await count(NotificationFilter(callId: c2, status: .sent)) == 1)
            #expect(try await count(NotificationFilter(status: .sent, channel: .sms)) == 2)
            #expect(try await count(NotificationFilter(channel: .push)) == 0)
            #expect(try await count(NotificationFilter(recipient: "supervisor")) == 2)
            #expect(try await count(NotificationFilter(recipient: "family_contact:3")) == 1)
            #expect(try await count(NotificationFilter(recipient: "13800000009")) == 1)
            #expect(try await count(NotificationFilter(topic: "call_opened")) == 5)
            await #expect(throws: StoreError.self) { try await count(NotificationFilter(recipient: "someone")) }
            let page = try await h.worker.store.notifications(NotificationFilter(), page: PageRequest(limit: 2))
            #expect(page.items.count == 2 && page.nextCursor != nil)
            let rest = try await h.worker.store.notifications(
                NotificationFilter(), page: PageRequest(after: Cursor.decode(page.nextCursor!), limit: 10))
            #expect(rest.items.count == 3 && Set(rest.items.map(\.id)).isDisjoint(with: page.items.map(\.id)))
        }
    }
}

extension NotificationFilter {
    init(callId: Int64, status: NotificationStatus) { self.init(status: status, callId: callId) }
}
