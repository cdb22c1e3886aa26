import CareModel
import CareStore
import CoreMetrics
import Foundation
import Logging

/// Why a device event was refused.
public enum IntakeError: Error, Sendable {
    /// Unknown or inactive device, bad or stale signature: 401, and nothing is stored.
    case unauthenticated
    /// A heartbeat or info event over the device's rate: 429.
    case rateLimited(retryAfterSeconds: Int)
    case tooLarge(limit: Int)
    /// The body is not JSON, or its JSON does not fit the event shape.
    case undecodable(DecodingError)
    case malformed(String)
    /// Well-formed but impossible values: 422.
    case invalid(ValidationFailure)
}

extension IntakeError {
    var metricReason: String {
        switch self {
        case .unauthenticated: "unauthenticated"
        case .rateLimited: "rate_limited"
        case .tooLarge: "too_large"
        case .undecodable, .malformed, .invalid: "invalid"
        }
    }
}

/// The life-safety path: authenticates, checks and stores one device event, answering only once
/// it is durable.
///
/// ```swift
/// let intake = AlarmIntake(database: db, policy: IntakePolicy())
/// let reply = try await intake.receive(deviceId: "SOS-00000042", path: "/v1/devices/SOS-00000042/events",
///                                      timestamp: ts, signature: sig, body: body)
/// ```
public final class AlarmIntake: Sendable {
    public let database: CareDatabase
    public let policy: IntakePolicy
    let writer: IntakeWriter
    let limiter: RateLimiter
    let clock: CareClock
    let logger: Logger

    public init(database: CareDatabase, policy: IntakePolicy, clock: CareClock = .system,
                logger: Logger = Logger(label: "eldercare.intake")) {
        self.database = database
        self.policy = policy
        self.writer = IntakeWriter(database: database, policy: policy)
        self.limiter = RateLimiter(perMinute: policy.heartbeatRatePerMinute, burst: policy.heartbeatBurst)
        self.clock = clock
        self.logger = logger
    }

    /// Returns the reply body (JSON) for an accepted event, first answer for a retried reference.
    public func receive(deviceId: String, path: String, timestamp: String?, signature: String?,
                        body: Data) async throws -> Data {
        do {
            return try await accept(deviceId: deviceId, path: path, timestamp: timestamp, signature: signature, body: body)
        } catch let error as IntakeError {
            IntakeMetrics.refused(error.metricReason).increment()
            throw error
        }
    }

    private func accept(deviceId: String, path: String, timestamp: String?, signature: String?,
                        body: Data) async throws -> Data {
        guard body.count <= policy.maxEventBytes else { throw IntakeError.tooLarge(limit: policy.maxEventBytes) }
        var mark = ContinuousClock.now
        guard let credentials = try await database.deviceCredentials(id: deviceId), credentials.device.status == .active else {
            throw IntakeError.unauthenticated
        }
        let device = credentials.device, secret = credentials.secret
        IntakeMetrics.record(IntakeMetrics.lookup, since: mark)
        mark = ContinuousClock.now
        let now = clock.now()
        do {
            try EventSignature.verify(method: "POST", path: path, timestamp: timestamp, signature: signature, body: body,
                                      secret: secret, now: now, behind: policy.signatureWindowBehind,
                                      ahead: policy.signatureWindowAhead)
        } catch {
            logger.notice("event refused", metadata: ["device": "\(deviceId)", "why": "\(error)"])
            throw IntakeError.unauthenticated
        }
        IntakeMetrics.record(IntakeMetrics.verify, since: mark)
        mark = ContinuousClock.now
        let event: DeviceEvent
        do {
            event = try EventDecoding.decode(body).validated(now: now)
        } catch let error as DecodingError {
            throw IntakeError.undecodable(error)
        } catch let failure as ValidationFailure {
            throw IntakeError.invalid(failure)
        }
        IntakeMetrics.record(IntakeMetrics.decode, since: mark)
        if event.kind == .heartbeat || event.kind == .info, let wait = limiter.take(deviceId, now: now) {
            throw IntakeError.rateLimited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
        mark = ContinuousClock.now
        let result = try await writer.submit(IncomingEvent(device: device, event: event, body: body, receivedAt: now))
        IntakeMetrics.record(IntakeMetrics.commitWait, since: mark)
        IntakeMetrics.stored(result.duplicate ? "duplicate" : result.outcome.rawValue).increment()
        return result.reply
    }
}
