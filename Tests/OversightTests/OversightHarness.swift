import Bookings
import CareModel
import CareStore
import Foundation
import GRDB
import Synchronization
import Testing

@testable import Oversight

/// A fresh, migrated database with Bookings' and Oversight's tables, a clock the test moves, and
/// a small Yulin: the city, Yuzhou with two communities, Fumian with a village, Beiliu empty.
struct OversightHarness {
    let folder: String
    let database: CareDatabase
    let oversight: OversightStore
    let clock: MovableClock

    static let schema = Schema.shared.adding(BookingStore.migrations).adding(OversightStore.migrations)

    static func make(withBookings: Bool = false) async throws -> OversightHarness {
        let folder = NSTemporaryDirectory() + "oversight-" + UUID().uuidString
        let clock = MovableClock()
        clock.set(at("2026-11-02"))
        let db = try CareDatabase.open(at: folder + "/care.sqlite", schema: schema, clock: clock.careClock)
        try await db.migrate()
        if withBookings { _ = BookingStore(db) }
        let h = OversightHarness(folder: folder, database: db, oversight: OversightStore(db), clock: clock)
        for r in [
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil),
            Region(code: "450902000000", name: "玉州区", level: .district, parentCode: "450900000000"),
            Region(code: "450902001000", name: "玉城街道", level: .street, parentCode: "450902000000"),
            Region(code: "450902001001", name: "大南社区", level: .community, parentCode: "450902001000"),
            Region(code: "450902001002", name: "小北社区", level: .community, parentCode: "450902001000"),
            Region(code: "450903000000", name: "福绵区", level: .district, parentCode: "450900000000"),
            Region(code: "450903101000", name: "新桥镇", level: .street, parentCode: "450903000000"),
            Region(code: "450903101201", name: "六龙村", level: .community, parentCode: "450903101000"),
            Region(code: "450981000000", name: "北流市", level: .district, parentCode: "450900000000"),
        ] {
            _ = try await db.registry.createRegion(r, by: .commandLine)
        }
        return h
    }

    /// The same file opened again, as after a crash or restart.
    func reopened() throws -> OversightHarness {
        try database.close()
        let db = try CareDatabase.open(at: folder + "/care.sqlite", schema: Self.schema, clock: clock.careClock)
        return OversightHarness(folder: folder, database: db, oversight: OversightStore(db), clock: clock)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
    /// 09:00 local time on a day.
    static func at(_ iso: String) -> Date { LocalTime.midnight(day(iso)).addingTimeInterval(9 * 3600) }

    @discardableResult
    func addElder(_ n: Int, born: String, region: String = "450902001001", name: String = "王秀英") async throws -> Elder {
        let id = NationalID.make(regionCode: String(region.prefix(6)), birthDate: Self.day(born), sequence: n)
        let e = try NewElder(
            name: name, nationalId: id.value, phone: "13800001111", address: "玉林市某路\(n)号", location: nil,
            regionCode: region, livingSituation: .alone, careLevel: .selfCare, categories: []
        ).validated(now: clock.now)
        return try await database.registry.createElder(e, contacts: [], by: .commandLine)
    }

    func addHome(
        _ name: String, region: String = "450902001001", beds: Int, nursing: Int, kind: InstitutionKind = .careHome
    ) async throws -> Int64 {
        let i = try NewInstitution(
            kind: kind, name: name, regionCode: region, address: "玉林市某路1号", location: nil, phone: "0775-2821234",
            beds: beds, nursingBeds: nursing
        ).validated(now: clock.now)
        return try await database.registry.createInstitution(i, by: .commandLine).id
    }

    /// Every change-log entry oversight wrote, as `change institutionId`.
    func subsidyChanges() async throws -> [String] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT change, entity_id FROM change_log WHERE entity = 'oversight' ORDER BY position").map {
                "\($0["change"] as String) \($0["entity_id"] as Int64)"
            }
        }
    }

    func outboxKeys() async throws -> [String] {
        try await database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT idempotency_key FROM outbox WHERE topic = 'rectification_due' ORDER BY id")
        }
    }
}

/// A clock that stands still until a test moves it.
final class MovableClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    var now: Date { time.withLock { $0 } }
    func set(_ date: Date) { time.withLock { $0 = date } }
    var careClock: CareClock { CareClock { [self] in self.now } }
}
