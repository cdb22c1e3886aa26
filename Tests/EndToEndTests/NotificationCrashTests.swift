import CareStore
import CareTesting
import Emergency
import Foundation
import Testing

/// At-least-once delivery across a power cut: alarms open calls, the server starts telling the
/// families, it is killed with SIGKILL while the SMS gateway is still holding requests, and after
/// a restart every message has been delivered; the ones in flight at the kill went out again
/// with the same idempotency key. The log of the whole run holds no secret and no phone number.
@Suite("Notifications survive a crash", .serialized)
struct NotificationCrashTests {
    static let smsKey = "sms-api-key-9f2c41d7"
    static let webhookSecret = "whsec-e2e-5b81aa03"
    static let pushToken = "tk_push_e2e_77c1"

    @Test func everyMessageIsDeliveredAfterSIGKILLAndRepeatsCarryTheSameKey() async throws {
        let receiver = try LoopbackHTTPServer { _ in .after(milliseconds: 400, .status(200)) }
        defer { receiver.stop() }
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "300", "--seed", "5", "--quiet"])
        let admin = try await server.token("admin", "notify-admin")
        let environment = [
            "ELDERCARE_LOG_FORMAT": "json",
            "ELDERCARE_LOG_LEVEL": "debug",
            "ELDERCARE_NOTIFICATIONS_CHANNEL_ORDER": "sms,push,webhook",
            "ELDERCARE_NOTIFICATIONS_SMS_URL": receiver.url("/sms"),
            "ELDERCARE_NOTIFICATIONS_SMS_API_KEY": Self.smsKey,
            "ELDERCARE_NOTIFICATIONS_PUSH_URL": receiver.url("/push"),
            "ELDERCARE_NOTIFICATIONS_PUSH_TOKEN": Self.pushToken,
            "ELDERCARE_NOTIFICATIONS_WEBHOOK_URL": receiver.url("/hook"),
            "ELDERCARE_NOTIFICATIONS_WEBHOOK_SECRET": Self.webhookSecret,
            "ELDERCARE_NOTIFICATIONS_PUBLIC_BASE_URL": "https://care.example.org",
            // Only the first contact of each chain is due during the test; quiet hours off, so
            // the run does not depend on the time of day.
            "ELDERCARE_NOTIFICATIONS_ACKNOWLEDGEMENT_TIMEOUT_SECONDS": "3600",
            "ELDERCARE_NOTIFICATIONS_QUIET_HOURS_START": "00:00",
            "ELDERCARE_NOTIFICATIONS_QUIET_HOURS_END": "00:00",
            "ELDERCARE_NOTIFICATIONS_POLL_INTERVAL_MILLISECONDS": "50",
        ]
        try await server.start(environment: environment)

        // Alarms from 120 elders' devices: each opens a call, and each call_opened goes to the family.
        let listed = try await server.request("GET", "/v1/devices?limit=500", token: admin).object["items"] as? [[String: Any]] ?? []
        var seenElders: Set<Int> = []
        let devices = Array(listed.filter { seenElders.insert($0["elderId"] as? Int ?? -1).inserted }.prefix(120))
        var calls: [Int] = []
        for (i, device) in devices.enumerated() {
            let id = device["id"] as? String ?? ""
            let body =
                #"{"ref":"crash-n-\#(i)","kind":"alarm","code":"\#(i % 2 == 0 ? "sos" : "fall")","occurredAt":"\#(ISO8601DateFormatter().string(from: Date()))"}"#
            let path = "/v1/devices/\(id)/events"
            let ts = String(Int(Date().timeIntervalSince1970))
            let signature = EventSignature.sign(
                method: "POST", path: path, timestamp: ts, body: Data(body.utf8),
                secret: RegistryStore.demoDeviceSecret(seed: 5, deviceId: id))
            let reply = try await server.request(
                "POST", path, json: body,
                headers: [
                    EventSignature.timestampHeader: ts, EventSignature.signatureHeader: signature,
                ])
            #expect(reply.status == 202)
            if let callId = reply.object["callId"] as? Int { calls.append(callId) }
        }
        #expect(calls.count == devices.count && calls.count == 120)

        // Pull the plug while the gateway is holding requests.
        let deadline = Date().addingTimeInterval(30)
        while receiver.inFlight < 10 && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let inFlightAtKill = receiver.inFlight
        server.kill()
        #expect(inFlightAtKill >= 10, "messages were in flight when the server died")
        let seenBeforeKill = receiver.requests.count

        try await server.start(environment: environment)
        // Wait for the queue to drain: every first step sent.
        var firstSteps: [[String: Any]] = []
        let drained = Date().addingTimeInterval(60)
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            firstSteps = try await Self.all(server, "/v1/notifications?topic=call_opened", token: admin).filter {
                $0["chainStep"] as? Int == 1
            }
        } while firstSteps.contains(where: { $0["status"] as? String != "sent" }) && Date() < drained

        // One chain per call whose elder agreed to family notifications.
        var expected = 0
        for callId in Set(calls) {
            var call = try await server.request("GET", "/v1/calls/\(callId)", token: admin).object
            if let summary = call["call"] as? [String: Any] { call = summary }
            let elder = try await server.request("GET", "/v1/elders/\(call["elderId"] as? Int ?? 0)", token: admin).object
            let urgent = ["P1", "P2"].contains(call["priority"] as? String ?? "")
            if urgent, (elder["consent"] as? [String: Any])?["notifyFamily"] as? Bool == true { expected += 1 }
        }
        #expect(expected > 80)
        #expect(firstSteps.count == expected, "a first step for every consenting family")
        #expect(firstSteps.allSatisfy { $0["status"] as? String == "sent" }, "every message delivered after the restart")

        let sentKeys = Set(firstSteps.compactMap { $0["idempotencyKey"] as? String })
        let received = receiver.requests
        let receivedKeys = received.compactMap { $0.headers["Idempotency-Key"] }
        #expect(received.count == receivedKeys.count, "every request carries an Idempotency-Key")
        #expect(sentKeys.isSubset(of: Set(receivedKeys)), "the gateway saw every message")
        // On a slow run an unclaimed call also escalates to the supervisor (call_escalated); of the
        // family's messages, the gateway saw nothing but these.
        #expect(Set(receivedKeys.filter { $0.contains(":opened:") }).isSubset(of: sentKeys), "and nothing else")
        // The messages in flight at the kill were sent again, with the same key and the same words.
        let byKey = Dictionary(grouping: received, by: { $0.headers["Idempotency-Key"] ?? "" })
        let repeated = byKey.filter { $0.value.count > 1 }
        #expect(repeated.count >= 1, "\(seenBeforeKill) received before the kill, \(received.count) in all")
        for (_, copies) in repeated {
            #expect(Set(copies.map(\.text)).count == 1, "a repeat is the same message")
        }
        if let (key, _) = repeated.first, let n = firstSteps.first(where: { $0["idempotencyKey"] as? String == key }),
            let id = n["id"] as? Int
        {
            let detail = try await server.request("GET", "/v1/notifications/\(id)", token: admin).object
            let log = detail["attemptLog"] as? [[String: Any]] ?? []
            #expect(log.contains { ($0["error"] as? String)?.hasPrefix("interrupted") == true }, "the lost attempt is logged")
            #expect(log.last?["outcome"] as? String == "delivered")
        }

        let metrics = try await server.request("GET", "/metrics").text
        #expect(metrics.contains("eldercare_notifications_sent_total"))
        #expect(metrics.contains("eldercare_notifications_queue_depth"))
        #expect(server.stop() == 0)

        // No secret and no phone number in any log line.
        let log = server.log
        #expect(log.contains("notifications worker started"))
        for secret in [Self.smsKey, Self.webhookSecret, Self.pushToken, admin] {
            #expect(!log.contains(secret), "the log must not contain \(secret.prefix(4))…")
        }
        let phones = Set(
            received.compactMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
                .compactMap { $0["to"] as? String })
        #expect(phones.count > 100)
        for phone in phones { #expect(!log.contains(phone), "a phone number in the log") }
        #expect(
            log.range(of: #"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"#, options: .regularExpression) == nil,
            "nothing that looks like a mobile number")
    }

    /// Every item of a listing, following cursors.
    static func all(_ server: RunningServer, _ path: String, token: String) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor = ""
        repeat {
            let page = try await server.request("GET", path + (path.contains("?") ? "&" : "?") + "limit=500" + cursor, token: token).object
            items += page["items"] as? [[String: Any]] ?? []
            cursor = (page["nextCursor"] as? String).map { "&cursor=\($0)" } ?? ""
        } while !cursor.isEmpty
        return items
    }
}
