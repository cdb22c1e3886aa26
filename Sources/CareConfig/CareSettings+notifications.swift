import CareModel
import Foundation

extension CareSettings {
    /// Messages to families, supervisors, providers and agencies (Docs/configuration.md,
    /// "Notifications"). A channel is on when its URL is set; with none set, messages wait in
    /// the outbox.
    public struct Notifications: Sendable, Equatable {
        /// The channels to try, in order, comma-separated; urgent messages fall over along it.
        public var channelOrder = "sms,push,webhook"
        /// The generic webhook's URL; empty: off.
        public var webhookURL = ""
        /// Signs each webhook (HMAC-SHA256). Secret: never logged.
        public var webhookSecret = ""
        /// The SMS gateway's URL; empty: off.
        public var smsURL = ""
        public var smsFormat: NotificationSMSFormat = .json
        /// The gateway's body (or query) with `{{phone}}`, `{{text}}`, `{{title}}`, `{{idempotencyKey}}`,
        /// `{{username}}` and `{{apiKey}}`.
        public var smsTemplate = #"{"to":"{{phone}}","text":"{{text}}","requestId":"{{idempotencyKey}}"}"#
        public var smsAuth: NotificationSMSAuth = .bearer
        public var smsUsername = ""
        /// Secret: never logged.
        public var smsAPIKey = ""
        /// The ntfy-style push server; empty: off.
        public var pushURL = ""
        /// Secret: never logged.
        public var pushToken = ""
        public var pushTopicPrefix = "eldercare-"
        /// The shift supervisor's mobile number, for SMS; empty: push and webhook only.
        public var supervisorPhone = ""
        /// Where acknowledgement links point (`<publicBaseURL>/v1/acks/<token>`); empty: no links.
        public var publicBaseURL = ""
        /// The sender's name, in 【】 at the start of every message.
        public var signature = "玉林智慧养老"
        public var language: NotificationLanguage = .zh
        public var nameStyle: NotificationNameStyle = .honorific
        /// How long a contact has to acknowledge an emergency before the next one is told.
        public var acknowledgementTimeoutSeconds = 180
        /// Sends per message before it becomes a dead letter.
        public var maxAttempts = 10
        /// The first retry's wait; each further retry doubles it (with jitter).
        public var retryBaseSeconds = 5
        public var retryMaxDelaySeconds = 1_800
        public var requestTimeoutSeconds = 10
        /// Non-urgent messages wait from here…
        public var quietHoursStart = "22:00"
        /// …until here (recipients' local time); equal values turn quiet hours off.
        public var quietHoursEnd = "07:00"
        /// The recipients' offset from UTC, in minutes (480: China).
        public var utcOffsetMinutes = 480
        /// Consecutive failures that pause a channel.
        public var circuitFailureThreshold = 5
        /// How long a paused channel rests before a probe.
        public var circuitOpenSeconds = 60
        /// Deliveries in flight at once.
        public var concurrency = 256
        /// How often the worker looks for new outbox rows when idle.
        public var pollIntervalMilliseconds = 500

        public init() {}
    }
}

extension CareSettings.Notifications {
    /// ``channelOrder``'s channels, in order; a text the `notifications.channelOrder` key does
    /// not allow is the same problem the loader would have reported.
    public func channels() throws(ConfigurationProblem) -> [NotificationChannelKind] {
        try SettingKey.channelOrder.value(of: channelOrder, read: Self.channels(in:))
    }

    /// ``quietHoursStart`` and ``quietHoursEnd`` as minutes after midnight, checked as
    /// ``channels()`` is.
    public func quietHoursInMinutes() throws(ConfigurationProblem) -> (start: Int, end: Int) {
        (
            try SettingKey.quietHoursStart.value(of: quietHoursStart, read: LocalTime.minutes(ofClockTime:)),
            try SettingKey.quietHoursEnd.value(of: quietHoursEnd, read: LocalTime.minutes(ofClockTime:))
        )
    }

    /// The channels `text` names, comma-separated, each at most once; nil for any other text.
    static func channels(in text: String) -> [NotificationChannelKind]? {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let channels = names.compactMap(NotificationChannelKind.init(rawValue:))
        guard channels.count == names.count, Set(channels).count == channels.count else { return nil }
        return channels
    }
}

/// How the SMS gateway takes its parameters.
public enum NotificationSMSFormat: String, Sendable, Equatable, CaseIterable {
    case json, form, query
}

/// How the SMS gateway takes its credentials.
public enum NotificationSMSAuth: String, Sendable, Equatable, CaseIterable {
    case none, basic, bearer
}

public enum NotificationLanguage: String, Sendable, Equatable, CaseIterable {
    case zh, en
}

/// 黄秀英 → 黄女士 (`honorific`) or 黄** (`masked`).
public enum NotificationNameStyle: String, Sendable, Equatable, CaseIterable {
    case honorific, masked
}

extension SettingKey {
    /// The `notifications.*` keys, in the order of `Config/eldercare.json`.
    static let notificationKeys: [SettingKey] = [
        .channelOrder,
        .text("notifications.webhookURL", \.notifications.webhookURL, allowed: httpURL, isValid: isHTTPURLOrEmpty),
        .text("notifications.webhookSecret", \.notifications.webhookSecret, allowed: secret, isValid: { _ in true }),
        .text("notifications.smsURL", \.notifications.smsURL, allowed: httpURL, isValid: isHTTPURLOrEmpty),
        .choice("notifications.smsFormat", \.notifications.smsFormat),
        .text(
            "notifications.smsTemplate", \.notifications.smsTemplate,
            allowed:
                "a template with balanced {{ }} placeholders ({{phone}}, {{text}}, {{title}}, {{idempotencyKey}}, {{username}}, {{apiKey}}) that uses {{phone}} and {{text}}",
            isValid: isSMSTemplate),
        .choice("notifications.smsAuth", \.notifications.smsAuth),
        .text("notifications.smsUsername", \.notifications.smsUsername, allowed: secret, isValid: { _ in true }),
        .text("notifications.smsAPIKey", \.notifications.smsAPIKey, allowed: secret, isValid: { _ in true }),
        .text("notifications.pushURL", \.notifications.pushURL, allowed: httpURL, isValid: isHTTPURLOrEmpty),
        .text("notifications.pushToken", \.notifications.pushToken, allowed: secret, isValid: { _ in true }),
        .text(
            "notifications.pushTopicPrefix", \.notifications.pushTopicPrefix,
            allowed: "at most 40 letters, digits, - or _",
            isValid: { $0.count <= 40 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } }),
        .text(
            "notifications.supervisorPhone", \.notifications.supervisorPhone,
            allowed: "empty, or a phone number of 5 to 20 digits (an optional + first)",
            isValid: { p in
                p.isEmpty
                    || ((5...21).contains(p.count)
                        && p.enumerated().allSatisfy { i, c in c.isASCII && (c.isNumber || (i == 0 && c == "+")) })
            }),
        .text("notifications.publicBaseURL", \.notifications.publicBaseURL, allowed: httpURL, isValid: isHTTPURLOrEmpty),
        .text(
            "notifications.signature", \.notifications.signature, allowed: "at most 20 characters, without 【 or 】",
            isValid: { $0.count <= 20 && !$0.contains("【") && !$0.contains("】") }),
        .choice("notifications.language", \.notifications.language),
        .choice("notifications.nameStyle", \.notifications.nameStyle),
        .integer("notifications.acknowledgementTimeoutSeconds", \.notifications.acknowledgementTimeoutSeconds, 10...86_400),
        .integer("notifications.maxAttempts", \.notifications.maxAttempts, 1...100),
        .integer("notifications.retryBaseSeconds", \.notifications.retryBaseSeconds, 1...3_600),
        .integer("notifications.retryMaxDelaySeconds", \.notifications.retryMaxDelaySeconds, 1...86_400),
        .integer("notifications.requestTimeoutSeconds", \.notifications.requestTimeoutSeconds, 1...300),
        .quietHoursStart,
        .quietHoursEnd,
        .integer("notifications.utcOffsetMinutes", \.notifications.utcOffsetMinutes, -720...840),
        .integer("notifications.circuitFailureThreshold", \.notifications.circuitFailureThreshold, 1...1_000),
        .integer("notifications.circuitOpenSeconds", \.notifications.circuitOpenSeconds, 1...86_400),
        .integer("notifications.concurrency", \.notifications.concurrency, 1...2_048),
        .integer("notifications.pollIntervalMilliseconds", \.notifications.pollIntervalMilliseconds, 10...60_000),
    ]

    // The keys whose text the notifications worker reads as something else: the loader checks
    // them, and ``CareSettings/Notifications`` reads them, with the same parser.
    static let channelOrder = SettingKey.text(
        "notifications.channelOrder", \.notifications.channelOrder,
        allowed: "a comma-separated list of webhook, sms and push, each at most once, such as sms,push,webhook",
        isValid: { CareSettings.Notifications.channels(in: $0) != nil })
    static let quietHoursStart = SettingKey.text(
        "notifications.quietHoursStart", \.notifications.quietHoursStart, allowed: clockTime,
        isValid: { LocalTime.minutes(ofClockTime: $0) != nil })
    static let quietHoursEnd = SettingKey.text(
        "notifications.quietHoursEnd", \.notifications.quietHoursEnd, allowed: clockTime,
        isValid: { LocalTime.minutes(ofClockTime: $0) != nil })

    /// Rules across `notifications.*` keys.
    static let notificationCrossChecks: [@Sendable (CareSettings) -> (key: String, value: String, allowed: String)?] = [
        { settings in
            let n = settings.notifications
            guard !n.webhookURL.isEmpty, n.webhookSecret.isEmpty else { return nil }
            // The value is empty, so nothing secret is shown.
            return (
                "notifications.webhookSecret", "", "a non-empty secret when notifications.webhookURL is set (webhooks are signed with it)"
            )
        },
        { settings in
            let n = settings.notifications
            guard n.retryBaseSeconds > n.retryMaxDelaySeconds else { return nil }
            return (
                "notifications.retryBaseSeconds", String(n.retryBaseSeconds),
                "a whole number from 1 to \(n.retryMaxDelaySeconds) (the value of notifications.retryMaxDelaySeconds)"
            )
        },
    ]

    private static let httpURL = "empty, or an absolute http:// or https:// URL"
    private static let secret = "any text (it is kept out of messages and logs)"
    private static let clockTime = "a 24-hour clock time HH:MM, such as 22:00"

    @Sendable static func isHTTPURLOrEmpty(_ text: String) -> Bool {
        if text.isEmpty { return true }
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return false }
        let rest = text.drop(while: { $0 != ":" }).dropFirst(3)
        return !rest.isEmpty && !rest.hasPrefix("/") && !text.contains(where: { $0.isWhitespace })
    }

    @Sendable static func isSMSTemplate(_ text: String) -> Bool {
        let known: Set<String> = ["phone", "text", "title", "idempotencyKey", "username", "apiKey"]
        var used: Set<String> = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { return false }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard known.contains(name) else { return false }
            used.insert(name)
            rest = rest[close.upperBound...]
        }
        return !rest.contains("}}") && used.contains("phone") && used.contains("text")
    }
}
