import CareModel
import CareStore
import CurlHTTP
import Foundation
import Testing

@testable import Notifications

/// 2026-11-23 00:00 UTC, 08:00 in Yulin.
let morning = Date(timeIntervalSince1970: 1_795_392_000)

@Suite("Names in messages")
struct ElderNameTests {
    @Test(
        "Honorific and masked forms, Chinese and English",
        arguments: [
            ("黄秀英", Sex.female, ElderNameStyle.honorific, NotificationSettings.Language.zh, "黄女士"),
            ("黄建国", .male, .honorific, .zh, "黄先生"),
            ("黄秀英", .female, .masked, .zh, "黄**"),
            ("李明", .male, .masked, .zh, "李*"),
            ("欧阳娜娜", .female, .masked, .zh, "欧阳**"),
            ("欧阳娜娜", .female, .honorific, .zh, "欧阳女士"),
            ("欧阳", .male, .masked, .zh, "欧*"),
            ("黄秀英", .female, .honorific, .en, "Ms 黄"),
            ("阿依古丽·买买提", .female, .honorific, .zh, "阿**"),
            ("  王桂兰 ", .female, .masked, .zh, "王**"),
        ])
    func shortForms(name: String, sex: Sex, style: ElderNameStyle, language: NotificationSettings.Language, expected: String) {
        #expect(ElderName.short(name, sex: sex, style: style, language: language) == expected)
    }

    @Test func anEmptyNameIsNotPrinted() {
        #expect(ElderName.short("", sex: .male, style: .honorific) == "老人")
    }
}

@Suite("Quiet hours")
struct QuietHoursTests {
    let quiet = QuietHours(start: 22 * 60, end: 7 * 60, utcOffsetMinutes: 480)

    /// A local Yulin time on 2026-11-23 (hours may run past 24 into the next day).
    func local(_ hour: Int, _ minute: Int = 0) -> Date {
        morning.addingTimeInterval(Double((hour - 8) * 3600 + minute * 60))
    }

    @Test func aWindowAcrossMidnight() {
        #expect(!quiet.contains(local(21, 59)))
        #expect(quiet.contains(local(22)))
        #expect(quiet.contains(local(26, 30)))  // 02:30 next day
        #expect(!quiet.contains(local(31)))  // 07:00 next day
        #expect(quiet.release(at: local(23, 15)) == local(31))
        #expect(quiet.release(at: local(26)) == local(31))
        #expect(quiet.release(at: local(12)) == local(12))
    }

    @Test func aWindowWithinOneDay() {
        let nap = QuietHours(start: 12 * 60, end: 14 * 60, utcOffsetMinutes: 480)
        #expect(nap.release(at: local(13)) == local(14))
        #expect(nap.release(at: local(14)) == local(14))
        #expect(!nap.contains(local(11, 59)))
    }

    @Test func equalEndsMeanNone() {
        let off = QuietHours(start: 0, end: 0, utcOffsetMinutes: 480)
        #expect(!off.contains(local(23)))
        #expect(off.release(at: local(23)) == local(23))
    }
}

@Suite("Retries and back-off")
struct RetryPolicyTests {
    let policy = RetryPolicy(
        maximumAttempts: 5, baseDelay: 10, maximumDelay: 300,
        quietHours: QuietHours(start: 22 * 60, end: 7 * 60, utcOffsetMinutes: 480))
    let failure = AttemptResult.failed(status: 503, error: "HTTP 503", retryable: true, retryAfter: nil, channelFault: true)
    let refusal = AttemptResult.failed(status: 400, error: "HTTP 400", retryable: false, retryAfter: nil, channelFault: false)

    @Test func backoffDoublesUpToTheCapWithEqualJitter() {
        #expect(policy.backoff(round: 1, jitter: 0) == 5)
        #expect(policy.backoff(round: 1, jitter: 0.999_999) > 9.99)
        #expect(policy.backoff(round: 2, jitter: 0.5) == 15)
        #expect(policy.backoff(round: 3, jitter: 0) == 20)
        #expect(policy.backoff(round: 10, jitter: 0) == 150)  // capped at 300, half fixed
        #expect(policy.backoff(round: 10, jitter: 1) == 300)
    }

    @Test func aNormalMessageRetriesOnItsChannelThenDies() {
        let next = policy.next(after: failure, urgency: .normal, attempt: 2, used: 0, channelCount: 2, now: morning, jitter: 0)
        #expect(next == .retry(due: morning.addingTimeInterval(10), channelIndex: 0, outcome: .retry))
        #expect(
            policy.next(after: failure, urgency: .normal, attempt: 5, used: 0, channelCount: 1, now: morning, jitter: 0)
                == .dead(channelIndex: 0))
        #expect(
            policy.next(after: refusal, urgency: .normal, attempt: 1, used: 0, channelCount: 1, now: morning, jitter: 0)
                == .dead(channelIndex: 0), "a 4xx is not retried")
    }

    @Test func retriesOfNormalMessagesWaitOutQuietHours() {
        let late = morning.addingTimeInterval(15 * 3600)  // 23:00 in Yulin
        let next = policy.next(after: failure, urgency: .low, attempt: 1, used: 0, channelCount: 1, now: late, jitter: 0)
        #expect(next == .retry(due: morning.addingTimeInterval(23 * 3600), channelIndex: 0, outcome: .retry))
        let urgent = policy.next(after: failure, urgency: .high, attempt: 1, used: 0, channelCount: 1, now: late, jitter: 0)
        #expect(urgent == .retry(due: late.addingTimeInterval(5), channelIndex: 0, outcome: .retry))
    }

    @Test func urgentMessagesFallOverAtOnceThenStartAgainAfterABackoff() {
        #expect(
            policy.next(after: failure, urgency: .critical, attempt: 1, used: 0, channelCount: 3, now: morning, jitter: 0)
                == .retry(due: morning, channelIndex: 1, outcome: .fallOver))
        #expect(
            policy.next(after: refusal, urgency: .critical, attempt: 2, used: 1, channelCount: 3, now: morning, jitter: 0)
                == .retry(due: morning, channelIndex: 2, outcome: .fallOver), "even a refusal falls over")
        // End of the first round (attempt 3 of 3 channels): back to the first channel after round 1's back-off.
        #expect(
            policy.next(after: failure, urgency: .critical, attempt: 3, used: 2, channelCount: 3, now: morning, jitter: 0)
                == .retry(due: morning.addingTimeInterval(5), channelIndex: 0, outcome: .retry))
        // End of the second round: round 2's back-off.
        #expect(
            policy.next(after: failure, urgency: .critical, attempt: 4, used: 1, channelCount: 2, now: morning, jitter: 0)
                == .retry(due: morning.addingTimeInterval(10), channelIndex: 0, outcome: .retry))
        #expect(
            policy.next(after: failure, urgency: .critical, attempt: 5, used: 0, channelCount: 3, now: morning, jitter: 0)
                == .dead(channelIndex: 0), "attempts run out even for emergencies")
        #expect(
            policy.next(after: refusal, urgency: .critical, attempt: 1, used: 0, channelCount: 1, now: morning, jitter: 0)
                == .dead(channelIndex: 0), "a lone channel that refuses will refuse again")
    }

    @Test func retryAfterIsHonoured() {
        let limited = AttemptResult.failed(status: 429, error: "HTTP 429", retryable: true, retryAfter: 120, channelFault: true)
        #expect(
            policy.next(after: limited, urgency: .normal, attempt: 1, used: 0, channelCount: 1, now: morning, jitter: 0)
                == .retry(due: morning.addingTimeInterval(120), channelIndex: 0, outcome: .retry))
    }

    @Test func anInterruptedSendIsNotAnAttempt() {
        #expect(
            policy.next(after: .interrupted, urgency: .normal, attempt: 5, used: 0, channelCount: 1, now: morning, jitter: 0)
                == .deferred(due: morning, channelIndex: 0))
    }

    func response(_ status: Int, _ headers: HTTPHeaders = [:]) -> Result<HTTPResponse, CurlHTTPError> {
        .success(HTTPResponse(status: status, headers: headers, body: Data(), totalTime: .milliseconds(3)))
    }

    @Test func classifyingResponsesAndErrors() {
        #expect(AttemptResult.classify(response(204), now: morning) == .delivered(status: 204))
        #expect(
            AttemptResult.classify(response(429, ["Retry-After": "7"]), now: morning)
                == .failed(status: 429, error: "HTTP 429", retryable: true, retryAfter: 7, channelFault: true))
        #expect(
            AttemptResult.classify(response(429, ["Retry-After": "Mon, 23 Nov 2026 00:02:00 GMT"]), now: morning)
                == .failed(status: 429, error: "HTTP 429", retryable: true, retryAfter: 120, channelFault: true))
        #expect(
            AttemptResult.classify(response(500), now: morning)
                == .failed(status: 500, error: "HTTP 500", retryable: true, retryAfter: nil, channelFault: true))
        #expect(
            AttemptResult.classify(response(400), now: morning)
                == .failed(status: 400, error: "HTTP 400", retryable: false, retryAfter: nil, channelFault: false))
        #expect(
            AttemptResult.classify(response(401), now: morning)
                == .failed(status: 401, error: "HTTP 401", retryable: false, retryAfter: nil, channelFault: true))
        #expect(
            AttemptResult.classify(response(302), now: morning)
                == .failed(status: 302, error: "HTTP 302", retryable: false, retryAfter: nil, channelFault: false))
        if case .failed(_, _, let retryable, _, let fault) = AttemptResult.classify(.failure(.timeout("slow")), now: morning) {
            #expect(retryable && fault)
        } else {
            Issue.record("a timeout is a failure")
        }
        #expect(AttemptResult.classify(.failure(.cancelled), now: morning) == .interrupted)
        // An SMS gateway URL may carry a key and a phone number: the error must not repeat it.
        let bad = AttemptResult.classify(.failure(.invalidURL("https://gw/x?key=SECRET&to=13800000001", reason: "bad")), now: morning)
        if case .failed(_, let error, _, _, _) = bad {
            #expect(!error.contains("SECRET") && !error.contains("13800000001"))
        } else {
            Issue.record("an invalid URL is a failure")
        }
    }
}

@Suite("The circuit breaker")
struct CircuitBreakerTests {
    @Test func opensAfterConsecutiveFaultsAndLetsOneProbeThroughLater() {
        let breaker = CircuitBreaker(threshold: 3, openDuration: 60)
        for _ in 0..<2 { breaker.record(.sms, fault: true, now: morning) }
        #expect(breaker.permits(.sms, now: morning))
        breaker.record(.sms, fault: true, now: morning)
        #expect(breaker.state(.sms, now: morning) == .open(until: morning.addingTimeInterval(60)))
        #expect(!breaker.permits(.sms, now: morning.addingTimeInterval(59)))
        #expect(breaker.permits(.push, now: morning), "other channels are not affected")
        let later = morning.addingTimeInterval(60)
        #expect(breaker.permits(.sms, now: later), "the probe")
        #expect(!breaker.permits(.sms, now: later), "only one probe at a time")
        // The probe fails: the rest doubles.
        breaker.record(.sms, fault: true, now: later)
        #expect(breaker.reopensAt(.sms) == later.addingTimeInterval(120))
        let muchLater = later.addingTimeInterval(120)
        #expect(breaker.permits(.sms, now: muchLater))
        breaker.record(.sms, fault: false, now: muchLater)
        #expect(breaker.state(.sms, now: muchLater) == .closed)
        #expect(breaker.permits(.sms, now: muchLater))
    }

    @Test func aSuccessOrAMessageRefusalResetsTheCount() {
        let breaker = CircuitBreaker(threshold: 2, openDuration: 60)
        breaker.record(.webhook, fault: true, now: morning)
        breaker.record(.webhook, fault: false, now: morning)  // e.g. a 400 about one message
        breaker.record(.webhook, fault: true, now: morning)
        #expect(breaker.state(.webhook, now: morning) == .closed)
    }

    @Test func anInterruptedProbeGivesItsSlotBack() {
        let breaker = CircuitBreaker(threshold: 1, openDuration: 10)
        breaker.record(.push, fault: true, now: morning)
        let later = morning.addingTimeInterval(10)
        #expect(breaker.permits(.push, now: later))
        breaker.record(.push, fault: nil, now: later)
        #expect(breaker.permits(.push, now: later))
    }

    @Test func theRestIsCappedAtEightTimes() {
        let breaker = CircuitBreaker(threshold: 1, openDuration: 10)
        var now = morning
        breaker.record(.sms, fault: true, now: now)
        for _ in 0..<6 {
            now = breaker.reopensAt(.sms)!
            #expect(breaker.permits(.sms, now: now))
            breaker.record(.sms, fault: true, now: now)
        }
        #expect(breaker.reopensAt(.sms) == now.addingTimeInterval(80))
    }
}

@Suite("Message texts")
struct TemplateTests {
    let zh = MessageTemplates(language: .zh, signature: "玉林智慧养老", utcOffsetMinutes: 480)
    let en = MessageTemplates(language: .en, signature: "Yulin Eldercare", utcOffsetMinutes: 480)

    var facts: MessageFacts {
        var f = MessageFacts(
            elder: "黄女士", callId: 4812, codeLabel: AlarmCode.fall.label, priority: "P1",
            at: morning.addingTimeInterval(-5 * 3600 - 49 * 60), ackURL: "https://care.example.org/v1/acks/tok-1")
        f.responders = ["社区工作人员 黄建国"]
        f.responderName = "黄建国"
        f.outcomeLabel = CallOutcome.attendedByResponder.label
        f.deadline = .unclaimed
        f.escalationCount = 2
        f.service = "助浴"
        f.worker = "陈师傅"
        f.record = "MR-2291"
        return f
    }

    static let kinds: [MessageKind] = [
        .emergency, .chainExhausted(contacts: 2), .chainExhausted(contacts: 0), .responderDispatched, .responderOnScene,
        .resolved, .escalated, .bookingConfirmed(toProvider: false), .bookingConfirmed(toProvider: true), .bookingReminder,
        .workerAssigned, .visitMissed(toProvider: false), .visitMissed(toProvider: true), .syncConflict,
    ]

    @Test func everyMessageIsSignedAndNamesOnlyTheShortName() {
        for kind in Self.kinds {
            for (templates, prefix) in [(zh, "【玉林智慧养老】"), (en, "[Yulin Eldercare] ")] {
                let (title, text) = templates.render(kind, facts)
                #expect(!title.isEmpty)
                #expect(text.hasPrefix(prefix), "\(kind)")
                #expect(!text.contains("黄秀英"), "\(kind)")
                // Nothing that looks like an identity number (a run of 15 or more digits).
                #expect(text.split(whereSeparator: { !$0.isNumber }).allSatisfy { $0.count < 15 }, "\(kind)")
                if case .syncConflict = kind { continue }
                if case .chainExhausted = kind {
                } else if case .escalated = kind {
                } else {
                    #expect(text.contains("黄女士"), "\(kind): \(text)")
                }
            }
        }
    }

    @Test func theEmergencyMessage() {
        let (title, text) = zh.render(.emergency, facts)
        #expect(title == "紧急呼叫")
        #expect(text == "【玉林智慧养老】紧急：您的家人黄女士的设备于02:11发出“跌倒报警”（P1），平台已接警处置。请点击确认收到：https://care.example.org/v1/acks/tok-1")
        let english = en.render(.emergency, facts).text
        #expect(english.contains("Fall detected") && english.contains("02:11") && english.hasSuffix("tok-1"))
        var noLink = facts
        noLink.ackURL = nil
        #expect(zh.render(.emergency, noLink).text.hasSuffix("请尽快与老人或平台联系。"))
    }

    @Test func updatesAndEscalations() {
        #expect(zh.render(.responderDispatched, facts).text.hasSuffix("平台已为您的家人黄女士派出社区工作人员 黄建国，正在赶往。"))
        #expect(zh.render(.resolved, facts).text.hasSuffix("您的家人黄女士的呼叫已处置完毕：上门处置。"))
        #expect(zh.render(.escalated, facts).text.hasSuffix("呼叫#4812（黄女士，P1 跌倒报警）超时无人接警（第2次），请立即处理。"))
        #expect(zh.render(.bookingReminder, facts).text.hasSuffix("提醒：黄女士明天（11月23日 02:11）有助浴服务。"))
        #expect(en.render(.bookingConfirmed(toProvider: true), facts).text.hasSuffix("New booking: 助浴, 23 Nov 02:11, for 黄女士."))
    }
}

@Suite("Channels build the requests their services expect")
struct ChannelTests {
    let message = ClaimedNotification(
        id: 81, key: "call:4812:opened:family_contact:5531", topic: "call_opened", urgency: .critical, elderId: 1024,
        callId: 4812, recipient: NotificationRecipient(kind: .familyContact, id: 5531, name: "李娟", phone: "13807751234"),
        channels: [.sms, .push, .webhook], channelIndex: 0, title: "紧急呼叫",
        text: "【玉林智慧养老】紧急：\"引号\" & 换行\n结束", attempt: 2, chainStep: 1, ackToken: "tok-1", createdAt: morning)

    @Test func theWebhookIsSignedJSON() throws {
        let channel = WebhookChannel(.init(url: "https://hooks.example/care", secret: "s3cret"))
        let request = try channel.request(
            for: message, ackURL: "https://care.example.org/v1/acks/tok-1", now: morning,
            timeout: .seconds(5))
        #expect(request.method == .post && request.url == "https://hooks.example/care")
        #expect(request.headers["Idempotency-Key"] == message.key)
        #expect(request.headers["Content-Type"] == "application/json")
        let timestamp = try #require(request.headers["X-Eldercare-Timestamp"])
        #expect(timestamp == "1795392000")
        let signature = try #require(request.headers["X-Eldercare-Signature"])
        let body = try #require(request.body)
        #expect(WebhookChannel.verify(signature: signature, timestamp: timestamp, body: body, secret: "s3cret"))
        #expect(!WebhookChannel.verify(signature: signature, timestamp: timestamp, body: body, secret: "other"))
        #expect(!WebhookChannel.verify(signature: signature, timestamp: "1795392001", body: body, secret: "s3cret"))
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(json["idempotencyKey"] as? String == message.key)
        #expect(json["text"] as? String == message.text)
        #expect(json["attempt"] as? Int == 2 && json["chainStep"] as? Int == 1 && json["urgency"] as? String == "critical")
        #expect(json["ackUrl"] as? String == "https://care.example.org/v1/acks/tok-1")
        #expect((json["recipient"] as? [String: Any])?["phone"] as? String == "13807751234")
        #expect(request.timeout == .seconds(5))
    }

    @Test func anSMSGatewayWithAJSONTemplate() throws {
        let channel = SMSGatewayChannel(.init(url: "https://sms.example.cn/v2/send", apiKey: "KEY-1"))
        let request = try channel.request(for: message, ackURL: nil, now: morning, timeout: .seconds(5))
        #expect(request.method == .post)
        #expect(request.headers["Authorization"] == "Bearer KEY-1")
        #expect(request.headers["Idempotency-Key"] == message.key)
        let body = try #require(request.body)
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: String])
        #expect(json == ["to": "13807751234", "text": message.text, "requestId": message.key], "quotes and line breaks survive")
    }

    @Test func anSMSGatewayWithAFormBodyAndBasicAuth() throws {
        let channel = SMSGatewayChannel(
            .init(
                url: "https://sms.example.cn/send", format: .form,
                template: "account={{username}}&mobile={{phone}}&content={{text}}",
                auth: .basic, username: "yulin", apiKey: "pw&1"))
        let request = try channel.request(for: message, ackURL: nil, now: morning, timeout: .seconds(5))
        #expect(request.headers["Authorization"] == "Basic " + Data("yulin:pw&1".utf8).base64EncodedString())
        let raw = try #require(request.body)
        let body = String(decoding: raw, as: UTF8.self)
        #expect(body.hasPrefix("account=yulin&mobile=13807751234&content=%E3%80%90"))
        #expect(
            !body.contains(" ") && !body.contains("\n") && body.components(separatedBy: "&").count == 3,
            "the text's & and spaces are encoded")
        let content = try #require(body.components(separatedBy: "content=").last?.removingPercentEncoding)
        #expect(content == message.text)
    }

    @Test func anSMSGatewayTakingAQueryString() throws {
        let channel = SMSGatewayChannel(
            .init(
                url: "https://sms.example.cn/send?v=2", format: .query,
                template: "key={{apiKey}}&to={{phone}}&msg={{text}}", auth: .none, apiKey: "K"))
        let request = try channel.request(for: message, ackURL: nil, now: morning, timeout: .seconds(5))
        #expect(request.method == .get && request.body == nil)
        #expect(request.url.hasPrefix("https://sms.example.cn/send?v=2&key=K&to=13807751234&msg=%E3%80%90"))
        #expect(request.headers["Authorization"] == nil)
    }

    @Test func anSMSGatewayCannotReachSomeoneWithoutAPhone() throws {
        let channel = SMSGatewayChannel(.init(url: "https://sms.example.cn/send"))
        #expect(!channel.canReach(NotificationRecipient(kind: .supervisor, id: nil, name: "值班主管", phone: nil)))
        var m = message
        m.recipient.phone = nil
        #expect(throws: ChannelError.self) { try channel.request(for: m, ackURL: nil, now: morning, timeout: .seconds(1)) }
        let broken = SMSGatewayChannel(.init(url: "https://sms.example.cn/send", template: "{{phone}} {{nope}}"))
        #expect(throws: ChannelError.self) { try broken.request(for: message, ackURL: nil, now: morning, timeout: .seconds(1)) }
    }

    @Test func ntfyStylePush() throws {
        let channel = PushChannel(.init(url: "https://ntfy.example.org/", token: "tk_1"))
        let request = try channel.request(
            for: message, ackURL: "https://care.example.org/v1/acks/tok-1", now: morning,
            timeout: .seconds(5))
        #expect(request.url == "https://ntfy.example.org/eldercare-family_contact-5531")
        #expect(request.headers["Title"] == "=?UTF-8?B?" + Data("紧急呼叫".utf8).base64EncodedString() + "?=")
        #expect(request.headers["Priority"] == "5")
        #expect(request.headers["Tags"] == "rotating_light")
        #expect(request.headers["Click"] == "https://care.example.org/v1/acks/tok-1")
        #expect(request.headers["Authorization"] == "Bearer tk_1")
        #expect(request.headers["Idempotency-Key"] == message.key)
        #expect(request.body == Data(message.text.utf8))
        #expect(channel.topic(for: NotificationRecipient(kind: .supervisor, id: nil, name: "x", phone: nil)) == "eldercare-supervisor")
        #expect(PushChannel.headerText("Call resolved") == "Call resolved")
    }
}

@Suite("Who is told what")
struct PlannerTests {
    func planner(_ configure: (inout NotificationSettings) -> Void = { _ in }) -> NotificationPlanner {
        var s = NotificationSettings()
        s.sms = .init(url: "https://sms.example.cn/send")
        s.push = .init(url: "https://ntfy.example.org")
        s.publicBaseURL = "https://care.example.org"
        configure(&s)
        let channels: [any NotificationChannel] = [SMSGatewayChannel(s.sms!), PushChannel(s.push!)]
        let counter = TokenCounter()
        return NotificationPlanner(settings: s, channels: channels, makeToken: { counter.next() })
    }

    func elder(notifyFamily: Bool = true, phone: String? = nil) -> Elder {
        Elder(
            id: 7, name: "黄秀英", nationalId: "450902194405010026", birthDate: CalendarDate(year: 1944, month: 5, day: 1)!,
            sex: .female, phone: phone, address: "人民路1号", location: nil, regionCode: "450902000000",
            livingSituation: .alone, careLevel: .disabled, categories: [], consent: Consent(notifyFamily: notifyFamily),
            status: .active, version: 1, createdAt: morning, updatedAt: morning)
    }

    let contacts = [
        EmergencyContact(id: 11, elderId: 7, position: 1, name: "李明", relation: .son, phone: "13800000001", hasKey: true),
        EmergencyContact(id: 12, elderId: 7, position: 2, name: "李娟", relation: .daughter, phone: "13800000002", hasKey: false),
    ]

    func context(_ topic: String, payload: [String: String] = [:], elder: Elder? = nil, chain: [ChainLink] = []) -> FanOutContext {
        let message = OutboxMessage(
            id: 1, topic: topic, key: "call:99:\(topic)", elderId: 7, callId: 99, payload: payload,
            createdAt: morning)
        return FanOutContext(message: message, elder: elder ?? self.elder(), contacts: contacts, chain: chain)
    }

    @Test func anEmergencyWalksTheContactsInCallOrderThenTheSupervisor() {
        let plan = planner().plan(context("call_opened", payload: ["code": "fall", "priority": "P1"]), now: morning)
        #expect(plan.notifications.map(\.recipient.key) == ["family_contact:11", "family_contact:12", "supervisor"])
        #expect(plan.notifications.map(\.chainStep) == [1, 2, 3])
        #expect(plan.notifications.map(\.due) == [morning, morning.addingTimeInterval(180), morning.addingTimeInterval(360)])
        #expect(
            plan.notifications.map(\.key) == [
                "call:99:call_opened:family_contact:11", "call:99:call_opened:family_contact:12",
                "call:99:call_opened:supervisor",
            ])
        #expect(plan.notifications[0].ackToken == "tok-1" && plan.notifications[1].ackToken == "tok-2")
        #expect(plan.notifications[0].text.contains("https://care.example.org/v1/acks/tok-1"))
        #expect(plan.notifications[0].channels == [.sms, .push], "urgent: every channel that reaches the contact")
        #expect(plan.notifications[2].channels == [.push], "the supervisor has no phone configured")
        #expect(plan.notifications.allSatisfy { $0.urgency == .critical })
        #expect(plan.notifications[2].text.contains("已依次通知2位家属"))
    }

    @Test func withoutConsentOnlyTheSupervisorIsTold() {
        let plan = planner().plan(context("call_opened", elder: elder(notifyFamily: false)), now: morning)
        #expect(plan.notifications.map(\.recipient.key) == ["supervisor"])
        #expect(plan.notifications[0].due == morning)
        #expect(plan.notifications[0].text.contains("没有登记紧急联系人"))
    }

    @Test func updatesGoToTheContactsTheEmergencyReached() {
        let chain = [
            ChainLink(recipientKind: .familyContact, recipientId: 11, step: 1, attempts: 1, status: .sent, acknowledged: true),
            ChainLink(recipientKind: .familyContact, recipientId: 12, step: 2, attempts: 0, status: .cancelled, acknowledged: false),
        ]
        let plan = planner().plan(context("call_resolved", payload: ["outcome": "handled_by_phone"], chain: chain), now: morning)
        #expect(plan.notifications.map(\.recipient.key) == ["family_contact:11"])
        #expect(plan.cancelsChain)
        #expect(plan.notifications[0].text.hasSuffix("呼叫已处置完毕：电话处置。"))
        // No chain (a P3 call): every contact.
        let all = planner().plan(context("responder_dispatched"), now: morning)
        #expect(all.notifications.map(\.recipient.key) == ["family_contact:11", "family_contact:12"])
        #expect(!all.cancelsChain)
    }

    @Test func escalationsGoToTheSupervisor() {
        let plan = planner { $0.supervisorPhone = "13900000000" }
            .plan(context("call_escalated", payload: ["deadline": "unclaimed", "priority": "P1"]), now: morning)
        #expect(plan.notifications.map(\.recipient.key) == ["supervisor"])
        #expect(plan.notifications[0].channels == [.sms, .push])
        #expect(plan.notifications[0].text.contains("超时无人接警"))
    }

    @Test func bookingsWaitOutQuietHoursAndUseOneChannel() {
        let late = morning.addingTimeInterval(15 * 3600)  // 23:00 in Yulin
        let plan = planner().plan(context("booking_confirmed", payload: ["service": "助浴", "at": "2026-11-24T01:00:00Z"]), now: late)
        #expect(plan.notifications.count == 1, "no provider named: the family only")
        #expect(plan.notifications[0].recipient.key == "family_contact:11", "the elder has no phone: the first contact")
        #expect(plan.notifications[0].channels == [.sms])
        #expect(plan.notifications[0].due == morning.addingTimeInterval(23 * 3600))
        let withPhone = planner().plan(context("booking_reminder", elder: elder(phone: "13700000000")), now: morning)
        #expect(withPhone.notifications.map(\.recipient.key) == ["elder:7"])
    }

    @Test func recipientsNoChannelReachesAreStoredWithAReason() {
        var settings = NotificationSettings()
        settings.sms = .init(url: "https://sms.example.cn/send")
        let limited = NotificationPlanner(settings: settings, channels: [SMSGatewayChannel(settings.sms!)], makeToken: { "t" })
        let plan = limited.plan(context("call_escalated"), now: morning)
        #expect(plan.notifications[0].channels.isEmpty)
        #expect(plan.notifications[0].deadReason?.contains("supervisor") == true)
    }

    @Test func unknownTopicsAndMissingEldersSendNothing() {
        #expect(planner().plan(context("weather_warning"), now: morning).notifications.isEmpty)
        var c = context("call_opened")
        c.elder = nil
        #expect(planner().plan(c, now: morning).note.contains("not found"))
    }
}
