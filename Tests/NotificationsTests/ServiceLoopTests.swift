import CareModel
import CareStore
import CareTesting
import Foundation
import Logging
import Synchronization
import Testing

@testable import Notifications

/// The worker as the server runs it: its own loop, the real clock, many sends in flight.
/// Nothing here asserts on timing; the waits only bound how long a broken worker may hang the run.
@Suite("The worker's service loop", .serialized)
struct ServiceLoopTests {
    /// Polls `condition` every 20 ms for up to `seconds`: generous, since the whole suite runs beside
    /// it on two cores and CPU-bound tests can hold the cooperative pool for tens of seconds.
    func eventually(_ seconds: Double = 120, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    @Test func deliversEverythingConcurrentlyAndStopsCleanly() async throws {
        let folder = NSTemporaryDirectory() + "notify-loop-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try CareDatabase.open(at: folder + "/care.sqlite", schema: Harness.schema)
        try await database.migrate()
        _ = try await database.registry.createRegion(
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil), by: .commandLine)
        let id = NationalID.make(regionCode: "450902", birthDate: CalendarDate(year: 1944, month: 5, day: 1)!, sequence: 2)
        let elder = try await database.registry.createElder(
            try NewElder(
                name: "黄秀英", nationalId: id.value, phone: nil, address: "人民路1号", location: nil,
                regionCode: "450900000000", livingSituation: .alone, careLevel: .selfCare
            ).validated(now: Date()),
            contacts: [NewContact(name: "李明", relation: .son, phone: "13800000001")], by: .commandLine)

        let receiver = try LoopbackHTTPServer { _ in .after(milliseconds: 20, .status(200)) }
        defer { receiver.stop() }
        var settings = NotificationSettings()
        settings.channelOrder = [.webhook]
        settings.webhook = .init(url: receiver.url("/hook"), secret: "s")
        settings.quietHours = .none
        settings.concurrency = 64
        settings.batchSize = 32
        settings.pollInterval = .milliseconds(50)
        let worker = NotificationWorker(database: database, settings: settings)
        let running = Task { try await worker.run() }

        let count = 400
        try await database.enqueueOutbox(
            (0..<count).map { i in
                OutboxEntry(
                    topic: .bookingConfirmed, key: "booking:\(i):confirmed", elderId: elder.id, callId: nil, payload: ["service": "助浴"])
            }, at: Date())
        worker.wake()
        let done = try await eventually {
            try await worker.store.notifications(NotificationFilter(status: .sent), page: PageRequest(limit: 1000)).items.count == count
        }
        #expect(done, "every message sent")
        let keys = receiver.requests.idempotencyKeys
        #expect(Set(keys) == Set((0..<count).map { "booking:\($0):confirmed:family_contact:1" }))
        #expect(keys.count == count, "no repeats without a failure")
        #expect(receiver.mostInFlight > 8, "sends overlap on the one multi handle (saw \(receiver.mostInFlight))")
        let depth = try await worker.store.notificationQueueDepth()
        #expect(depth == NotificationQueueDepth(outbox: 0, pending: 0, sending: 0, dead: 0))

        running.cancel()
        _ = try? await running.value
        #expect(try await worker.store.notifications(NotificationFilter(status: .sending), page: PageRequest()).items.isEmpty)
        try database.close()
    }

    @Test func withNoChannelConfiguredTheOutboxIsLeftAlone() async throws {
        let folder = NSTemporaryDirectory() + "notify-off-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try CareDatabase.open(at: folder + "/care.sqlite", schema: Harness.schema)
        try await database.migrate()
        try await database.enqueueOutbox(
            [OutboxEntry(topic: .callOpened, key: "call:1:opened", elderId: nil, callId: 1, payload: [:])], at: Date())
        let log = LogRecorder()
        let worker = NotificationWorker(database: database, settings: NotificationSettings(), logger: log.logger)
        #expect(!worker.isEnabled)
        let running = Task { try await worker.run() }
        // The warning is the last thing a worker without channels does before it waits for the
        // shutdown: once it is out, the worker has made its choice, whatever the machine's speed.
        #expect(
            try await eventually { log.messages.contains { $0.hasPrefix("no notification channel is configured") } },
            "the worker said it is leaving the outbox alone")
        running.cancel()
        _ = try? await running.value
        #expect(try await database.outboxStatus(key: "call:1:opened")?.status == "pending")
        try database.close()
    }
}

/// Keeps the messages a logger is given, for a test that waits for one.
final class LogRecorder: Sendable {
    private let recorded = Mutex<[String]>([])
    var messages: [String] { recorded.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            recorder.recorded.withLock { $0.append(event.message.description) }
        }
    }
}
