import CareModel
import CareStore
import Foundation
import Logging
import ServiceLifecycle

/// Escalates calls whose deadline passed: unclaimed too long (flagged on every console, the
/// supervisor told through the outbox), a responder not on scene in time (prompting a
/// re-dispatch), a resolved call not followed up (a reminder). Deadlines live in the database,
/// indexed, so a restart loses no timer and each pass reads only the calls that are due.
public struct CallEscalator: Service {
    let calls: CallStore
    let clock: CareClock
    let logger: Logger
    /// How often to look for due deadlines: the longest an escalation can be late.
    let interval: Duration
    /// False while the schema is still being migrated.
    let isReady: @Sendable () -> Bool

    public init(
        calls: CallStore, clock: CareClock = .system, interval: Duration = .seconds(1),
        logger: Logger = Logger(label: "eldercare.escalation"), isReady: @escaping @Sendable () -> Bool = { true }
    ) {
        self.calls = calls
        self.clock = clock
        self.interval = interval
        self.logger = logger
        self.isReady = isReady
    }

    public func run() async throws {
        while !Task.isCancelledOrShuttingDown {
            if isReady() {
                do {
                    let escalated = try await runOnce(now: clock.now())
                    if !escalated.isEmpty { logger.notice("calls escalated", metadata: ["calls": "\(escalated)"]) }
                } catch {
                    logger.error("escalation pass failed", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: isReady() ? interval : .milliseconds(50))
        }
    }

    /// One pass: every call due at `now` is escalated. Returns their ids.
    @discardableResult
    public func runOnce(now: Date) async throws -> [Int64] {
        var escalated: [Int64] = []
        while true {
            let batch = try await calls.escalateOverdueCalls(now: now, limit: 500)
            escalated += batch
            if batch.count < 500 { return escalated }
        }
    }
}
