import CareModel
import CareStore
import Foundation
import Synchronization

@testable import Emergency

/// A fresh, migrated database file with Emergency's tables in a temporary folder, its call store,
/// and a clock the test controls.
struct TestDatabase {
    let folder: String
    let database: CareDatabase
    let calls: CallStore
    /// The database's clock, which only tests move.
    let clock: MovableClock

    static let schema = Schema.shared.adding(CallStore.migrations)

    static func make(migrate: Bool = true, escalation: EscalationPolicy = .default) async throws -> TestDatabase {
        let folder = NSTemporaryDirectory() + "carestore-" + UUID().uuidString
        let clock = MovableClock()
        let db = try CareDatabase.open(at: folder + "/care.sqlite", schema: schema, clock: clock.careClock)
        if migrate { try await db.migrate() }
        return TestDatabase(folder: folder, database: db, calls: CallStore(db, escalation: escalation), clock: clock)
    }

    /// The same file opened again, as after a restart.
    func reopened(escalation: EscalationPolicy = .default) throws -> TestDatabase {
        try database.close()
        let db = try CareDatabase.open(at: folder + "/care.sqlite", schema: Self.schema, clock: clock.careClock)
        return TestDatabase(folder: folder, database: db, calls: CallStore(db, escalation: escalation), clock: clock)
    }

    /// Yulin, Yuzhou and one street and community in it.
    func addRegions() async throws {
        for r in [
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil),
            Region(code: "450902000000", name: "玉州区", level: .district, parentCode: "450900000000"),
            Region(code: "450902001000", name: "玉城街道", level: .street, parentCode: "450902000000"),
            Region(code: "450902001001", name: "大南社区", level: .community, parentCode: "450902001000"),
            Region(code: "450903000000", name: "福绵区", level: .district, parentCode: "450900000000"),
            Region(code: "450903001000", name: "福绵镇", level: .street, parentCode: "450903000000"),
        ] {
            _ = try await database.registry.createRegion(r, by: .commandLine)
        }
    }

    /// A valid elder with sequence-derived identity number.
    func addElder(_ n: Int, name: String = "王秀英", region: String = "450902001001") async throws -> Elder {
        let id = NationalID.make(
            regionCode: "450902", birthDate: CalendarDate(year: 1940, month: 1, day: 1 + n % 28)!,
            sequence: n / 28)
        let e = try NewElder(
            name: name, nationalId: id.value, phone: "13800001111", address: "玉林市玉州区某路\(n)号",
            location: nil, regionCode: region, livingSituation: .alone, careLevel: .selfCare
        )
        .validated(now: Date(timeIntervalSince1970: 1_795_000_000))
        return try await database.registry.createElder(
            e, contacts: [NewContact(name: "李明", relation: .son, phone: "13900002222")],
            by: .commandLine)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

/// A clock that stands still until a test moves it.
final class MovableClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_795_000_000))
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    var careClock: CareClock { CareClock { [self] in self.now } }
}
