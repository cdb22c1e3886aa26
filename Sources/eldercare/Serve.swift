import ArgumentParser
import CareAPI
import CareConfig
import CareModel
import CareStore
import Emergency
import Foundation
import Logging
import Metrics
import Prometheus

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP server: migrate the database, then serve until SIGINT or SIGTERM.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let settings = try await options.settings()
        try await ServerRunner(settings: settings, options: options).run()
    }
}

/// Starts the server the same way for `serve` and `demo`.
struct ServerRunner {
    var settings: CareSettings
    var options: GlobalOptions
    var onRunning: @Sendable (Int) async -> Void = { _ in }

    func run() async throws {
        CareLogging.bootstrap(settings.log)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "eldercare")
        let database = try options.openDatabase(settings)
        let server = try CareServer(
            settings: settings, database: database, metrics: registry, logger: logger,
            intakePolicy: try IntakePolicy(settings.emergency), escalation: EscalationPolicy(settings.emergency),
            catalogue: try ServiceCatalogue.load(settings.bookings), bookingPolicy: BookingPolicy(settings.bookings))
        let host = settings.server.host
        try await server.run { port in
            logger.info("listening", metadata: ["url": "http://\(host):\(port)", "database": "\(settings.databasePath)"])
            await onRunning(port)
        }
        try database.close()
        logger.info("stopped")
    }
}
