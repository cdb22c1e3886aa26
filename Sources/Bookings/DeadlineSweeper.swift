import CareModel
import Foundation
import Logging
import ServiceLifecycle

/// Acts on bookings' deadlines: the reminder the day before, a visit not checked in within the
/// grace period marked missed (the provider and family told through the outbox), and a
/// certificate about to expire reported to its provider. Deadlines
/// are columns in the database, so a restart loses none, and a pass reads only what is due.
public struct DeadlineSweeper: Service {
    let bookings: BookingStore
    let clock: CareClock
    let interval: Duration
    let logger: Logger
    /// False while the schema is still being migrated.
    let isReady: @Sendable () -> Bool

    public init(
        bookings: BookingStore, clock: CareClock = .system, interval: Duration = .seconds(2),
        logger: Logger = Logger(label: "eldercare.bookings"), isReady: @escaping @Sendable () -> Bool = { true }
    ) {
        self.bookings = bookings; self.clock = clock; self.interval = interval; self.logger = logger; self.isReady = isReady
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if isReady() {
                do {
                    let missed = try await runOnce(now: clock.now())
                    if !missed.isEmpty { logger.notice("visits missed", metadata: ["bookings": "\(missed)"]) }
                } catch {
                    logger.error("booking deadline pass failed", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: isReady() ? interval : .milliseconds(50))
        }
    }

    /// One pass: every deadline due at `now`, and certificates about to expire. Returns the
    /// bookings marked missed.
    @discardableResult
    public func runOnce(now: Date) async throws -> [Int64] {
        try await bookings.warnExpiringCertificates(now: now)
        var missed: [Int64] = []
        // A read first: most passes find nothing due and need no write transaction.
        while true {
            let due = try await bookings.dueCount(now: now)
            if due == 0 { return missed }
            missed += try await bookings.sweepDeadlines(now: now, limit: 200)
            if due <= 200 { return missed }
        }
    }
}
