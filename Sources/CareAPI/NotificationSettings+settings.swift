import CareConfig
import CareModel
import Foundation
import Notifications

extension NotificationSettings {
    /// The worker's settings from the `notifications.*` configuration keys.
    public init(_ c: CareSettings.Notifications) {
        self.init()
        channelOrder = c.channelOrder.split(separator: ",")
            .compactMap { NotificationChannelKind(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        if !c.webhookURL.isEmpty { webhook = Webhook(url: c.webhookURL, secret: c.webhookSecret) }
        if !c.smsURL.isEmpty {
            sms = SMS(url: c.smsURL, format: SMSFormat(rawValue: c.smsFormat.rawValue) ?? .json, template: c.smsTemplate,
                      auth: SMSAuth(rawValue: c.smsAuth.rawValue) ?? .bearer, username: c.smsUsername, apiKey: c.smsAPIKey)
        }
        if !c.pushURL.isEmpty { push = Push(url: c.pushURL, token: c.pushToken, topicPrefix: c.pushTopicPrefix) }
        supervisorPhone = c.supervisorPhone.isEmpty ? nil : c.supervisorPhone
        publicBaseURL = c.publicBaseURL.isEmpty ? nil : c.publicBaseURL
        signature = c.signature
        language = c.language == .en ? .en : .zh
        nameStyle = c.nameStyle == .masked ? .masked : .honorific
        acknowledgementTimeout = TimeInterval(c.acknowledgementTimeoutSeconds)
        maximumAttempts = c.maxAttempts
        retryBaseDelay = TimeInterval(c.retryBaseSeconds)
        retryMaximumDelay = TimeInterval(c.retryMaxDelaySeconds)
        requestTimeout = .seconds(c.requestTimeoutSeconds)
        quietHours = QuietHours(start: QuietHours.minutes(c.quietHoursStart) ?? 22 * 60,
                                end: QuietHours.minutes(c.quietHoursEnd) ?? 7 * 60, utcOffsetMinutes: c.utcOffsetMinutes)
        circuitFailureThreshold = c.circuitFailureThreshold
        circuitOpenDuration = TimeInterval(c.circuitOpenSeconds)
        concurrency = c.concurrency
        batchSize = min(512, max(16, c.concurrency))
        pollInterval = .milliseconds(c.pollIntervalMilliseconds)
    }
}
