import Billing
import CareModel
import CareStore
import Foundation
import Testing

/// The billing numbers of Docs/performance.md: a seeded city, a month of billable events written
/// straight into the change log, then through the real server: the charge job over all of them,
/// closing the month, one elder's statement, and `verify`, with the server's peak memory.
/// Skipped unless `ELDERCARE_BENCH_BILLING` is set; `BENCH_ELDERS` and `BENCH_VISITS` set the size.
@Suite("Billing at scale", .serialized)
struct BillingBenchmarkTests {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    @Test(.enabled(if: environment["ELDERCARE_BENCH_BILLING"] != nil))
    func aMonthOfVisitsChargedClosedAndVerified() async throws {
        let elders = Int(Self.environment["BENCH_ELDERS"] ?? "") ?? 100_000
        let visits = Int(Self.environment["BENCH_VISITS"] ?? "") ?? 1_000_000
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", String(elders), "--seed", "3", "--quiet"])
        let admin = try await server.token("admin", "bench-admin")
        let database = try CareDatabase.open(
            at: server.dataDirectory + "/eldercare.sqlite", schema: Schema.shared.adding(BillingStore.migrations))
        var ids: [Int64] = []
        var regions: Set<String> = []
        var after: String?
        repeat {
            let page = try await database.registry.elders(ElderFilter(), page: PageRequest(after: after, limit: 1_000))
            ids += page.items.map(\.id)
            regions.formUnion(page.items.map { String($0.regionCode.prefix(6)) })
            after = page.nextCursor.flatMap(Cursor.decode)
        } while after != nil
        let provider = try await database.registry.createInstitution(
            try NewInstitution(
                kind: .homeCareCentre, name: "基准服务中心", regionCode: "450902000000", address: "人民路1号", location: nil, phone: "0775-2821234"
            ).validated(now: Date()), by: .commandLine)
        let billing = BillingStore(database)
        // Later than the seeded prices and subsidies, so these apply.
        let from = CalendarDate(year: 2021, month: 1, day: 1)!
        _ = try await billing.addTariff(Tariff(code: "HS-CLEAN", unit: .visit, priceFen: 6_000, effectiveFrom: from), by: .commandLine)
        for county in regions.sorted() {
            _ = try await billing.addEntitlement(
                Entitlement(
                    county: county, effectiveFrom: from,
                    vouchers: BillingCategory.allCases.map { VoucherRule(category: $0, monthlyFen: 20_000, maxShareBasisPoints: 5_000) },
                    allowance: AllowanceBands(age80to89Fen: 5_000, age90to99Fen: 10_000, age100PlusFen: 50_000)), by: .commandLine)
        }
        let month = BillingMonth(year: 2026, month: 10)!
        let first = LocalTime.midnight(month.firstDay)
        var logged = 0
        while logged < visits {
            let n = min(20_000, visits - logged)
            let payloads = try (logged..<logged + n).map { i -> (Int64, String) in
                let start = first.addingTimeInterval(Double(i % 30) * 86_400 + 9 * 3_600)
                let e = BillableEvent(
                    kind: .visitVerified, bookingId: Int64(i + 1), service: "cleaning", tariff: "HS-CLEAN", providerId: provider.id,
                    elderId: ids[i % ids.count], workerId: 1, volunteer: false, start: start, end: start.addingTimeInterval(3_600),
                    minutes: 60, amountFen: nil, at: start)
                return (Int64(i + 1), String(decoding: try CareJSON.encoder.encode(e), as: UTF8.self))
            }
            try await database.write { db in
                for (booking, payload) in payloads {
                    try database.appendChange(
                        db, entity: BillableEvent.entity, id: booking, change: "visit_verified", payload: payload, at: "x")
                }
            }
            logged += n
        }
        try database.close()

        try await server.start()
        func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
            let clock = ContinuousClock(), started = clock.now
            let value = try await body()
            let d = clock.now - started
            return (value, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }
        let (run, chargeSeconds) = try await timed { try await server.request("POST", "/v1/billing/charges/run", token: admin) }
        #expect(run.status == 200, "\(run.text)")
        let (closed, closeSeconds) = try await timed {
            try await server.request("POST", "/v1/billing/periods/close", token: admin, json: #"{"month":"\#(month)"}"#)
        }
        #expect(closed.status == 200, "\(closed.text)")
        let (statement, statementSeconds) = try await timed {
            try await server.request("GET", "/v1/billing/elders/\(ids[0])/statement?month=\(month)", token: admin)
        }
        #expect(statement.status == 200)
        let (verified, verifySeconds) = try await timed { try await server.request("GET", "/v1/billing/verify", token: admin) }
        #expect(verified.object["ok"] as? Bool == true, "\(verified.text.prefix(500))")
        let status = (try? String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM") } ?? "VmHWM unknown"
        print(
            "BENCH billing \(elders) elders, \(visits) visits: charge \(String(format: "%.1f", chargeSeconds)) s, close \(String(format: "%.1f", closeSeconds)) s, statement \(String(format: "%.0f", statementSeconds * 1000)) ms, verify \(String(format: "%.1f", verifySeconds)) s, server \(peak)"
        )
    }
}
