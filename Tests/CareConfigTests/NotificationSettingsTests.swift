import CareModel
import Foundation
import Testing

@testable import CareConfig

extension CareSettingsLoaderTests {
    /// The `notifications` section as `Config/eldercare.json` must hold it.
    static func notificationDefaults(_ n: CareSettings.Notifications) -> NSDictionary {
        [
            "channelOrder": n.channelOrder, "webhookURL": n.webhookURL, "webhookSecret": n.webhookSecret,
            "smsURL": n.smsURL, "smsFormat": n.smsFormat.rawValue, "smsTemplate": n.smsTemplate,
            "smsAuth": n.smsAuth.rawValue, "smsUsername": n.smsUsername, "smsAPIKey": n.smsAPIKey,
            "pushURL": n.pushURL, "pushToken": n.pushToken, "pushTopicPrefix": n.pushTopicPrefix,
            "supervisorPhone": n.supervisorPhone, "publicBaseURL": n.publicBaseURL, "signature": n.signature,
            "language": n.language.rawValue, "nameStyle": n.nameStyle.rawValue,
            "acknowledgementTimeoutSeconds": n.acknowledgementTimeoutSeconds, "maxAttempts": n.maxAttempts,
            "retryBaseSeconds": n.retryBaseSeconds, "retryMaxDelaySeconds": n.retryMaxDelaySeconds,
            "requestTimeoutSeconds": n.requestTimeoutSeconds, "quietHoursStart": n.quietHoursStart,
            "quietHoursEnd": n.quietHoursEnd, "utcOffsetMinutes": n.utcOffsetMinutes,
            "circuitFailureThreshold": n.circuitFailureThreshold, "circuitOpenSeconds": n.circuitOpenSeconds,
            "concurrency": n.concurrency, "pollIntervalMilliseconds": n.pollIntervalMilliseconds,
        ]
    }

    static let notificationEnvironmentNames: [String: String] = [
        "notifications.channelOrder": "ELDERCARE_NOTIFICATIONS_CHANNEL_ORDER",
        "notifications.webhookURL": "ELDERCARE_NOTIFICATIONS_WEBHOOK_URL",
        "notifications.webhookSecret": "ELDERCARE_NOTIFICATIONS_WEBHOOK_SECRET",
        "notifications.smsURL": "ELDERCARE_NOTIFICATIONS_SMS_URL",
        "notifications.smsFormat": "ELDERCARE_NOTIFICATIONS_SMS_FORMAT",
        "notifications.smsTemplate": "ELDERCARE_NOTIFICATIONS_SMS_TEMPLATE",
        "notifications.smsAuth": "ELDERCARE_NOTIFICATIONS_SMS_AUTH",
        "notifications.smsUsername": "ELDERCARE_NOTIFICATIONS_SMS_USERNAME",
        "notifications.smsAPIKey": "ELDERCARE_NOTIFICATIONS_SMS_API_KEY",
        "notifications.pushURL": "ELDERCARE_NOTIFICATIONS_PUSH_URL",
        "notifications.pushToken": "ELDERCARE_NOTIFICATIONS_PUSH_TOKEN",
        "notifications.pushTopicPrefix": "ELDERCARE_NOTIFICATIONS_PUSH_TOPIC_PREFIX",
        "notifications.supervisorPhone": "ELDERCARE_NOTIFICATIONS_SUPERVISOR_PHONE",
        "notifications.publicBaseURL": "ELDERCARE_NOTIFICATIONS_PUBLIC_BASE_URL",
        "notifications.signature": "ELDERCARE_NOTIFICATIONS_SIGNATURE",
        "notifications.language": "ELDERCARE_NOTIFICATIONS_LANGUAGE",
        "notifications.nameStyle": "ELDERCARE_NOTIFICATIONS_NAME_STYLE",
        "notifications.acknowledgementTimeoutSeconds": "ELDERCARE_NOTIFICATIONS_ACKNOWLEDGEMENT_TIMEOUT_SECONDS",
        "notifications.maxAttempts": "ELDERCARE_NOTIFICATIONS_MAX_ATTEMPTS",
        "notifications.retryBaseSeconds": "ELDERCARE_NOTIFICATIONS_RETRY_BASE_SECONDS",
        "notifications.retryMaxDelaySeconds": "ELDERCARE_NOTIFICATIONS_RETRY_MAX_DELAY_SECONDS",
        "notifications.requestTimeoutSeconds": "ELDERCARE_NOTIFICATIONS_REQUEST_TIMEOUT_SECONDS",
        "notifications.quietHoursStart": "ELDERCARE_NOTIFICATIONS_QUIET_HOURS_START",
        "notifications.quietHoursEnd": "ELDERCARE_NOTIFICATIONS_QUIET_HOURS_END",
        "notifications.utcOffsetMinutes": "ELDERCARE_NOTIFICATIONS_UTC_OFFSET_MINUTES",
        "notifications.circuitFailureThreshold": "ELDERCARE_NOTIFICATIONS_CIRCUIT_FAILURE_THRESHOLD",
        "notifications.circuitOpenSeconds": "ELDERCARE_NOTIFICATIONS_CIRCUIT_OPEN_SECONDS",
        "notifications.concurrency": "ELDERCARE_NOTIFICATIONS_CONCURRENCY",
        "notifications.pollIntervalMilliseconds": "ELDERCARE_NOTIFICATIONS_POLL_INTERVAL_MILLISECONDS",
    ]
}

@Suite("Notification settings")
struct NotificationSettingsTests {
    @Test(
        "Each notifications rule refuses its wrong values",
        arguments: [
            ("notifications.channelOrder", ""), ("notifications.channelOrder", "sms,sms"), ("notifications.channelOrder", "sms,email"),
            ("notifications.webhookURL", "ftp://hooks.example"), ("notifications.webhookURL", "hooks.example/x"),
            ("notifications.webhookURL", "https://"), ("notifications.smsURL", "https://gw.example/send sms"),
            ("notifications.smsFormat", "xml"), ("notifications.smsAuth", "digest"),
            ("notifications.smsTemplate", "to={{phone}}"), ("notifications.smsTemplate", "to={{phone}}&text={{body}}"),
            ("notifications.smsTemplate", "to={{phone}&text={{text}}"),
            ("notifications.pushTopicPrefix", "elder care"), ("notifications.supervisorPhone", "138-0000-1111"),
            ("notifications.signature", "【玉林】"), ("notifications.language", "fr"), ("notifications.nameStyle", "full"),
            ("notifications.acknowledgementTimeoutSeconds", "5"), ("notifications.maxAttempts", "0"),
            ("notifications.quietHoursStart", "24:00"), ("notifications.quietHoursEnd", "7:00"),
            ("notifications.utcOffsetMinutes", "900"), ("notifications.concurrency", "0"),
        ])
    func rulesRefuse(key: String, value: String) async throws {
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [key: value])
        }
        #expect(problem.key == key)
        #expect(problem.value == value)
    }

    @Test(
        "Each notifications rule accepts good values",
        arguments: [
            ("notifications.channelOrder", "webhook"), ("notifications.channelOrder", "push, sms"),
            ("notifications.smsURL", "https://sms.example.cn/api/send?ver=2"), ("notifications.smsFormat", "QUERY"),
            ("notifications.smsTemplate", "u={{username}}&p={{apiKey}}&m={{ phone }}&c={{text}}"),
            ("notifications.supervisorPhone", "+8613800001111"), ("notifications.quietHoursStart", "00:00"),
            ("notifications.utcOffsetMinutes", "-300"), ("notifications.concurrency", "2048"),
        ])
    func rulesAccept(key: String, value: String) async throws {
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let settings = try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [key: value])
        let setting = try #require(SettingKey.byName[key])
        #expect(setting.read(settings) == setting.held(given: value), "the accepted value is the one loaded")
    }

    @Test("Settings built by hand are read with the loader's rules, a wrong value naming its key")
    func handBuiltSettingsAreChecked() throws {
        var n = CareSettings.Notifications()
        #expect(try n.channels() == [.sms, .push, .webhook])
        #expect(try n.quietHoursInMinutes() == (start: 1320, end: 420))
        n.quietHoursEnd = "7:00"
        let problem = try #require(throws: ConfigurationProblem.self) { try n.quietHoursInMinutes() }
        #expect(
            problem
                == ConfigurationProblem(
                    key: "notifications.quietHoursEnd", value: "7:00",
                    allowed: "a 24-hour clock time HH:MM, such as 22:00"))
    }

    @Test("A webhook URL needs a secret, and the refusal shows no secret")
    func webhookNeedsSecret() async throws {
        let file = try TemporaryFile(#"{"notifications": {"webhookURL": "https://hooks.example/care"}}"#)
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [:])
        }
        #expect(problem.key == "notifications.webhookSecret")
        #expect(problem.value == "")
        let settings = try await CareSettingsLoader.load(
            file: file.path, environment: ["ELDERCARE_NOTIFICATIONS_WEBHOOK_SECRET": "s3cr3t-value"], overrides: [:])
        #expect(settings.notifications.webhookSecret == "s3cr3t-value")
        #expect(settings.notifications.webhookURL == "https://hooks.example/care")
    }

    @Test("Credentials come from the environment, and any text is accepted so none is ever echoed")
    func credentialsFromEnvironment() async throws {
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let settings = try await CareSettingsLoader.load(
            file: file.path,
            environment: [
                "ELDERCARE_NOTIFICATIONS_SMS_API_KEY": " key with spaces & symbols \"{}\" ",
                "ELDERCARE_NOTIFICATIONS_PUSH_TOKEN": "tk_123",
                "ELDERCARE_NOTIFICATIONS_SMS_USERNAME": "yulin-care",
            ], overrides: [:])
        #expect(settings.notifications.smsAPIKey == " key with spaces & symbols \"{}\" ")
        #expect(settings.notifications.pushToken == "tk_123")
        #expect(settings.notifications.smsUsername == "yulin-care")
    }

    @Test("The retry base may not exceed the maximum delay")
    func retryBaseAboveMaximum() async throws {
        let file = try TemporaryFile(#"{"notifications": {"retryMaxDelaySeconds": 60}}"#)
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: ["notifications.retryBaseSeconds": "120"])
        }
        #expect(problem.key == "notifications.retryBaseSeconds")
    }
}
