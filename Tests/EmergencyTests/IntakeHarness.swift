import CareModel
import CareStore
import Foundation
import Synchronization

@testable import Emergency

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_795_392_000))  // 2026-11-23 08:00 in Yulin
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    var careClock: CareClock { CareClock { [self] in self.now } }
}

/// A database with one region, elders and their devices, and an intake over it.
struct IntakeHarness {
    let folder: String
    let database: CareDatabase
    let calls: CallStore
    let clock = TestClock()
    let intake: AlarmIntake
    var secrets: [String: String] = [:]

    static func make(policy: IntakePolicy = IntakePolicy()) async throws -> IntakeHarness {
        let folder = NSTemporaryDirectory() + "emergency-" + UUID().uuidString
        let clock = TestClock()
        let db = try CareDatabase.open(at: folder + "/care.sqlite", schema: TestDatabase.schema, clock: clock.careClock)
        try await db.migrate()
        for r in [
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil),
            Region(code: "450902000000", name: "玉州区", level: .district, parentCode: "450900000000"),
        ] {
            _ = try await db.registry.createRegion(r, by: .commandLine)
        }
        let harness = IntakeHarness(
            folder: folder, database: db, clock: clock,
            intake: AlarmIntake(calls: CallStore(db), policy: policy, clock: clock.careClock))
        return harness
    }

    init(folder: String, database: CareDatabase, clock: TestClock, intake: AlarmIntake) {
        self.folder = folder
        self.database = database
        self.calls = intake.calls
        self.intake = intake
        self.clockOverride = clock
    }
    private let clockOverride: TestClock
    var testClock: TestClock { clockOverride }

    /// Registers an elder (born `birthYear`, living as given) with one device; returns the device id.
    mutating func addElder(
        _ n: Int, birthYear: Int = 1950, living: LivingSituation = .withFamily,
        care: CareLevel = .selfCare, device type: DeviceType = .sosPendant
    ) async throws -> String {
        let id = NationalID.make(regionCode: "450902", birthDate: CalendarDate(year: birthYear, month: 3, day: 1 + n % 28)!, sequence: n)
        let elder = try NewElder(
            name: "测试\(n)", nationalId: id.value, phone: nil, address: "玉林市玉州区", location: nil,
            regionCode: "450902000000", livingSituation: living, careLevel: care
        )
        .validated(now: testClock.now)
        let stored = try await database.registry.createElder(elder, by: .commandLine)
        let device = try await database.registry.createDevice(NewDevice(id: "DEV-\(n)", type: type, elderId: stored.id), by: .commandLine)
        secrets[device.device.id] = device.secret
        return device.device.id
    }

    /// Signs and submits an event the way a device does.
    func send(
        _ deviceId: String, _ body: String, timestampOffset: TimeInterval = 0, secret: String? = nil,
        tamper: Bool = false
    ) async throws -> EventReply {
        let path = "/v1/devices/\(deviceId)/events"
        let ts = String(Int64(testClock.now.timeIntervalSince1970 + timestampOffset))
        let signature = EventSignature.sign(
            method: "POST", path: path, timestamp: ts, body: Data(body.utf8),
            secret: secret ?? secrets[deviceId] ?? "none")
        let sent = tamper ? Data(body.replacingOccurrences(of: "sos", with: "fall").utf8) : Data(body.utf8)
        let reply = try await intake.receive(deviceId: deviceId, path: path, timestamp: ts, signature: signature, body: sent)
        return try JSONDecoder().decode(EventReply.self, from: reply)
    }

    /// A JSON event body at the harness's time.
    func event(_ ref: String, _ kind: String, _ code: String? = nil, extra: String = "") -> String {
        let at = ISO8601DateFormatter().string(from: testClock.now)
        return #"{"ref":"\#(ref)","kind":"\#(kind)","occurredAt":"\#(at)""# + (code.map { #","code":"\#($0)""# } ?? "") + extra + "}"
    }

    func openCalls() async throws -> [Call] {
        try await calls.calls(CallFilter(), page: PageRequest(limit: 500)).items
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}
