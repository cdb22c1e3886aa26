import CareModel
import CareStore
import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle

/// Declares devices offline when they miss their heartbeat interval plus the grace period, and
/// opens a P3 "device offline" call for each. Deadlines live in the database (indexed), so a
/// restart loses no timer and each pass reads only the devices that are due.
public struct DeviceSupervisor: Service {
    let intake: AlarmIntake
    let clock: CareClock
    let logger: Logger
    /// How often to look for due deadlines.
    let interval: Duration
    /// False while the schema is still being migrated: passes wait for it.
    let isReady: @Sendable () -> Bool

    public init(
        intake: AlarmIntake, clock: CareClock = .system, interval: Duration = .seconds(1),
        logger: Logger = Logger(label: "eldercare.supervision"), isReady: @escaping @Sendable () -> Bool = { true }
    ) {
        self.intake = intake
        self.clock = clock
        self.interval = interval
        self.logger = logger
        self.isReady = isReady
    }

    public func run() async throws {
        var passes = 0
        var timersRestarted = false
        while !Task.isCancelledOrShuttingDown {
            guard isReady() else {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            do {
                if !timersRestarted {
                    try await start(now: clock.now())
                    timersRestarted = true
                }
                let started = ContinuousClock.now
                let opened = try await runOnce(now: clock.now())
                let busy = ContinuousClock.now - started
                IntakeMetrics.supervisionBusy.increment(
                    by: Int(busy.components.seconds * 1_000_000 + busy.components.attoseconds / 1_000_000_000_000))
                IntakeMetrics.devicesOffline.increment(by: opened.count)
                if !opened.isEmpty { logger.info("devices offline", metadata: ["calls": "\(opened.count)"]) }
            } catch {
                logger.error("supervision pass failed", metadata: ["error": "\(error)"])
            }
            passes += 1
            if passes % 60 == 0 { intake.limiter.prune(now: clock.now()) }
            try? await Task.sleep(for: interval)
        }
    }

    /// The step `run()` takes once before its first pass: silence while the server was down is
    /// not the devices' (see `restartOverdueSupervision`). Returns how many timers restarted.
    @discardableResult
    func start(now: Date) async throws -> Int {
        let restarted = try await intake.calls.restartOverdueSupervision(
            now: now, graceSeconds: intake.policy.heartbeatGraceSeconds)
        if restarted > 0 {
            logger.notice(
                "supervision timers restarted for devices overdue at start",
                metadata: ["devices": "\(restarted)"])
        }
        return restarted
    }

    /// Devices declared offline per write transaction. Each opens a call (a few hundred
    /// microseconds of writing), and alarms wait for the transaction in progress: a hundred
    /// keeps that wait to tens of milliseconds when a power cut silences a district at once.
    static let devicesPerTransaction = 100

    /// One pass: every device due at `now` is declared offline. Returns the calls opened.
    @discardableResult
    public func runOnce(now: Date) async throws -> [Call] {
        let rules = intake.policy.triage
        var opened: [Call] = []
        while true {
            let batch = try await intake.calls.markOverdueDevicesOffline(now: now, limit: Self.devicesPerTransaction) { overdue in
                let risk = RiskProfile(elder: overdue.elder, today: CalendarDate(date: now), chronicConditions: [])
                let triage = rules.assess(code: .deviceOffline, vitals: nil, risk: risk)
                let since = overdue.lastSeenAt.map { "; last heard \(Int(now.timeIntervalSince($0) / 60)) min ago" } ?? ""
                return (triage.priority, triage.reason + since)
            }
            opened += batch
            if batch.count < Self.devicesPerTransaction { return opened }
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// True once the task is cancelled or the service group is shutting down gracefully.
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
