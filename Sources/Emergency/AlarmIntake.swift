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
    /// The device registry could not be read: 503, and the device retries.
    case unavailable
}

extension IntakeError {
    var metricReason: String {
        switch self {
        case .unauthenticated: "unauthenticated"
        case .rateLimited: "rate_limited"
        case .tooLarge: "too_large"
        case .undecodable, .malformed, .invalid: "invalid"
        case .unavailable: "unavailable"
        }
    }
}

/// The life-safety path: authenticates, checks and stores one device event, answering only once
/// it is durable.
///
/// ```swift
/// let intake = AlarmIntake(calls: CallStore(db), policy: IntakePolicy())
/// let reply = try await intake.receive(deviceId: "SOS-00000042", path: "/v1/devices/SOS-00000042/events",
///                                      timestamp: ts, signature: sig, body: body)
/// ```
public final class AlarmIntake: Sendable {
    public let calls: CallStore
    public let policy: IntakePolicy
    let writer: IntakeWriter
    let limiter: RateLimiter
    let clock: CareClock
    let logger: Logger

    public init(
        calls: CallStore, policy: IntakePolicy, clock: CareClock = .system,
        logger: Logger = Logger(label: "eldercare.intake")
    ) {
        self.calls = calls
        self.policy = policy
        self.writer = IntakeWriter(calls: calls, policy: policy)
        self.limiter = RateLimiter(perMinute: policy.heartbeatRatePerMinute, burst: policy.heartbeatBurst)
        self.clock = clock
        self.logger = logger
        let rules = policy.triage
        calls.openCallsOnWelfareConcerns { elder, conditions, now in
            let risk = RiskProfile(elder: elder, today: CalendarDate(date: now), chronicConditions: conditions)
            let triage = rules.assess(code: .welfareCheck, vitals: nil, risk: risk)
            return (triage.priority, triage.reason)
        }
    }

    /// Returns the reply body (JSON) for an accepted event, first answer for a retried reference.
    public func receive(
        deviceId: String, path: String, timestamp: String?, signature: String?,
        body: Data
    ) async throws -> Data {
        let incoming = try admit(deviceId: deviceId, path: path, timestamp: timestamp, signature: signature, body: body)
        let mark = ContinuousClock.now
        let result = try await writer.submit(incoming)
        return Self.stored(result, waitingSince: mark)
    }

    /// The same, for callers outside Swift concurrency: a refusal (an ``IntakeError``) reaches
    /// `receiver` at once on the calling thread; a stored event's reply once it is durable, on
    /// the thread that committed it.
    public func receive(
        deviceId: String, path: String, timestamp: String?, signature: String?, body: Data,
        receiver: any IntakeReplyReceiver
    ) {
        let incoming: IncomingEvent
        do {
            incoming = try admit(deviceId: deviceId, path: path, timestamp: timestamp, signature: signature, body: body)
        } catch {
            receiver.intakeReplied(.failure(error))
            return
        }
        writer.submit(incoming, receiver: StoredReplyRelay(receiver: receiver, since: ContinuousClock.now))
    }

    /// Counts a stored event and returns its reply.
    fileprivate static func stored(_ result: IntakeResult, waitingSince mark: ContinuousClock.Instant) -> Data {
        IntakeMetrics.record(IntakeMetrics.commitWait, since: mark)
        IntakeMetrics.stored(result.duplicate ? "duplicate" : result.outcome.rawValue).increment()
        return result.reply
    }

    /// Everything before the write, on the calling thread: the device and its secret, the
    /// signature, the body, the rate limit. Throws ``IntakeError`` (and counts it) when refused.
    private func admit(
        deviceId: String, path: String, timestamp: String?, signature: String?,
        body: Data
    ) throws(IntakeError) -> IncomingEvent {
        do {
            return try check(deviceId: deviceId, path: path, timestamp: timestamp, signature: signature, body: body)
        } catch {
            IntakeMetrics.refused(error.metricReason).increment()
            throw error
        }
    }

    private func check(
        deviceId: String, path: String, timestamp: String?, signature: String?,
        body: Data
    ) throws(IntakeError) -> IncomingEvent {
        guard body.count <= policy.maxEventBytes else { throw IntakeError.tooLarge(limit: policy.maxEventBytes) }
        var mark = ContinuousClock.now
        let found: DeviceWithSecret?
        do {
            found = try calls.deviceCredentials(id: deviceId)
        } catch {
            throw IntakeError.unavailable
        }
        guard let credentials = found, credentials.device.status == .active else {
            throw IntakeError.unauthenticated
        }
        let device = credentials.device, secret = credentials.secret
        IntakeMetrics.record(IntakeMetrics.lookup, since: mark)
        mark = ContinuousClock.now
        let now = clock.now()
        do {
            try EventSignature.verify(
                method: "POST", path: path, timestamp: timestamp, signature: signature, body: body,
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
        } catch {
            throw IntakeError.malformed("The body could not be read as an event.")
        }
        IntakeMetrics.record(IntakeMetrics.decode, since: mark)
        if event.kind == .heartbeat || event.kind == .info, let wait = limiter.take(deviceId, now: now) {
            throw IntakeError.rateLimited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
        var incoming = IncomingEvent(device: device, event: event, body: body, receivedAt: now)
        if let vitals = event.vitals {
            // Whoever records the readings (the archive) prepares them here, on the request's
            // thread, so the one writer spends only the insert on them.
            incoming.prepared = calls.database.bus.prepare(
                VitalsMeasured(
                    elderId: device.elderId, deviceId: device.id, eventRef: event.ref, vitals: vitals, measuredAt: event.occurredAt))
        }
        return incoming
    }
}

/// Receives the reply to an event given to ``AlarmIntake/receive(deviceId:path:timestamp:signature:body:receiver:)``:
/// the reply's JSON, or the error (an ``IntakeError`` when refused, anything else when the
/// write failed and nothing was stored).
public protocol IntakeReplyReceiver: AnyObject, Sendable {
    func intakeReplied(_ result: Result<Data, any Error>)
}

/// Counts a stored event the way the awaiting path does, then passes its reply on.
private final class StoredReplyRelay: IntakeReceiver {
    let receiver: any IntakeReplyReceiver
    let since: ContinuousClock.Instant

    init(receiver: any IntakeReplyReceiver, since: ContinuousClock.Instant) {
        self.receiver = receiver
        self.since = since
    }

    func intakeFinished(_ result: Result<IntakeResult, any Error>) {
        receiver.intakeReplied(result.map { AlarmIntake.stored($0, waitingSince: since) })
    }
}
