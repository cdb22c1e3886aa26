import CareModel
import Foundation

/// How the notifications worker behaves and where it sends. Built from the `notifications.*`
/// settings (Docs/configuration.md) by whoever composes the server; the defaults here are the
/// same as the shipped configuration.
///
/// A channel is configured when its URL is set; a worker with no channel configured leaves the
/// outbox alone, so nothing is lost while an installation is being set up.
public struct NotificationSettings: Sendable {
    /// A generic webhook: JSON body, signed with HMAC-SHA256 (``WebhookChannel``).
    public struct Webhook: Sendable, Hashable {
        public var url: String
        /// Shared with the receiver, which checks `X-Eldercare-Signature` with it. Never logged.
        public var secret: String
        public init(url: String, secret: String) { self.url = url; self.secret = secret }
    }

    /// How the SMS gateway wants its parameters.
    public enum SMSFormat: String, Sendable, Hashable, CaseIterable {
        /// POST with a JSON body: the template is JSON, values are JSON-escaped.
        case json
        /// POST with an `application/x-www-form-urlencoded` body: values are percent-encoded.
        case form
        /// GET with the template as the query string: values are percent-encoded.
        case query
    }

    /// How the SMS gateway wants its credentials.
    public enum SMSAuth: String, Sendable, Hashable, CaseIterable {
        /// Only through `{{username}}` / `{{apiKey}}` in the template.
        case none
        /// `Authorization: Basic base64(username:apiKey)`.
        case basic
        /// `Authorization: Bearer apiKey`.
        case bearer
    }

    /// An SMS gateway's HTTP API (``SMSGatewayChannel``).
    public struct SMS: Sendable, Hashable {
        public var url: String
        public var format: SMSFormat
        /// The body (or query) with placeholders: `{{phone}}`, `{{text}}`, `{{title}}`,
        /// `{{idempotencyKey}}`, `{{username}}`, `{{apiKey}}`.
        public var template: String
        public var auth: SMSAuth
        public var username: String
        /// Never logged, never stored in the database.
        public var apiKey: String

        public init(
            url: String, format: SMSFormat = .json,
            template: String = #"{"to":"{{phone}}","text":"{{text}}","requestId":"{{idempotencyKey}}"}"#,
            auth: SMSAuth = .bearer, username: String = "", apiKey: String = ""
        ) {
            self.url = url; self.format = format; self.template = template; self.auth = auth
            self.username = username; self.apiKey = apiKey
        }
    }

    /// ntfy-style push (``PushChannel``): one topic per recipient under a prefix.
    public struct Push: Sendable, Hashable {
        /// The server, e.g. `https://ntfy.example.org`; messages go to `<url>/<topic>`.
        public var url: String
        /// Sent as `Authorization: Bearer …` when set. Never logged.
        public var token: String
        public var topicPrefix: String
        public init(url: String, token: String = "", topicPrefix: String = "eldercare-") {
            self.url = url; self.token = token; self.topicPrefix = topicPrefix
        }
    }

    public enum Language: String, Sendable, Hashable, CaseIterable { case zh, en }

    // Channels
    /// The order channels are tried in; urgent messages fall over along it.
    public var channelOrder: [NotificationChannelKind] = [.sms, .push, .webhook]
    public var webhook: Webhook?
    public var sms: SMS?
    public var push: Push?

    // Who and what
    /// The shift supervisor's mobile number (for SMS); nil when they are reached by push or webhook only.
    public var supervisorPhone: String?
    public var supervisorName = "值班主管"
    /// Where acknowledgement links point: `<publicBaseURL>/v1/acks/<token>`. Nil: no link in the
    /// message (acknowledgement only through the API).
    public var publicBaseURL: String?
    public var language: Language = .zh
    public var nameStyle: ElderNameStyle = .honorific
    /// The sender's name, in 【】 at the start of every message, as Chinese SMS rules require.
    public var signature = "玉林智慧养老"

    // Timing
    /// How long a contact in an escalation chain has to acknowledge before the next one is told.
    public var acknowledgementTimeout: TimeInterval = 180
    /// Sends per message before it becomes a dead letter.
    public var maximumAttempts = 10
    /// The first retry waits about this long; each further retry doubles it (with jitter).
    public var retryBaseDelay: TimeInterval = 5
    public var retryMaximumDelay: TimeInterval = 1800
    public var requestTimeout: Duration = .seconds(10)
    public var quietHours = QuietHours(start: 22 * 60, end: 7 * 60, utcOffsetMinutes: 480)

    // Circuit breaker
    /// Consecutive channel failures that pause a channel.
    public var circuitFailureThreshold = 5
    /// How long a paused channel rests before one probe is let through; doubles (up to 8×) while probes fail.
    public var circuitOpenDuration: TimeInterval = 60

    // Throughput
    /// Deliveries in flight at once.
    public var concurrency = 256
    /// Most notifications claimed in one transaction.
    public var batchSize = 256
    /// Most outbox rows fanned out in one transaction. Small, because each fan-out holds the one
    /// writer the alarm intake shares: after a flood of new calls, large fan-outs back to back
    /// held every alarm behind them (Docs/performance.md); at 64 the alarms wait a few
    /// milliseconds at most.
    public var fanOutBatchSize = 64
    /// How often to look for new outbox rows when idle.
    public var pollInterval: Duration = .milliseconds(500)
    /// Whether to verify TLS certificates (leave on outside tests).
    public var verifyTLS = true

    public init() {}

    /// The configured channels, in ``channelOrder``.
    public var configuredChannels: [NotificationChannelKind] {
        channelOrder.filter { kind in
            switch kind {
            case .webhook: webhook != nil
            case .sms: sms != nil
            case .push: push != nil
            }
        }
    }

    /// How long a claim holds a row before another pass may take it: the request timeout plus
    /// a margin for recording the result.
    public var lease: TimeInterval {
        let c = requestTimeout.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18 + 30
    }
}
