import ArgumentParser
import CareConfig
import CareModel
import CareStore
import Foundation
import HealthArchive

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Migrate, seed a small city (first run only), issue demo tokens and serve, printing requests to try.",
        discussion: "Uses the configured data directory; a second run reuses the city it made.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "How many elders the demo city has.")
    var elders: Int = 2_000

    @Option(help: "Seconds between the simulated devices' scenarios (SOS, fall, smoke, cancel); 0 turns them off.")
    var simulateEvery: Int = 30

    func run() async throws {
        let settings = try await options.settings()
        let database = try options.openDatabase(settings)
        try await database.migrate()
        let existing = try await database.registry.elders(ElderFilter(), page: PageRequest(limit: 1)).items.first
        if existing == nil {
            print("Seeding a demo city of \(elders) elders in Yulin…")
            fflush(nil)  // all streams: naming `stdout` is not concurrency-safe in Swift 6
            let seeder = CitySeeder(elders: elders, seed: 1, quiet: true)
            let report = try seeder.seed(database)
            let archives = try seeder.seedArchives(database)
            print(
                "  \(report.elders) elders, \(report.devices) devices, \(report.institutions) institutions, \(report.regions) regions, \(archives.resources) health records"
            )
        }
        let services = try await ServiceSeeder(seed: 1).seed(database)
        if services.providers > 0 {
            print(
                "  \(services.providers) home-service providers, \(services.workers) workers and volunteers, \(services.bookings) bookings")
        }
        _ = try await BillingSeeder().seed(database)
        let (_, admin) = try await database.issueToken(role: .admin, name: "demo-admin", by: .commandLine)
        let (_, op) = try await database.issueToken(role: .operator, name: "demo-operator", by: .commandLine)
        let sample = try await database.registry.elders(ElderFilter(), page: PageRequest(limit: 1)).items.first
        let agency = try await DemoAgencies.prepare(database)
        try database.close()

        let host = settings.server.host
        let elderId = sample?.id ?? 1
        let every = simulateEvery
        let deviceLog = (settings.storage.dataDirectory as NSString).appendingPathComponent("demo-devices.log")
        try await ServerRunner(
            settings: settings, options: options,
            onRunning: { port in
                let base = "http://\(host):\(port)"
                if every > 0 {
                    Task.detached { await DemoTraffic(baseURL: base, adminToken: admin.token, every: every, logPath: deviceLog).run() }
                }
                Task.detached { await DemoVisits(baseURL: base, adminToken: admin.token, every: 30).run() }
                Task.detached {
                    await DemoAgencies(baseURL: base, adminToken: admin.token, dataDirectory: settings.storage.dataDirectory).run()
                }
                print(
                    """

                    The eldercare platform is running at \(base) (database: \(settings.databasePath)).
                    Tokens for this run:
                      ADMIN=\(admin.token)
                      OPERATOR=\(op.token)
                      AGENCY=\(agency ?? "")

                    Try, in another terminal (paste the token lines first):
                      curl -s \(base)/ready
                      curl -s -H "Authorization: Bearer $OPERATOR" '\(base)/v1/elders?limit=3'
                      curl -s -H "Authorization: Bearer $OPERATOR" \(base)/v1/elders/\(elderId)/contacts
                      curl -s -H "Authorization: Bearer $OPERATOR" '\(base)/v1/calls?limit=5'        # simulated alarms arrive every \(every) s
                      curl -sN -H "Authorization: Bearer $OPERATOR" \(base)/v1/calls/stream         # the live feed
                      .build/debug/eldercare console --server \(base) --token "$OPERATOR"     # the operator console
                      curl -s -H "Authorization: Bearer $OPERATOR" '\(base)/v1/elders?region=450902&q=%E7%8E%8B&limit=5'
                      curl -s -H "Authorization: Bearer $ADMIN" '\(base)/v1/institutions?kind=care_home&limit=3'
                      curl -s -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' -X POST \(base)/v1/regions -d '{}'    # 403: operators cannot
                      curl -s -H "Authorization: Bearer $OPERATOR" '\(base)/v1/bookings?limit=5'     # a week of home-service bookings
                      curl -s -H "Authorization: Bearer $OPERATOR" '\(base)/v1/availability?service=cleaning&elder=\(elderId)'
                      curl -s \(base)/metrics | head
                      curl -s -H "Authorization: Bearer $AGENCY" '\(base)/v1/sync/changes?since=0&limit=20'    # a health centre's sync feed (Docs/sync-protocol.md)

                    Stop with Ctrl-C.
                    """)
                // Standard output is block-buffered when it is a file or a pipe; the tokens must show now.
                fflush(nil)  // all streams: naming `stdout` is not concurrency-safe in Swift 6
            }
        ).run()
    }
}
