import CareModel
import Foundation
import Logging
import ServiceLifecycle

/// Acts on inspection findings' deadlines: reminds the institution before its rectification
/// deadline, marks an unrectified finding overdue (suspending the operating subsidy) and
/// publishes findings whose notice period is over. The deadlines are columns in the database,
/// so a restart loses none, and a pass reads only what is due.
public struct RectificationSweeper: Service {
    let oversight: OversightStore
    let clock: CareClock
    let interval: Duration
    let logger: Logger
    /// False while the schema is still being migrated.
    let isReady: @Sendable () -> Bool

    public init(
        oversight: OversightStore, clock: CareClock = .system, interval: Duration = .seconds(5),
        logger: Logger = Logger(label: "eldercare.oversight"), isReady: @escaping @Sendable () -> Bool = { true }
    ) {
        self.oversight = oversight; self.clock = clock; self.interval = interval; self.logger = logger; self.isReady = isReady
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if isReady() {
                do {
                    let r = try await runOnce(now: clock.now())
                    if !r.isEmpty {
                        logger.notice(
                            "rectification deadlines",
                            metadata: ["overdue": "\(r.overdue)", "published": "\(r.published)", "reminded": "\(r.reminded)"])
                    }
                } catch {
                    logger.error("rectification deadline pass failed", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: isReady() ? interval : .milliseconds(50))
        }
    }

    /// One pass: everything due at `now`.
    @discardableResult
    public func runOnce(now: Date) async throws -> SweepResult {
        var total = SweepResult()
        // A read first: most passes find nothing due and need no write transaction.
        while try await oversight.dueCount(now: now) > 0 {
            let r = try await oversight.sweep(now: now)
            total.reminded += r.reminded; total.overdue += r.overdue; total.published += r.published
            if r.isEmpty { break }
        }
        return total
    }
}
