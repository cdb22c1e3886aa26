import Billing
import CareModel
import CareStore
import Foundation
import GRDB
import Testing

/// The server's charge job killed with SIGKILL part-way through a backlog of billable events,
/// then started again: every event is charged exactly once, none twice, none missed.
@Suite("Billing survives a crash", .serialized)
struct BillingCrashTests {
    @Test func aKilledChargeJobChargesEveryEventOnceAfterRestart() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["migrate"])
        let path = server.dataDirectory + "/eldercare.sqlite"
        // Forty of the job's batches: the kill lands on the first.
        let total = 20_000
        var database = try CareDatabase.open(at: path, schema: Schema.shared.adding(BillingStore.migrations))
        for r in [
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil),
            Region(code: "450902000000", name: "玉州区", level: .district, parentCode: "450900000000"),
        ] {
            _ = try await database.registry.createRegion(r, by: .commandLine)
        }
        let id = NationalID.make(regionCode: "450902", birthDate: CalendarDate(year: 1941, month: 3, day: 15)!, sequence: 3)
        let elder = try await database.registry.createElder(
            try NewElder(
                name: "王秀英", nationalId: id.value, phone: nil, address: "人民路1号", location: nil, regionCode: "450902000000",
                livingSituation: .alone, careLevel: .selfCare, categories: [.dibao]
            ).validated(now: Date()), contacts: [], by: .commandLine)
        let provider = try await database.registry.createInstitution(
            try NewInstitution(
                kind: .homeCareCentre, name: "玉州助餐点", regionCode: "450902000000", address: "人民路2号", location: nil, phone: "0775-2821234"
            ).validated(now: Date()), by: .commandLine)
        let billing = BillingStore(database)
        _ = try await billing.addTariff(
            Tariff(code: "MEAL", unit: .meal, priceFen: 1_200, effectiveFrom: CalendarDate(year: 2020, month: 1, day: 1)!), by: .commandLine
        )
        _ = try await billing.addEntitlement(
            Entitlement(
                county: "450902", effectiveFrom: CalendarDate(year: 2020, month: 1, day: 1)!,
                vouchers: [VoucherRule(category: .dibao, monthlyFen: 2_000_000, maxShareBasisPoints: 5_000)]), by: .commandLine)
        // The backlog: one meal event per booking, as Bookings logs them.
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        for chunk in stride(from: 0, to: total, by: 5_000) {
            let events = (chunk..<chunk + 5_000).map { i in
                BillableEvent(
                    kind: .mealDelivered, bookingId: Int64(i + 1), service: "meal_delivery", tariff: "MEAL", providerId: provider.id,
                    elderId: elder.id, workerId: nil, volunteer: false, start: start.addingTimeInterval(Double(i) * 60),
                    end: start.addingTimeInterval(Double(i) * 60 + 1800), minutes: 30, amountFen: nil, at: start)
            }
            let payloads = try events.map { (Int64($0.bookingId), String(decoding: try CareJSON.encoder.encode($0), as: UTF8.self)) }
            let writer = database
            try await writer.write { db in
                for (booking, payload) in payloads {
                    try writer.appendChange(
                        db, entity: BillableEvent.entity, id: booking, change: "meal_delivered", payload: payload, at: "x")
                }
            }
        }
        let last = try await database.latestChangePosition()

        // The kill comes from a thread of its own that watches the file for the first committed
        // charge: on two cores shared with the whole suite, a check from the test's own task can
        // come after the job has charged everything.
        let watcher = Task {
            try await offPool { () -> Int in
                var configuration = Configuration()
                configuration.readonly = true
                let file = try DatabaseQueue(path: path, configuration: configuration)
                let deadline = Date().addingTimeInterval(120)
                while Date() < deadline {
                    let charged = try file.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM billing_charge") ?? 0 }
                    if charged > 0 {
                        server.kill()
                        return charged
                    }
                    usleep(500)
                }
                return 0
            }
        }
        // The kill may land before the server says it is ready; either way it is dead after this.
        try? await server.start()
        let chargedAtKill = try await watcher.value
        server.kill()
        #expect(chargedAtKill > 0 && chargedAtKill < total, "killed after \(chargedAtKill) of \(total) charges")
        try database.close()

        try await server.start()
        database = try CareDatabase.open(at: path, schema: Schema.shared.adding(BillingStore.migrations))
        let reopened = BillingStore(database)
        let until = Date().addingTimeInterval(120)
        while try await reopened.chargedUpTo() < last, Date() < until { try await Task.sleep(for: .milliseconds(100)) }
        #expect(server.stop() == 0)
        let v = try await reopened.verify()
        #expect(v.events == total)
        #expect(v.charges == total)
        #expect(v.problems == [])
        try database.close()
    }
}
