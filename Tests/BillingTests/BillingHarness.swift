import CareModel
import CareStore
import Foundation
import GRDB
import Synchronization
import Testing

@testable import Billing

/// A fresh, migrated database with Billing's tables, a clock the test moves, Yuzhou's regions,
/// a provider, and a way to log billable events as Bookings would.
struct BillingHarness {
    let folder: String
    let database: CareDatabase
    let billing: BillingStore
    let clock: MovableClock

    static let schema = Schema.shared.adding(BillingStore.migrations)

    static func make() async throws -> BillingHarness {
        let folder = NSTemporaryDirectory() + "billing-" + UUID().uuidString
        let clock = MovableClock()
        let db = try CareDatabase.open(at: folder + "/care.sqlite", schema: schema, clock: clock.careClock)
        try await db.migrate()
        let h = BillingHarness(folder: folder, database: db, billing: BillingStore(db), clock: clock)
        for r in [
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil),
            Region(code: "450902000000", name: "玉州区", level: .district, parentCode: "450900000000"),
            Region(code: "450902001000", name: "玉城街道", level: .street, parentCode: "450902000000"),
            Region(code: "450902001001", name: "大南社区", level: .community, parentCode: "450902001000"),
        ] {
            _ = try await db.registry.createRegion(r, by: .commandLine)
        }
        return h
    }

    /// The same file opened again, as after a crash or restart.
    func reopened() throws -> BillingHarness {
        try database.close()
        let db = try CareDatabase.open(at: folder + "/care.sqlite", schema: Self.schema, clock: clock.careClock)
        return BillingHarness(folder: folder, database: db, billing: BillingStore(db), clock: clock)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
    /// `HH:MM` local time on a day.
    static func at(_ iso: String, _ time: String = "09:00") -> Date {
        LocalTime.midnight(day(iso)).addingTimeInterval(Double(LocalTime.minutes(ofClockTime: time)! * 60))
    }

    @discardableResult
    func addElder(
        _ n: Int, born: CalendarDate = CalendarDate(year: 1941, month: 3, day: 15)!, categories: [SubsidyCategory] = [.dibao],
        name: String = "王秀英"
    ) async throws -> Elder {
        let id = NationalID.make(regionCode: "450902", birthDate: born, sequence: n)
        let e = try NewElder(
            name: name, nationalId: id.value, phone: "13800001111", address: "玉林市玉州区某路\(n)号", location: nil,
            regionCode: "450902001001", livingSituation: .alone, careLevel: .selfCare, categories: categories
        ).validated(now: clock.now)
        return try await database.registry.createElder(e, contacts: [], by: .commandLine)
    }

    func addProvider(name: String = "玉州居家养老服务中心") async throws -> Int64 {
        let i = try NewInstitution(
            kind: .homeCareCentre, name: name, regionCode: "450902001001", address: "玉林市玉州区人民路1号", location: nil,
            phone: "0775-2821234"
        ).validated(now: clock.now)
        return try await database.registry.createInstitution(i, by: .commandLine).id
    }

    /// Yuzhou's rules and prices as the worked example in Docs/billing.md sets them.
    func configureYuzhou(provider: Int64) async throws {
        let from = Self.day("2026-01-01")
        for t in [
            Tariff(code: "HS-CLEAN", providerId: provider, unit: .visit, priceFen: 6_000, effectiveFrom: from, governmentGuided: true),
            Tariff(code: "MEAL", unit: .meal, priceFen: 1_200, effectiveFrom: from),
            Tariff(code: "SHOP", unit: .visit, priceFen: 1_000, effectiveFrom: from),
        ] {
            _ = try await billing.addTariff(t, by: .commandLine)
        }
        _ = try await billing.addEntitlement(
            Entitlement(
                county: "450902", effectiveFrom: from,
                vouchers: [
                    VoucherRule(category: .dibao, monthlyFen: 20_000, maxShareBasisPoints: 5_000),
                    VoucherRule(category: .sanwu, monthlyFen: 40_000, maxShareBasisPoints: 10_000),
                    VoucherRule(category: .wubao, monthlyFen: 40_000, maxShareBasisPoints: 10_000),
                ],
                allowance: AllowanceBands(age80to89Fen: 5_000, age90to99Fen: 10_000, age100PlusFen: 50_000),
                insurance: InsuranceRule(rateBasisPoints: 7_000, monthlyCapFen: 100_000), placementSubsidyFen: 80_000),
            by: .commandLine)
    }

    static let bookingIds = Mutex<Int64>(1000)

    /// A billable event as Bookings writes it, logged to the change log.
    @discardableResult
    func log(
        _ kind: BillableEvent.Kind, elder: Int64, provider: Int64, service: String, tariff: String, on day: String,
        at time: String = "09:00", minutes: Int = 60, amountFen: Int64? = nil, booking: Int64? = nil, volunteer: Bool = false
    ) async throws -> BillableEvent {
        let id =
            booking
            ?? Self.bookingIds.withLock {
                $0 += 1; return $0
            }
        let start = Self.at(day, time)
        let event = BillableEvent(
            kind: kind, bookingId: id, service: service, tariff: tariff, providerId: provider, elderId: elder, workerId: 1,
            volunteer: volunteer, start: start, end: start.addingTimeInterval(Double(minutes * 60)), minutes: minutes, amountFen: amountFen,
            at: start.addingTimeInterval(Double(minutes * 60)))
        try await log(event)
        return event
    }

    func log(_ event: BillableEvent) async throws {
        let db = database
        let payload = String(decoding: try CareJSON.encoder.encode(event), as: UTF8.self)
        try await db.write { d in
            try db.appendChange(
                d, entity: BillableEvent.entity, id: event.bookingId, change: event.kind.rawValue, payload: payload,
                at: Timestamp.string(event.at))
        }
    }

    func count(_ sql: String) async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }
}

/// A clock that stands still until a test moves it.
final class MovableClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    var now: Date { time.withLock { $0 } }
    func set(_ date: Date) { time.withLock { $0 = date } }
    var careClock: CareClock { CareClock { [self] in self.now } }
}

/// What billing refused, if `body` threw a refusal.
func billingRefusal(_ body: () async throws -> Void) async -> BillingRefusal? {
    do {
        try await body()
        return nil
    } catch let e as BillingRefusal {
        return e
    } catch {
        return nil
    }
}

extension BillingHarness {
    /// `verify()`'s problems, having checked that its quick proof by aggregate queries agrees with
    /// the detailed one on these books: the same figures when they are sound (unless an event was
    /// logged twice), and no proof when not.
    func verifyProblems() async throws -> [String] {
        let detailed = try await billing.verifyInDetail()
        let quick = try await billing.verifyByAggregates()
        if detailed.ok {
            // An event logged twice is the one thing the quick proof leaves to the detailed one.
            let entries = try await database.read { db in
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM change_log WHERE entity = ? AND position <= (SELECT position FROM billing_cursor)",
                    arguments: [BillableEvent.entity]) ?? 0
            }
            #expect(quick == detailed || (quick == nil && entries > detailed.events))
        } else {
            #expect(quick == nil)
        }
        return try await billing.verify().problems
    }
}
