import ArgumentParser
import CareConfig
import CareModel
import CareStore
import Foundation
import HealthArchive
import SyntheticCity

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill an empty database with a synthetic city in Yulin's real districts.",
        discussion: """
            Chinese names, valid identity numbers, a 60+ age structure, addresses with coordinates, contacts, \
            devices and institutions with bed counts. The same --seed gives the same city. Seeded devices get \
            secrets derived from the seed so the device simulator can sign as them: demo data only.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "How many elders to create.")
    var elders: Int = 1_000

    @Option(help: "The random seed; the same value gives the same city.")
    var seed: UInt64 = 1

    @Flag(inversion: .prefixedNo, help: "Give every elder a health archive (about 20 records each).")
    var archives = true

    @Option(help: "Give the first N elders 500 health records each (years of daily readings), for benchmarks.")
    var richArchives = 0

    @Flag(help: "Print nothing but the final summary.")
    var quiet = false

    func run() async throws {
        guard elders >= 0 else { throw CLIError("--elders must be 0 or more, not \(elders).") }
        let settings = try await options.settings()
        let database = try options.openDatabase(settings)
        try await database.migrate()
        let seeder = CitySeeder(elders: elders, seed: seed, quiet: quiet)
        let report = try seeder.seed(database)
        print(
            "seeded \(report.elders) elders, \(report.contacts) contacts, \(report.devices) devices, \(report.regions) regions, \(report.institutions) institutions in \(String(format: "%.1f", report.seconds)) s (\(Int(Double(report.elders) / max(report.seconds, 0.001))) elders/s) into \(settings.databasePath)"
        )
        let services = try await ServiceSeeder(seed: seed).seed(database)
        if services.providers > 0 {
            print(
                "seeded \(services.providers) home-service providers, \(services.workers) workers and volunteers, \(services.bookings) bookings"
            )
        }
        let prices = try await BillingSeeder().seed(database)
        if prices.tariffs > 0 { print("seeded \(prices.tariffs) tariffs and \(prices.counties) counties' subsidies") }
        if archives {
            let archive = try seeder.seedArchives(database, richArchives: richArchives)
            print(
                "seeded \(archive.patients) health archives with \(archive.resources) FHIR resources in \(String(format: "%.1f", archive.seconds)) s (\(Int(Double(archive.resources) / max(archive.seconds, 0.001))) resources/s)"
            )
        }
        try database.close()
    }
}

/// Writes a synthetic city; shared by `seed` and `demo`.
struct CitySeeder {
    /// Gives each elder a year of synthetic health records (conditions at their real prevalence
    /// among Chinese elders, matching medicines, check-ups and follow-ups).
    func seedArchives(_ database: CareDatabase, richArchives: Int = 0) throws -> ArchiveSeedReport {
        let until = Date()
        let seed = self.seed
        let total = elders
        let step = max(total / 10, 50_000)
        let quiet = self.quiet
        return try ArchiveStore(database).seedArchives(
            records: { elder in
                let records = SyntheticArchive.resources(for: elder, patientId: String(elder.id), seed: seed, until: until)
                guard elder.id <= richArchives else { return records }
                // A long-followed elder: a heart-rate reading every day going back, up to 500 records.
                let patient = String(elder.id)
                return records
                    + (0..<max(0, 499 - records.count)).map { day in
                        FHIRBuild.vital(
                            .heartRate, value: Double(62 + day % 25), patientId: patient,
                            at: until.addingTimeInterval(-86_400 * Double(day + 1)))
                    }
            },
            progress: { written in
                if !quiet, written / step != (written - 4096) / step { print("  \(written) / \(total) archives") }
            })
    }

    var elders: Int
    var seed: UInt64
    var quiet: Bool

    func seed(_ database: CareDatabase) throws -> BulkLoadReport {
        let today = CalendarDate(date: Date())
        var city = SyntheticCity(seed: seed, referenceDate: today)
        let now = Date()
        let institutions = try city.institutions.map { try $0.validated(now: now) }
        let total = elders
        let step = max(total / 10, 50_000)
        let load = BulkLoad(
            regions: city.regions, institutions: institutions, elderCount: total, seed: seed,
            nextElder: {
                let next = city.nextElder()
                return BulkElder(
                    elder: next.elder, contacts: next.contacts,
                    devices: next.devices.map { (type: $0.type, heartbeatSeconds: $0.heartbeatSeconds) })
            },
            progress: quiet
                ? nil
                : { written in
                    if written % step == 0 || written == total { print("  \(written) / \(total) elders") }
                })
        do {
            return try database.registry.bulkLoad(load)
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
    }
}
