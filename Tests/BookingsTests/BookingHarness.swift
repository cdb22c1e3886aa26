import CareModel
import CareStore
import Foundation
import Synchronization
import Testing

@testable import Bookings

/// A fresh, migrated database with Bookings' tables in a temporary folder, its store, a clock
/// the test moves, and a small Yulin: regions, a provider, elders with homes.
struct BookingHarness {
    let folder: String
    let database: CareDatabase
    let bookings: BookingStore
    let clock: MovableClock
    let policy: BookingPolicy

    static let schema = Schema.shared.adding(BookingStore.migrations)
    /// Where the first elder lives (Yuzhou), and points around it.
    static let home = Coordinates(latitude: 22.6300, longitude: 110.1500)

    static func make(policy: BookingPolicy = .standard) async throws -> BookingHarness {
        let folder = NSTemporaryDirectory() + "bookings-" + UUID().uuidString
        let clock = MovableClock()
        let db = try CareDatabase.open(at: folder + "/care.sqlite", schema: schema, clock: clock.careClock)
        try await db.migrate()
        let h = BookingHarness(folder: folder, database: db, bookings: BookingStore(db, policy: policy), clock: clock, policy: policy)
        for r in [
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil),
            Region(code: "450902000000", name: "玉州区", level: .district, parentCode: "450900000000"),
            Region(code: "450902001000", name: "玉城街道", level: .street, parentCode: "450902000000"),
            Region(code: "450902001001", name: "大南社区", level: .community, parentCode: "450902001000"),
            Region(code: "450903000000", name: "福绵区", level: .district, parentCode: "450900000000"),
        ] {
            _ = try await db.registry.createRegion(r, by: .commandLine)
        }
        return h
    }

    /// The same file opened again, as after a restart.
    func reopened() throws -> BookingHarness {
        try database.close()
        let db = try CareDatabase.open(at: folder + "/care.sqlite", schema: Self.schema, clock: clock.careClock)
        return BookingHarness(folder: folder, database: db, bookings: BookingStore(db, policy: policy), clock: clock, policy: policy)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    // MARK: Time

    /// The local day `n` days after the clock's.
    func day(_ n: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: CalendarDate(date: clock.now).daysSinceEpoch + n) }

    /// `HH:MM` local time on `day`.
    func at(_ day: CalendarDate, _ time: String) -> Date {
        LocalTime.midnight(day).addingTimeInterval(Double(LocalTime.minutes(ofClockTime: time)! * 60))
    }

    // MARK: Fixtures

    @discardableResult
    func addElder(_ n: Int, at location: Coordinates? = BookingHarness.home, region: String = "450902001001") async throws -> Elder {
        let id = NationalID.make(regionCode: "450902", birthDate: CalendarDate(year: 1940, month: 1, day: 1 + n % 28)!, sequence: n / 28)
        let e = try NewElder(
            name: "王秀英", nationalId: id.value, phone: "13800001111", address: "玉林市玉州区某路\(n)号", location: location,
            regionCode: region, livingSituation: .alone, careLevel: .selfCare
        )
        .validated(now: clock.now)
        return try await database.registry.createElder(
            e, contacts: [NewContact(name: "李明", relation: .son, phone: "13900002222")], by: .commandLine)
    }

    /// A home-care centre serving Yuzhou district.
    func addProvider(serving regions: [String] = ["450902000000"], name: String = "玉州居家养老服务中心") async throws -> Int64 {
        let i = try NewInstitution(
            kind: .homeCareCentre, name: name, regionCode: "450902001001", address: "玉林市玉州区人民路1号", location: Self.home,
            phone: "0775-2821234"
        ).validated(now: clock.now)
        let made = try await database.registry.createInstitution(i, by: .commandLine)
        _ = try await bookings.saveProvider(
            ServiceProvider(
                institutionId: made.id, regions: regions, contractNumber: "YL-2026-\(made.id)",
                contractUntil: CalendarDate(year: 2027, month: 12, day: 31)!, status: .active), by: .commandLine)
        return made.id
    }

    static let everyDay = [WorkingHours(weekdays: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "18:00")]

    /// A housekeeper certified until `certifiedUntil` (a year on by default).
    func addWorker(
        provider: Int64, name: String = "张丽", skills: [String] = ["housekeeping", "companionship", "meal_delivery", "errands"],
        certificates: [Certificate]? = nil, hours: [WorkingHours] = BookingHarness.everyDay,
        home: Coordinates = Coordinates(latitude: 22.6350, longitude: 110.1550), accountId: Int64? = nil, volunteerGroup: String? = nil
    ) async throws -> ServiceWorker {
        let certs =
            certificates ?? [
                Certificate(kind: "housekeeping", number: "HK-\(UUID().uuidString.prefix(8))", issuer: "玉林市人社局", expiresOn: day(365)),
                Certificate(kind: "food_handler", number: "FH-\(UUID().uuidString.prefix(8))", issuer: "玉林市卫健委", expiresOn: day(365)),
            ]
        return try await bookings.createWorker(
            NewServiceWorker(
                providerId: provider, accountId: accountId, name: name, skills: skills, certificates: certs, workingHours: hours,
                home: home, volunteerGroup: volunteerGroup), by: .commandLine)
    }

    /// A worker account and its principal, for the phone's requests.
    func workerAccount(_ name: String) async throws -> (Int64, Principal) {
        let account = try await database.createAccount(NewAccount(name: name, role: .worker), by: .commandLine)
        return (account.id, Principal(accountId: account.id, name: name, role: .worker))
    }

    func book(
        _ elder: Elder, _ service: String = "cleaning", at start: Date, worker: Int64? = nil, key: String? = nil
    ) async throws
        -> Booking
    {
        let made = try await bookings.create(
            NewBooking(elderId: elder.id, service: service, start: start, workerId: worker), idempotencyKey: key, by: .commandLine)
        return try #require(made.result.bookings.first)
    }

    /// Change-log entries of `entity`, oldest first.
    func changes(_ entity: String) async throws -> [LoggedChange] {
        try await database.changes(of: entity, after: 0, limit: 10_000)
    }
}

/// A clock that stands still until a test moves it.
final class MovableClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_795_000_000))
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    func set(_ date: Date) { time.withLock { $0 = date } }
    var careClock: CareClock { CareClock { [self] in self.now } }
}

/// The refusal `body` throws, if it is a store error.
func refusal(_ body: () async throws -> Void) async -> StoreError? {
    do {
        try await body()
        return nil
    } catch let e as StoreError {
        return e
    } catch {
        return nil
    }
}
