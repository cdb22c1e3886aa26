import Billing
import Bookings
import CareConfig
import CareModel
import CareStore
import Emergency
import HealthArchive
import Hummingbird
import Logging
import Notifications
import Oversight
import Prometheus
import ServiceLifecycle
import UnixSignals

/// Everything the server is made of, composed in one place.
public struct CareServer: Sendable {
    /// Every store's tables, in the order their migrations run: the shared core and registry,
    /// then each service's.
    public static let schema = Schema.shared.adding(CallStore.migrations).adding(NotificationStore.migrations)
        .adding(ArchiveStore.migrations)
        .adding(BookingStore.migrations)
        .adding(BillingStore.migrations)
        .adding(ArchiveStore.syncMigrations)
        .adding(OversightStore.migrations)

    public var settings: CareSettings
    public var database: CareDatabase
    /// Emergency's store; one per database, since it keeps the intake's caches.
    public var calls: CallStore
    public var metrics: PrometheusCollectorRegistry
    public var logger: Logger
    public var clock: CareClock
    public var readiness: Readiness
    public var intake: AlarmIntake
    /// The live feed behind `GET /v1/calls/stream`.
    public var feed: CallFeed
    /// The outbox worker: sends notifications (Sources/Notifications).
    public var notifier: NotificationWorker
    /// The health archive; made before any event is taken in, since it records the vitals the
    /// intake publishes and answers triage's question about chronic conditions.
    public var archive: HealthArchive
    /// Home-service bookings and visits (Sources/Bookings).
    public var bookings: BookingStore
    /// Service billing (Sources/Billing).
    public var billing: BillingStore
    /// Oversight for the civil-affairs bureau (Sources/Oversight).
    public var oversight: OversightStore
    /// The payment provider's signed callback; nil until one is configured (the route then answers 503).
    public var paymentCallback: (any PaymentCallback)?

    /// Throws when a setting holds a value its configuration key does not allow (settings the
    /// loader returned never do).
    public init(
        settings: CareSettings, database: CareDatabase, metrics: PrometheusCollectorRegistry,
        logger: Logger, clock: CareClock = .system, readiness: Readiness = Readiness(),
        intakePolicy: IntakePolicy = IntakePolicy(), escalation: EscalationPolicy = .default,
        catalogue: ServiceCatalogue = .standard, bookingPolicy: BookingPolicy = .standard
    ) throws(ConfigurationProblem) {
        self.settings = settings; self.database = database; self.metrics = metrics; self.logger = logger
        self.clock = clock; self.readiness = readiness
        self.calls = CallStore(database, escalation: escalation)
        self.archive = HealthArchive(store: ArchiveStore(database))
        self.intake = AlarmIntake(calls: calls, policy: intakePolicy, clock: clock, logger: Logger(label: "eldercare.intake"))
        self.feed = CallFeed(calls: calls, heartbeat: .seconds(settings.emergency.streamHeartbeatSeconds))
        self.notifier = NotificationWorker(
            database: database, settings: try NotificationSettings(settings.notifications),
            clock: clock, isReady: { [readiness] in readiness.isReady })
        self.billing = BillingStore(
            database,
            policy: BillingPolicy(
                lateCancellationBasisPoints: settings.billing.lateCancellationPercent * 100,
                noShowBasisPoints: settings.billing.noShowPercent * 100))
        if !settings.billing.paymentWebhookSecret.isEmpty {
            self.paymentCallback = SignedWebhook(secret: settings.billing.paymentWebhookSecret)
        }
        self.bookings = BookingStore(database, catalogue: catalogue, policy: bookingPolicy)
        self.oversight = OversightStore(database)
    }

    var environment: APIEnvironment {
        APIEnvironment(
            bodyLimit: settings.server.maxBodyBytes, defaultPageLimit: settings.pagination.defaultLimit,
            maximumPageLimit: settings.pagination.maximumLimit)
    }

    /// Every route the server serves, with the access each needs: each area's controller's, in turn.
    public var routes: [APIRoute] {
        let env = environment, registry = database.registry
        let controllers: [[APIRoute]] = [
            HealthController(readiness: readiness, metrics: metrics).routes,
            RegionController(env: env, registry: registry).routes,
            ElderController(env: env, registry: registry, clock: clock).routes,
            DeviceController(env: env, registry: registry).routes,
            InstitutionController(env: env, registry: registry, clock: clock).routes,
            AccountController(env: env, database: database).routes,
            AlarmController(env: env, intake: intake, calls: calls).routes,
            CallController(env: env, calls: calls, feed: feed, clock: clock, archive: archive).routes,
            NotificationController(env: env, notifications: notifier.store, notifier: notifier).routes,
            FHIRController(env: env, archive: archive).routes,
            ConsultationController(env: env, archive: archive).routes,
            EnrolmentController(env: env, archive: archive).routes,
            SyncController(env: env, archive: archive).routes,
            BookingController(env: env, bookings: bookings, clock: clock).routes,
            WorkerController(env: env, bookings: bookings).routes,
            VisitController(env: env, bookings: bookings).routes,
            BillingController(env: env, billing: billing, callback: paymentCallback, clock: clock).routes,
            OversightController(env: env, oversight: oversight, database: database, clock: clock).routes,
        ]
        return controllers.flatMap { $0 }
    }

    public func buildRouter() -> Router<CareRequestContext> {
        let router = Router(context: CareRequestContext.self)
        router.middlewares.add(RequestEnvelopeMiddleware(bodyLimit: settings.server.maxBodyBytes))
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(ReadinessMiddleware(readiness: readiness))
        router.middlewares.add(AuthenticationMiddleware(database: database))
        for route in routes {
            let access = route.access, handler = route.handler
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try context.check(access)
                return try await handler(request, context)
            }
        }
        return router
    }

    /// The HTTP server plus the start-up migration, as one service group that stops gracefully
    /// on SIGINT and SIGTERM.
    public func buildApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let intake = self.intake, readiness = self.readiness, logger = self.logger
        return Application(
            router: buildRouter(),
            // Device events are answered in the channel pipeline, not through the router
            // (DeviceEventHandler explains why); everything else goes on to the router.
            server: .http1(
                configuration: .init(additionalChannelHandlers: [
                    DeviceEventHandler(intake: intake, readiness: readiness, logger: logger, serverName: Self.serverName)
                ])),
            configuration: .init(
                address: .hostname(settings.server.host, port: settings.server.port),
                serverName: Self.serverName),
            services: [
                MigrationService(database: database, readiness: readiness, logger: logger),
                BackgroundCheckpoints(database: database),
                DeviceSupervisor(intake: intake, clock: clock, isReady: { [readiness] in readiness.isReady }),
                CallEscalator(calls: calls, clock: clock, isReady: { [readiness] in readiness.isReady }),
                FeedAfterMigrations(feed: feed, readiness: readiness), notifier,
                DeadlineSweeper(bookings: bookings, clock: clock, isReady: { [readiness] in readiness.isReady }),
                ChargeJob(billing: billing, isReady: { [readiness] in readiness.isReady }),
                RectificationSweeper(oversight: oversight, clock: clock, isReady: { [readiness] in readiness.isReady }),
                SyncFeedPruner(
                    archive: archive, clock: clock, keepDays: settings.sync.longestOfflineDays, logger: Logger(label: "eldercare.sync"),
                    isReady: { [readiness] in readiness.isReady }),
            ],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}

extension CareServer {
    /// The `Server` header of every response.
    static let serverName = "eldercare"

    /// Serves until SIGINT or SIGTERM, then drains in-flight requests and returns.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await buildApplication(onServerRunning: onServerRunning)
            .runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// Runs pending migrations while the server already answers `/health`, then marks it ready.
struct MigrationService: Service {
    let database: CareDatabase
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        try await database.migrate()
        readiness.markReady()
        let applied = try await database.appliedMigrations().count
        logger.info(
            "ready",
            metadata: [
                "migrations": "\(applied)",
                "ms": "\((clock.now - started).milliseconds)",
            ])
        // A service that returns would stop the group; stay until shutdown.
        try? await gracefulShutdown()
    }
}

/// Keeps the WAL's checkpoints off the writer while the server runs (see `BackgroundCheckpointer`).
struct BackgroundCheckpoints: Service {
    let database: CareDatabase

    func run() async throws {
        let checkpointer = try database.checkpointInBackground()
        try? await gracefulShutdown()
        checkpointer.stop()
    }
}

/// Starts the live feed once the change log exists.
struct FeedAfterMigrations: Service {
    let feed: CallFeed
    let readiness: Readiness

    func run() async throws {
        while !readiness.isReady {
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        try await feed.run()
    }
}
