import CareConfig
import CareModel
import Foundation
import Notifications

extension NotificationSettings {
    /// The worker's settings from the `notifications.*` configuration keys. Nothing is replaced
    /// by a default: a value no key allows (possible only in settings built by hand, since the
    /// loader refuses them) is the ``ConfigurationProblem`` naming its key.
    public init(_ c: CareSettings.Notifications) throws(ConfigurationProblem) {
        self.init()
        channelOrder = try c.channels()
        if !c.webhookURL.isEmpty { webhook = Webhook(url: c.webhookURL, secret: c.webhookSecret) }
        if !c.smsURL.isEmpty {
            sms = SMS(
                url: c.smsURL, format: SMSFormat(c.smsFormat), template: c.smsTemplate,
                auth: SMSAuth(c.smsAuth), username: c.smsUsername, apiKey: c.smsAPIKey)
        }
        if !c.pushURL.isEmpty { push = Push(url: c.pushURL, token: c.pushToken, topicPrefix: c.pushTopicPrefix) }
        supervisorPhone = c.supervisorPhone.isEmpty ? nil : c.supervisorPhone
        publicBaseURL = c.publicBaseURL.isEmpty ? nil : c.publicBaseURL
        signature = c.signature
        language = Language(c.language)
        nameStyle = ElderNameStyle(c.nameStyle)
        acknowledgementTimeout = TimeInterval(c.acknowledgementTimeoutSeconds)
        maximumAttempts = c.maxAttempts
        retryBaseDelay = TimeInterval(c.retryBaseSeconds)
        retryMaximumDelay = TimeInterval(c.retryMaxDelaySeconds)
        requestTimeout = .seconds(c.requestTimeoutSeconds)
        let quiet = try c.quietHoursInMinutes()
        quietHours = QuietHours(start: quiet.start, end: quiet.end, utcOffsetMinutes: c.utcOffsetMinutes)
        circuitFailureThreshold = c.circuitFailureThreshold
        circuitOpenDuration = TimeInterval(c.circuitOpenSeconds)
        concurrency = c.concurrency
        batchSize = min(512, max(16, c.concurrency))
        pollInterval = .milliseconds(c.pollIntervalMilliseconds)
    }
}

// Each configuration choice has its worker value; a choice added to one side only does not compile.

extension NotificationSettings.SMSFormat {
    init(_ format: NotificationSMSFormat) {
        switch format {
        case .json: self = .json
        case .form: self = .form
        case .query: self = .query
        }
    }
}

extension NotificationSettings.SMSAuth {
    init(_ auth: NotificationSMSAuth) {
        switch auth {
        case .none: self = .none
        case .basic: self = .basic
        case .bearer: self = .bearer
        }
    }
}

extension NotificationSettings.Language {
    init(_ language: NotificationLanguage) {
        switch language {
        case .zh: self = .zh
        case .en: self = .en
        }
    }
}

extension ElderNameStyle {
    init(_ style: NotificationNameStyle) {
        switch style {
        case .honorific: self = .honorific
        case .masked: self = .masked
        }
    }
}
