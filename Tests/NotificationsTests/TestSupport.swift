import CareModel
import CareStore
import CareTesting
import CurlHTTP
import Emergency
import Foundation
import Notifications
import Synchronization
import Testing

/// A clock tests move by hand. It starts at 2026-11-23 00:00 UTC, 08:00 in Yulin.
final class TestClock: Sendable {
    private let time: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_795_392_000)) { time = Mutex(start) }
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    func set(_ date: Date) { time.withLock { $0 = date } }
    var careClock: CareClock { CareClock { [self] in self.now } }
}

/// Tokens `tok-1`, `tok-2`, … so tests can open acknowledgement links.
final class TokenCounter: Sendable {
    private let n = Mutex(0)
    func next() -> String {
        n.withLock {
            $0 += 1; return "tok-\($0)"
        }
    }
}

/// What the receiver answers, changed in the middle of a test by ``Harness/respond(_:)``.
///
/// Here, not in CareTesting: the shared server's handler is fixed at start, because a closure
/// kept in a `Mutex` and called from hundreds of threads at once grew the process under a load
/// test. These tests send a handful of requests.
final class ReceiverScript: Sendable {
    private let script = Mutex<LoopbackHTTPServer.Script>({ _ in .status(200) })
    func respond(_ script: @escaping LoopbackHTTPServer.Script) { self.script.withLock { $0 = script } }
    func reply(to request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply { script.withLock { $0 }(request) }
}

/// A database with a region, a receiver on loopback standing in for the SMS gateway (`/sms`),
/// the push server (`/push`) and a webhook (`/hook`), and a worker sending to it under a test clock.
struct Harness {
    let folder: String
    let database: CareDatabase
    /// Emergency's store, for tests whose messages come from calls.
    let calls: CallStore
    let clock: TestClock
    let receiver: LoopbackHTTPServer
    let script: ReceiverScript
    let worker: NotificationWorker
    let settings: NotificationSettings

    /// The core, the registry, calls (whose changes cause messages) and notifications.
    static let schema = Schema.shared.adding(CallStore.migrations).adding(NotificationStore.migrations)

    static let webhookSecret = "whsec-test-7f3a"
    static let smsKey = "sms-key-SECRET-91"

    static func make(_ configure: (inout NotificationSettings) -> Void = { _ in }) async throws -> Harness {
        let folder = NSTemporaryDirectory() + "notify-" + UUID().uuidString
        let clock = TestClock()
        let database = try CareDatabase.open(at: folder + "/care.sqlite", schema: schema, clock: clock.careClock)
        try await database.migrate()
        for r in [
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil),
            Region(code: "450902000000", name: "玉州区", level: .district, parentCode: "450900000000"),
        ] {
            _ = try await database.registry.createRegion(r, by: .commandLine)
        }
        let script = ReceiverScript()
        let receiver = try LoopbackHTTPServer { script.reply(to: $0) }
        var settings = NotificationSettings()
        settings.webhook = .init(url: receiver.url("/hook"), secret: webhookSecret)
        settings.sms = .init(url: receiver.url("/sms"), apiKey: smsKey)
        settings.push = .init(url: receiver.url("/push"))
        settings.publicBaseURL = "https://care.example.org"
        settings.requestTimeout = .seconds(2)
        settings.supervisorPhone = "13900000000"
        configure(&settings)
        let tokens = TokenCounter()
        let worker = NotificationWorker(
            database: database, settings: settings, clock: clock.careClock,
            jitter: { 0.5 }, makeToken: { tokens.next() })
        return Harness(
            folder: folder, database: database, calls: CallStore(database), clock: clock, receiver: receiver, script: script,
            worker: worker,
            settings: settings)
    }

    /// Runs `body` with a new harness and tears the harness down once `body` has returned or thrown
    /// (rethrowing its error). The teardown is awaited: left to a detached task, it would overlap
    /// the next test and nobody would hear of its failures.
    static func with<T>(
        settings configure: (inout NotificationSettings) -> Void = { _ in },
        _ body: (Harness) async throws -> T
    ) async throws -> T {
        let h = try await make(configure)
        do {
            let result = try await body(h)
            await h.tearDown()
            return result
        } catch {
            await h.tearDown()
            throw error
        }
    }

    /// Changes how the receiver answers later requests (200 until then).
    func respond(_ script: @escaping LoopbackHTTPServer.Script) { self.script.respond(script) }

    func tearDown() async {
        await worker.close()
        receiver.stop()
        try? database.close()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Registers an elder with contacts (in call order) and one device; returns (elder, device id).
    func addElder(
        _ n: Int, name: String = "黄秀英", sex: Sex = .female, phone: String? = nil,
        contacts: [(String, String)] = [("李明", "13800000001"), ("李娟", "13800000002")],
        notifyFamily: Bool = true
    ) async throws -> (Elder, String) {
        let birth = CalendarDate(year: 1944, month: 5, day: 1 + n % 28)!
        var id = NationalID.make(regionCode: "450902", birthDate: birth, sequence: n * 2 + (sex == .female ? 0 : 1))
        if id.sex != sex { id = NationalID.make(regionCode: "450902", birthDate: birth, sequence: n * 2 + 1) }
        let elder = try NewElder(
            name: name, nationalId: id.value, phone: phone, address: "玉林市玉州区人民路\(n)号", location: nil,
            regionCode: "450902000000", livingSituation: .alone, careLevel: .semiDisabled,
            consent: Consent(notifyFamily: notifyFamily)
        )
        .validated(now: clock.now)
        let stored = try await database.registry.createElder(
            elder, contacts: contacts.map { NewContact(name: $0.0, relation: .son, phone: $0.1) },
            by: .commandLine)
        let device = try await database.registry.createDevice(
            NewDevice(id: "SOS-\(n)", type: .sosPendant, elderId: stored.id), by: .commandLine)
        return (stored, device.device.id)
    }

    /// Opens a call the way intake does (the same transaction writes its `call_opened` outbox row).
    func openCall(
        device deviceId: String, code: AlarmCode = .fall, priority: Priority = .p1, ref: String = UUID().uuidString
    ) async throws -> Int64 {
        let device = try await database.registry.device(id: deviceId)
        let event = DeviceEvent(ref: ref, kind: .alarm, code: code, occurredAt: clock.now)
        let results = try await calls.recordEvents(
            [
                IncomingEvent(
                    device: device, event: event, body: Data("{}".utf8),
                    receivedAt: clock.now)
            ], graceSeconds: 120
        ) { _ in
            .open(code: code, priority: priority, reason: "test")
        }
        let reply = try JSONDecoder().decode(EventReply.self, from: try results[0].get().reply)
        return try #require(reply.callId)
    }

    func notifications(_ filter: NotificationFilter = NotificationFilter()) async throws -> [NotificationView] {
        try await worker.store.notifications(filter, page: PageRequest(limit: 500)).items.sorted { $0.id < $1.id }
    }

    func notification(_ id: Int64) async throws -> NotificationView { try await worker.store.notification(id: id) }
}

extension Array where Element == LoopbackHTTPServer.Request {
    var idempotencyKeys: [String] { compactMap { $0.headers["Idempotency-Key"] } }
}
