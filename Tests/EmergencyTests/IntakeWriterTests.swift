import CareModel
import CareStore
import Foundation
import Testing

@testable import Emergency

/// The group-commit writer's gathering: busy writers wait a moment for company, and so do
/// heartbeats reaching an idle writer; alarms reaching an idle writer never wait.
@Suite struct IntakeWriterTests {
    /// One event submitted to the writer directly, as the intake does after checking it.
    func incoming(_ h: IntakeHarness, device: String, ref: String, kind: EventKind = .alarm) async throws -> IncomingEvent {
        let found = try #require(try h.calls.deviceCredentials(id: device))
        let event = DeviceEvent(ref: ref, kind: kind, code: kind == .alarm ? .sos : nil, occurredAt: h.testClock.now)
        return IncomingEvent(
            device: found.device, event: event, body: Data(#"{"ref":"\#(ref)"}"#.utf8),
            receivedAt: h.testClock.now)
    }

    @Test("An event reaching an idle writer commits at once, however long a busy writer would gather")
    func idleWriterNeverWaits() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        // A gathering pause of a minute: any wait at all would show.
        let writer = IntakeWriter(calls: h.calls, policy: IntakePolicy(), gatherBelow: 1_000, gatherFor: .seconds(60))
        let started = ContinuousClock.now
        for n in 0..<3 {
            // Each event finds the writer idle: the previous one has committed and been answered.
            let result = try await writer.submit(try await incoming(h, device: device, ref: "idle-\(n)"))
            #expect(!result.duplicate)
        }
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("A heartbeat reaching an idle writer waits for company, and an alarm arriving meanwhile ends the wait at once")
    func heartbeatsWaitForCompanyUntilAnAlarm() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let writer = IntakeWriter(
            calls: h.calls, policy: IntakePolicy(), routineGatherFor: .seconds(60),
            routineGatherBelow: 1_000)
        let heartbeat = try await incoming(h, device: device, ref: "hb-1", kind: .heartbeat)
        let started = ContinuousClock.now
        // Queued before `submit` returns, so the heartbeat surely reaches the writer first.
        let waiting = Heard()
        writer.submit(heartbeat, receiver: waiting)
        // The alarm goes in only once the writer holds the heartbeat back; a writer that never
        // waits for company never gets there, and the test fails.
        for _ in 0..<6_000 where !writer.isWaitingForCompany { try await Task.sleep(for: .milliseconds(10)) }
        #expect(writer.isWaitingForCompany, "the heartbeat is held back for company")

        let alarm = try await writer.submit(try await incoming(h, device: device, ref: "sos-1"))
        let heard = try await waiting.result()
        #expect(!alarm.duplicate && !heard.duplicate)
        #expect(ContinuousClock.now - started < .seconds(30), "the alarm did not wait out the heartbeat's minute")
        // One transaction writes alarms before routine events: the alarm stored ahead of the
        // heartbeat that reached the writer first means the heartbeat was still waiting when it came.
        let stored = try await h.calls.deviceEvents(deviceId: device, page: PageRequest()).items.map(\.ref)
        #expect(stored == ["sos-1", "hb-1"], "the heartbeat waited for company and went with the alarm")
    }

    @Test("Heartbeats that reach the batch size commit together without waiting out the gathering time")
    func heartbeatsCommitOnceEnoughHaveGathered() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        var devices: [String] = []
        for n in 1...4 { devices.append(try await h.addElder(n)) }
        let writer = IntakeWriter(
            calls: h.calls, policy: IntakePolicy(), routineGatherFor: .seconds(60),
            routineGatherBelow: 4)
        var events: [IncomingEvent] = []
        for device in devices { events.append(try await incoming(h, device: device, ref: "hb", kind: .heartbeat)) }
        let submitted = events
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: IntakeResult.self) { group in
            for event in submitted { group.addTask { try await writer.submit(event) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 4 && results.allSatisfy { !$0.duplicate })
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("A busy writer that gathers commits loses nothing: 200 concurrent events from 8 devices, all stored once")
    func busyWriterGathersEvents() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        var devices: [String] = []
        for n in 1...8 { devices.append(try await h.addElder(n)) }
        let writer = IntakeWriter(calls: h.calls, policy: IntakePolicy(), gatherBelow: 64, gatherFor: .milliseconds(20))
        var events: [IncomingEvent] = []
        for (i, device) in devices.enumerated() {
            for n in 0..<25 { events.append(try await incoming(h, device: device, ref: "busy-\(i)-\(n)")) }
        }
        let submitted = events
        let results = try await withThrowingTaskGroup(of: IntakeResult.self) { group in
            for event in submitted { group.addTask { try await writer.submit(event) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 200)
        #expect(results.allSatisfy { !$0.duplicate })
        for device in devices {
            let stored = try await h.calls.deviceEvents(deviceId: device, page: PageRequest(limit: 100))
            #expect(stored.items.count == 25)
        }
    }
}

/// The device path outside Swift concurrency (CareAPI's channel handler uses it).
@Suite("Intake with a reply receiver")
struct IntakeReceiverTests {
    final class Collector: IntakeReplyReceiver, @unchecked Sendable {
        let lock = NSCondition()
        var results: [Result<Data, any Error>] = []
        func intakeReplied(_ result: Result<Data, any Error>) {
            lock.lock(); results.append(result); lock.broadcast(); lock.unlock()
        }
        func wait(for count: Int) -> [Result<Data, any Error>] {
            lock.lock(); defer { lock.unlock() }
            while results.count < count { _ = lock.wait(until: Date().addingTimeInterval(60)) }
            return results
        }
    }

    @Test func aRefusalArrivesAtOnceAndAStoredEventOnceDurable() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1)
        let body = Data(h.event("r1", "alarm", "sos").utf8)
        let path = "/v1/devices/\(device)/events"
        let ts = String(Int64(h.testClock.now.timeIntervalSince1970))

        let refused = Collector()
        h.intake.receive(deviceId: device, path: path, timestamp: ts, signature: "0000", body: body, receiver: refused)
        // On the calling thread, before receive returns.
        #expect(refused.results.count == 1)
        #expect(throws: IntakeError.self) { try refused.results[0].get() }

        let stored = Collector()
        let signature = EventSignature.sign(method: "POST", path: path, timestamp: ts, body: body, secret: h.secrets[device]!)
        h.intake.receive(deviceId: device, path: path, timestamp: ts, signature: signature, body: body, receiver: stored)
        let reply = try JSONDecoder().decode(EventReply.self, from: try stored.wait(for: 1)[0].get())
        #expect(reply.ref == "r1" && reply.status == .accepted)
        #expect(try await h.calls.deviceEvents(deviceId: device, page: PageRequest()).items.map(\.ref) == ["r1"])
    }
}

/// Hears an event given to ``IntakeWriter/submit(_:receiver:)``, which queues it before returning.
final class Heard: IntakeReceiver {
    private let outcome: AsyncStream<Result<IntakeResult, any Error>>
    private let continuation: AsyncStream<Result<IntakeResult, any Error>>.Continuation

    init() { (outcome, continuation) = AsyncStream.makeStream() }

    func intakeFinished(_ result: Result<IntakeResult, any Error>) {
        continuation.yield(result)
        continuation.finish()
    }

    /// The event's result, once it is durable.
    func result() async throws -> IntakeResult {
        for await result in outcome { return try result.get() }
        throw CancellationError()
    }
}
