import CareModel
import CareStore
import CurlHTTP
import Foundation

/// What one send came to, in the terms retry decisions need.
public enum AttemptResult: Sendable, Equatable {
    /// 2xx.
    case delivered(status: Int)
    /// It failed. `retryable`: the same message may get through later (5xx, 429, 408, network
    /// trouble); otherwise the receiver refused this message (4xx) or the request is broken.
    /// `channelFault`: the failure says the channel is unwell (it counts for the circuit breaker),
    /// as opposed to something about this one message (a 400 for a bad number).
    case failed(status: Int?, error: String, retryable: Bool, retryAfter: TimeInterval?, channelFault: Bool)
    /// Nothing can be said: the worker was stopping and cancelled the request. Not an attempt.
    case interrupted

    /// Classifies a transport outcome. A timeout or a closed connection may still have delivered
    /// the message, which is why every message carries an idempotency key.
    public static func classify(_ outcome: Result<HTTPResponse, CurlHTTPError>, now: Date) -> AttemptResult {
        switch outcome {
        case .success(let response):
            let status = response.status
            if response.isSuccess { return .delivered(status: status) }
            let error = "HTTP \(status)"
            switch status {
            case 429:
                return .failed(
                    status: status, error: error, retryable: true,
                    retryAfter: retryAfter(response.headers["Retry-After"], now: now), channelFault: true)
            case 408, 425, 500...599:
                return .failed(
                    status: status, error: error, retryable: true,
                    retryAfter: status == 503 ? retryAfter(response.headers["Retry-After"], now: now) : nil,
                    channelFault: true)
            case 401, 403:
                // Credentials or permissions: every message on this channel will fail alike.
                return .failed(status: status, error: error, retryable: false, retryAfter: nil, channelFault: true)
            default:
                return .failed(status: status, error: error, retryable: false, retryAfter: nil, channelFault: false)
            }
        case .failure(let error):
            switch error {
            case .cancelled, .clientShutDown:
                return .interrupted
            case .responseTooLarge:
                return .failed(status: nil, error: error.description, retryable: false, retryAfter: nil, channelFault: false)
            case .invalidURL(_, let reason):
                // Not the URL itself: an SMS gateway's may carry credentials and a phone number.
                return .failed(status: nil, error: "invalid URL: \(reason)", retryable: false, retryAfter: nil, channelFault: true)
            case .invalidRequest, .tls:
                return .failed(status: nil, error: error.description, retryable: false, retryAfter: nil, channelFault: true)
            case .couldNotConnect, .timeout, .connectionClosed, .transport:
                return .failed(status: nil, error: error.description, retryable: true, retryAfter: nil, channelFault: true)
            }
        }
    }

    /// `Retry-After` as seconds or an HTTP date; nil when absent or unreadable. Capped at a day.
    static func retryAfter(_ value: String?, now: Date) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return TimeInterval(min(max(0, seconds), 86_400)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return min(max(0, date.timeIntervalSince(now)), 86_400)
    }

    var isDelivered: Bool { if case .delivered = self { true } else { false } }
}

/// Decides what happens after an attempt: sent, retry after a back-off, fall over to the next
/// channel, or dead letter. Pure: the clock reading and the jitter are passed in.
///
/// - Urgent messages (critical, high) fall over at once to the next channel on any failure;
///   after the last channel, the round starts again at the first after a back-off.
/// - Other messages retry on their one channel after a back-off, and only when the failure is
///   retryable; a refusal (4xx) makes them dead letters at once. Their retries wait out quiet hours.
/// - The back-off of retry round *n* is `base · 2^(n-1)`, capped at the maximum, with equal
///   jitter (half fixed, half random), and never shorter than the receiver's `Retry-After`.
/// - After ``NotificationSettings/maximumAttempts`` sends the message is a dead letter.
public struct RetryPolicy: Sendable {
    public var maximumAttempts: Int
    public var baseDelay: TimeInterval
    public var maximumDelay: TimeInterval
    public var quietHours: QuietHours

    public init(maximumAttempts: Int, baseDelay: TimeInterval, maximumDelay: TimeInterval, quietHours: QuietHours) {
        self.maximumAttempts = maximumAttempts; self.baseDelay = baseDelay; self.maximumDelay = maximumDelay
        self.quietHours = quietHours
    }

    public init(_ settings: NotificationSettings) {
        self.init(
            maximumAttempts: settings.maximumAttempts, baseDelay: settings.retryBaseDelay,
            maximumDelay: settings.retryMaximumDelay, quietHours: settings.quietHours)
    }

    /// The wait before retry round `round` (1 for the first retry), with `jitter` in 0..<1.
    public func backoff(round: Int, jitter: Double) -> TimeInterval {
        let exponent = min(max(0, round - 1), 30)
        let full = min(maximumDelay, baseDelay * pow(2, Double(exponent)))
        return full / 2 + full / 2 * min(max(jitter, 0), 1)
    }

    /// What follows `result` for a message on attempt `attempt` (1-based, as claimed) that was
    /// sent on the channel at `used` of `channelCount`.
    public func next(
        after result: AttemptResult, urgency: NotificationUrgency, attempt: Int, used: Int,
        channelCount: Int, now: Date, jitter: Double
    ) -> DeliveryRecord.Next {
        switch result {
        case .delivered:
            return .sent(channelIndex: used)
        case .interrupted:
            return .deferred(due: now, channelIndex: used)
        case .failed(_, _, let retryable, let retryAfter, _):
            if attempt >= maximumAttempts { return .dead(channelIndex: used) }
            if urgency.isUrgent {
                if used + 1 < channelCount { return .retry(due: now, channelIndex: used + 1, outcome: .fallOver) }
                // The end of a round. A lone channel that refused the message will refuse it again.
                if channelCount == 1 && !retryable { return .dead(channelIndex: used) }
                let round = (attempt + channelCount - 1) / max(channelCount, 1)
                let wait = max(backoff(round: round, jitter: jitter), retryAfter ?? 0)
                return .retry(due: now.addingTimeInterval(wait), channelIndex: 0, outcome: .retry)
            }
            guard retryable else { return .dead(channelIndex: used) }
            let wait = max(backoff(round: attempt, jitter: jitter), retryAfter ?? 0)
            return .retry(due: quietHours.release(at: now.addingTimeInterval(wait)), channelIndex: used, outcome: .retry)
        }
    }
}
