import CareModel
import CareStore
import Foundation
import Logging
import ServiceLifecycle

/// Charges billable events as Bookings logs them: wakes when a transaction that wrote to the
/// change log commits (or every ``interval``), and runs the charge job. The job's cursor is in
/// the database, so a restart picks up where the last committed batch ended.
public struct ChargeJob: Service {
    let billing: BillingStore
    let interval: Duration
    let logger: Logger
    /// False while the schema is still being migrated.
    let isReady: @Sendable () -> Bool

    public init(
        billing: BillingStore, interval: Duration = .seconds(5), logger: Logger = Logger(label: "eldercare.billing"),
        isReady: @escaping @Sendable () -> Bool = { true }
    ) {
        self.billing = billing; self.interval = interval; self.logger = logger; self.isReady = isReady
    }

    public func run() async throws {
        var generation: UInt64 = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            guard isReady() else {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            do {
                let run = try await billing.runCharges()
                if run.charged > 0 { logger.info("charged", metadata: ["charges": "\(run.charged)", "position": "\(run.position)"]) }
            } catch {
                logger.error("charge run failed", metadata: ["error": "\(error)"])
            }
            // Charges need no sub-second latency: a pause lets a busy second's events share a run,
            // so the intake's commits do not each wake a read of the change log.
            try? await Task.sleep(for: .seconds(1))
            generation = await billing.database.waitForChanges(after: generation, timeout: interval)
        }
    }
}
