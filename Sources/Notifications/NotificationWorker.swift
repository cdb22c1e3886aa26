import CareModel
import CareStore
import CoreMetrics
import Crypto
import CurlHTTP
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The outbox worker, a service in the server's service group.
///
/// Each turn of its loop it
/// 1. **fans out** due outbox rows into one notification per recipient (``NotificationPlanner``),
///    in one transaction per batch;
/// 2. **claims** due notifications, as many as there are free delivery slots, in one transaction
///    (each becomes `sending` under a lease);
/// 3. **sends** each on its own task, all through one ``NotificationTransport`` (one curl multi
///    handle: hundreds in flight on one thread), choosing the channel with the circuit breaker;
/// 4. **records** the results in batches (group commit): an attempt row each, and the next
///    state from the ``RetryPolicy``.
///
/// Delivery is at least once: a row is marked sent only after a 2xx, so a crash between the
/// send and the record sends it again (at start-up, with the same `Idempotency-Key`).
///
/// Tests drive it one pass at a time with ``runOnce(limit:)`` under a controlled clock.
public final class NotificationWorker: Service, Sendable {
    public let database: CareDatabase
    /// This worker's tables.
    public let store: NotificationStore
    public let settings: NotificationSettings
    public let planner: NotificationPlanner
    public let breaker: CircuitBreaker
    let policy: RetryPolicy
    let channels: [NotificationChannelKind: any NotificationChannel]
    let clock: CareClock
    let jitter: @Sendable () -> Double
    let logger: Logger
    let isReady: @Sendable () -> Bool
    private let transportState: Mutex<(any NotificationTransport)?>
    private let ownsTransport: Bool
    private let doorbell = Doorbell()
    private let inFlight = Atomic<Int>(0)
    private let metrics = ChannelMetrics.all()
    /// Set when a transaction that changed calls commits: its outbox rows are worth a look now.
    private let outboxHint = Atomic<Bool>(false)
    /// The least time between two fan-outs prompted by commits (the first after a quiet spell
    /// goes at once). 50 ms is nothing to a family waiting for an SMS, and it caps those fan-outs
    /// at 20 a second however many alarms arrive.
    static let fanOutSpacing: Duration = .milliseconds(50)
    /// The rest between two full fan-out batches while alarms are coming in: 64 messages each
    /// 40 ms is 1,600 messages a second, with the writer free for alarms in between (a shorter
    /// rest let fan-outs raise the alarms' p99; Docs/performance.md). With no alarms, full
    /// batches follow each other at once.
    static let busyFanOutSpacing: Duration = .milliseconds(40)

    /// - Parameters:
    ///   - transport: nil for the live ``CurlTransport``, made when the worker starts.
    ///   - jitter: a number in 0..<1 for each back-off.
    ///   - makeToken: the secret of each acknowledgement link.
    public init(
        database: CareDatabase, settings: NotificationSettings, transport: (any NotificationTransport)? = nil,
        clock: CareClock = .system, jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        makeToken: @escaping @Sendable () -> String = NotificationWorker.randomToken,
        logger: Logger = Logger(label: "eldercare.notifications"), isReady: @escaping @Sendable () -> Bool = { true }
    ) {
        self.database = database
        self.store = NotificationStore(database)
        self.settings = settings
        var configured: [any NotificationChannel] = []
        for kind in settings.configuredChannels {
            switch kind {
            case .webhook: if let w = settings.webhook { configured.append(WebhookChannel(w, verifyTLS: settings.verifyTLS)) }
            case .sms: if let s = settings.sms { configured.append(SMSGatewayChannel(s, verifyTLS: settings.verifyTLS)) }
            case .push: if let p = settings.push { configured.append(PushChannel(p, verifyTLS: settings.verifyTLS)) }
            }
        }
        self.channels = Dictionary(uniqueKeysWithValues: configured.map { ($0.kind, $0) })
        self.planner = NotificationPlanner(settings: settings, channels: configured, makeToken: makeToken)
        self.policy = RetryPolicy(settings)
        self.breaker = CircuitBreaker(threshold: settings.circuitFailureThreshold, openDuration: settings.circuitOpenDuration)
        self.clock = clock
        self.jitter = jitter
        self.logger = logger
        self.isReady = isReady
        self.transportState = Mutex(transport)
        self.ownsTransport = transport == nil
    }

    /// False when no channel is configured: the worker then leaves the outbox alone.
    public var isEnabled: Bool { !channels.isEmpty }

    /// Makes the worker look for work now (after a requeue, say) instead of at its next poll.
    public func wake() { doorbell.ring() }

    /// 16 random bytes (a CSPRNG in user space: BoringSSL's), base64url without padding (22 characters).
    public static func randomToken() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let bytes = SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) }
        var out: [UInt8] = []
        out.reserveCapacity(22)
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i]), b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0, b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            out.append(alphabet[b0 >> 2])
            out.append(alphabet[(b0 & 3) << 4 | b1 >> 4])
            if i + 1 < bytes.count { out.append(alphabet[(b1 & 15) << 2 | b2 >> 6]) }
            if i + 2 < bytes.count { out.append(alphabet[b2 & 63]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Shuts down the transport the worker made for itself (``run()`` does this on its own;
    /// call it after using ``runOnce(limit:)``).
    public func close() async {
        guard ownsTransport,
            let t = transportState.withLock({ t -> (any NotificationTransport)? in
                defer { t = nil }; return t
            })
        else { return }
        await t.shutdown()
    }

    func transport() throws -> any NotificationTransport {
        try transportState.withLock { t in
            if let t { return t }
            let made = try CurlTransport(concurrency: settings.concurrency)
            t = made
            return made
        }
    }

    // MARK: - One pass, for tests and tools

    /// What one pass did.
    public struct PassReport: Sendable, Hashable {
        public var dispatched = 0
        public var created = 0
        public var claimed = 0
        public var sent = 0
        public var retried = 0
        public var fellOver = 0
        public var dead = 0
        public var deferred = 0
        public init() {}
    }

    /// Fans out every due outbox row, claims up to `limit` due notifications, sends them all
    /// at once and records the results. Deterministic under a controlled clock.
    @discardableResult
    public func runOnce(limit: Int = 10_000) async throws -> PassReport {
        let transport = try self.transport()
        let now = clock.now()
        var report = PassReport()
        while true {
            let r = try await fanOut(now: now)
            report.dispatched += r.messages
            report.created += r.notifications
            if r.messages < settings.fanOutBatchSize { break }
        }
        let claimed = try await store.claimDueNotifications(now: now, limit: limit, lease: settings.lease)
        report.claimed = claimed.count
        let records = await withTaskGroup(of: DeliveryRecord.self) { group in
            for c in claimed { group.addTask { await self.deliver(c, using: transport) } }
            var all: [DeliveryRecord] = []
            for await r in group { all.append(r) }
            return all
        }
        try await store.recordDeliveries(records, now: clock.now())
        for r in records {
            switch r.next {
            case .sent: report.sent += 1
            case .retry(_, _, .fallOver): report.fellOver += 1
            case .retry: report.retried += 1
            case .dead: report.dead += 1
            case .deferred: report.deferred += 1
            }
        }
        return report
    }

    func fanOut(now: Date) async throws -> FanOutReport {
        let planner = self.planner
        let report = try await store.fanOutOutbox(now: now, limit: settings.fanOutBatchSize) { planner.plan($0, now: now) }
        NotificationMetrics.fannedOut.increment(by: report.messages)
        NotificationMetrics.created.increment(by: report.notifications)
        NotificationMetrics.unreachable.increment(by: report.unreachable)
        if report.unreachable > 0 {
            logger.warning(
                "notifications with no channel to reach their recipient stored as dead letters",
                metadata: ["count": "\(report.unreachable)"])
        }
        return report
    }

    // MARK: - Sending one

    /// Sends one claimed notification and decides what follows. Never throws: every outcome is a record.
    func deliver(_ c: ClaimedNotification, using transport: any NotificationTransport) async -> DeliveryRecord {
        let now = clock.now()
        guard !c.channels.isEmpty else {
            return DeliveryRecord(
                id: c.id, attempt: c.attempt, channels: c.channels, channel: nil, startedAt: now,
                error: "no channel", next: .dead(channelIndex: 0))
        }
        let current = min(max(0, c.channelIndex), c.channels.count - 1)
        // Its own channel, or for an urgent message the next one whose circuit lets it through.
        let order = c.urgency.isUrgent ? Array(current..<c.channels.count) + Array(0..<current) : [current]
        guard let index = order.first(where: { breaker.permits(c.channels[$0], now: now) }) else {
            let reopen = order.compactMap { breaker.reopensAt(c.channels[$0]) }.min() ?? now
            var due = max(reopen, now.addingTimeInterval(1))
            if !c.urgency.isUrgent { due = settings.quietHours.release(at: due) }
            metrics[c.channels[current]]?.deferred.increment()
            return DeliveryRecord(
                id: c.id, attempt: c.attempt, channels: c.channels, channel: nil, startedAt: now,
                next: .deferred(due: due, channelIndex: current))
        }
        let kind = c.channels[index]
        let ackURL = c.ackToken.flatMap { token in settings.publicBaseURL.map { NotificationPlanner.ackURL(base: $0, token: token) } }
        var latencyMs: Int?
        let result: AttemptResult
        if let channel = channels[kind] {
            do {
                let request = try channel.request(for: c, ackURL: ackURL, now: now, timeout: settings.requestTimeout)
                let started = ContinuousClock.now
                let outcome: Result<HTTPResponse, CurlHTTPError>
                do {
                    outcome = .success(try await transport.send(request))
                } catch {
                    outcome = .failure(error)
                }
                let elapsed = ContinuousClock.now - started
                latencyMs = Int(elapsed.milliseconds)
                metrics[kind]?.latency.recordNanoseconds(
                    elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
                result = AttemptResult.classify(outcome, now: clock.now())
            } catch {
                result = .failed(
                    status: nil, error: "the message does not fit the channel: \(error)", retryable: false,
                    retryAfter: nil, channelFault: false)
            }
        } else {
            // Configured away since the message was planned.
            result = .failed(
                status: nil, error: "channel \(kind.rawValue) is not configured", retryable: false,
                retryAfter: nil, channelFault: false)
        }
        let after = clock.now()
        var status: Int?, error: String?
        switch result {
        case .delivered(let s):
            status = s
            breaker.record(kind, fault: false, now: after)
            metrics[kind]?.sent.increment()
        case .failed(let s, let e, _, _, let fault):
            status = s
            error = e
            let wasClosed = breaker.state(kind, now: after) == .closed
            breaker.record(kind, fault: fault, now: after)
            metrics[kind]?.failed[NotificationMetrics.reason(status: s, error: e)]?.increment()
            if wasClosed, case .open(let until) = breaker.state(kind, now: after) {
                logger.warning(
                    "channel paused after repeated failures",
                    metadata: [
                        "channel": "\(kind.rawValue)", "until": "\(until)", "error": "\(e)",
                    ])
            }
        case .interrupted:
            breaker.record(kind, fault: nil, now: after)
        }
        let next = policy.next(
            after: result, urgency: c.urgency, attempt: c.attempt, used: index,
            channelCount: c.channels.count, now: after, jitter: jitter())
        switch next {
        case .retry(_, _, let outcome):
            (outcome == .fallOver ? metrics[kind]?.retriedFallOver : metrics[kind]?.retriedBackoff)?.increment()
            logger.debug(
                "notification will be retried",
                metadata: [
                    "id": "\(c.id)", "topic": "\(c.topic)", "channel": "\(kind.rawValue)", "attempt": "\(c.attempt)",
                    "error": "\(error ?? "")",
                ])
        case .dead:
            metrics[kind]?.deadLettered.increment()
            logger.warning(
                "notification dead-lettered",
                metadata: [
                    "id": "\(c.id)", "topic": "\(c.topic)", "channel": "\(kind.rawValue)", "attempts": "\(c.attempt)",
                    "error": "\(error ?? "")",
                ])
        case .sent:
            logger.debug(
                "notification sent",
                metadata: [
                    "id": "\(c.id)", "topic": "\(c.topic)", "channel": "\(kind.rawValue)", "ms": "\(latencyMs ?? 0)",
                ])
        case .deferred:
            break
        }
        if case .interrupted = result {
            return DeliveryRecord(id: c.id, attempt: c.attempt, channels: c.channels, channel: nil, startedAt: now, next: next)
        }
        return DeliveryRecord(
            id: c.id, attempt: c.attempt, channels: c.channels, channel: kind, startedAt: now,
            latencyMs: latencyMs, httpStatus: status, error: error, next: next)
    }

    // MARK: - The service

    public func run() async throws {
        while !isReady() {
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        guard isEnabled else {
            logger.warning("no notification channel is configured (notifications.webhookURL, smsURL, pushURL); messages stay in the outbox")
            try? await gracefulShutdown()
            return
        }
        let transport: any NotificationTransport
        do {
            transport = try self.transport()
        } catch {
            // Intake and the API keep running; the messages wait in the outbox.
            logger.critical("notifications cannot start; messages stay in the outbox", metadata: ["error": "\(error)"])
            try? await gracefulShutdown()
            return
        }
        do {
            let interrupted = try await store.releaseNotificationLeases(now: clock.now())
            if interrupted > 0 {
                logger.notice("sending again notifications interrupted by the last stop", metadata: ["count": "\(interrupted)"])
            }
        } catch {
            logger.error("could not release notification leases", metadata: ["error": "\(error)"])
        }
        logger.info(
            "notifications worker started",
            metadata: [
                "channels": "\(settings.configuredChannels.map(\.rawValue).joined(separator: ","))",
                "concurrency": "\(settings.concurrency)",
            ])

        let buffer = RecordBuffer<DeliveryRecord>(maximumBatch: 1024)
        async let recording: Void = recordLoop(buffer)
        // Calls' outbox rows (an alarm's call_opened, an operator's dispatch) go out within a
        // moment of their commit, not at the next poll. After each hint the watcher rests a
        // moment: a fan-out is a write transaction with its own fsync on the one writer the
        // alarm intake also uses, so under a flood of alarms one fan-out takes a batch of
        // messages instead of following every intake commit.
        let watcher = Task { [self] in
            var generation: UInt64 = 0
            while !Task.isCancelled {
                generation = await database.waitForChanges(after: generation, timeout: .seconds(5))
                outboxHint.store(true, ordering: .relaxed)
                doorbell.ring()
                try? await Task.sleep(for: Self.fanOutSpacing)
            }
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                await self.dispatchLoop(&group, transport: transport, buffer: buffer)
                // Give sends in flight a moment to finish; the rest are cancelled and recorded
                // as interrupted, to go out again on the next start.
                let deadline = ContinuousClock.now + .seconds(3)
                while inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
                    await doorbell.wait(upTo: .milliseconds(50))
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.doorbell.ring()
        }
        watcher.cancel()
        buffer.close()
        await recording
        if ownsTransport { await transport.shutdown() }
        logger.info("notifications worker stopped")
    }

    private func dispatchLoop(
        _ group: inout DiscardingTaskGroup, transport: any NotificationTransport,
        buffer: RecordBuffer<DeliveryRecord>
    ) async {
        // Claim again once a few slots are free: waiting for many leaves the pipe half empty.
        let slotsWorthAClaim = max(1, min(settings.batchSize, settings.concurrency) / 16)
        var nextFanOut = ContinuousClock.now
        var callChangesAtLastFanOut = database.changeCount
        var nextGauges = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var busy = false
            let now = clock.now()
            do {
                if outboxHint.exchange(false, ordering: .relaxed) || ContinuousClock.now >= nextFanOut {
                    let r = try await fanOut(now: now)
                    let callChanges = database.changeCount
                    if r.messages < settings.fanOutBatchSize {
                        nextFanOut = ContinuousClock.now + settings.pollInterval
                    } else if callChanges != callChangesAtLastFanOut {
                        // More waiting while alarms come in (a flood of new calls is also a flood
                        // of messages): the next batch after a rest, so alarms get the writer.
                        nextFanOut = ContinuousClock.now + Self.busyFanOutSpacing
                    } else {
                        busy = true
                    }
                    callChangesAtLastFanOut = callChanges
                }
                let free = settings.concurrency - inFlight.load(ordering: .relaxed)
                if free >= slotsWorthAClaim {
                    let limit = min(free, settings.batchSize)
                    let claimed = try await store.claimDueNotifications(now: now, limit: limit, lease: settings.lease)
                    let wakeAt = settings.concurrency - slotsWorthAClaim
                    for c in claimed {
                        inFlight.add(1, ordering: .relaxed)
                        group.addTask {
                            let record = await self.deliver(c, using: transport)
                            buffer.put(record)
                            // Wake the loop when enough slots are free to be worth a claim (or
                            // none is busy), not after every send: thousands of wake-ups a second
                            // cost more in thread switches than the sends themselves.
                            let left = self.inFlight.subtract(1, ordering: .relaxed).newValue
                            if left == wakeAt || left == 0 { self.doorbell.ring() }
                        }
                    }
                    if claimed.count == limit { busy = true }
                }
                if ContinuousClock.now >= nextGauges {
                    nextGauges = ContinuousClock.now + .seconds(2)
                    NotificationMetrics.record(try await store.notificationQueueDepth())
                    NotificationMetrics.inFlight.record(inFlight.load(ordering: .relaxed))
                    for kind in settings.configuredChannels {
                        NotificationMetrics.circuitOpen(kind).record(breaker.state(kind, now: now) == .closed ? 0 : 1)
                    }
                }
            } catch {
                logger.error("notifications pass failed", metadata: ["error": "\(error)"])
                await doorbell.wait(upTo: .seconds(1))
                continue
            }
            if busy { continue }
            var wait = min(settings.pollInterval, max(.zero, nextFanOut - ContinuousClock.now))
            if inFlight.load(ordering: .relaxed) == 0, let due = try? await store.nextNotificationDue() {
                let seconds = max(0, due.timeIntervalSince(clock.now()))
                wait = min(wait, .milliseconds(Int64(seconds * 1000) + 1))
            }
            await doorbell.wait(upTo: wait)
        }
    }

    private func recordLoop(_ buffer: RecordBuffer<DeliveryRecord>) async {
        while true {
            let batch = await buffer.take()
            if batch.isEmpty { return }
            for attempt in 1...50 {
                do {
                    try await store.recordDeliveries(batch, now: clock.now())
                    break
                } catch {
                    // The rows stay `sending`; if this keeps failing they go out again when their lease ends.
                    logger.error("could not record notification results", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
        }
    }
}
