import CareModel
import CareStore
import CareTesting
import Foundation
import Testing

/// The numbers in Docs/performance.md, "Notifications": a backlog of queued emergency messages
/// (100,000 by default) drained by the real server into a receiver that takes 50 ms per
/// request, with the server's memory sampled throughout. Run by `Scripts/bench-notifications`
/// (release build); skipped unless `ELDERCARE_BENCH_NOTIFICATIONS` is set.
@Suite("Notification throughput", .serialized)
struct NotificationBenchmarkTests {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    @Test(.enabled(if: environment["ELDERCARE_BENCH_NOTIFICATIONS"] != nil))
    func drainABacklogIntoASlowReceiver() async throws {
        let count = Int(Self.environment["BENCH_MESSAGES"] ?? "") ?? 100_000
        let delay = Int(Self.environment["BENCH_RECEIVER_MS"] ?? "") ?? 50
        let concurrency = Self.environment["BENCH_CONCURRENCY"] ?? "256"
        let receiver = try LoopbackHTTPServer(recordsRequests: false) { _ in .after(milliseconds: delay, .status(200)) }
        defer { receiver.stop() }
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["migrate"])

        // The backlog: one elder with one contact, `count` calls' call_opened rows in the outbox
        // (each fans out to the contact now and the supervisor an hour later).
        let started = Date()
        let database = try CareDatabase.open(at: server.dataDirectory + "/eldercare.sqlite", schema: Schema.shared)
        _ = try await database.registry.createRegion(
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil), by: .commandLine)
        let id = NationalID.make(regionCode: "450902", birthDate: CalendarDate(year: 1944, month: 5, day: 1)!, sequence: 2)
        let elder = try await database.registry.createElder(
            try NewElder(
                name: "黄秀英", nationalId: id.value, phone: nil, address: "人民路1号", location: nil,
                regionCode: "450900000000", livingSituation: .alone, careLevel: .selfCare
            ).validated(now: Date()),
            contacts: [NewContact(name: "李明", relation: .son, phone: "13800000001")], by: .commandLine)
        for chunk in stride(from: 0, to: count, by: 10_000) {
            try await database.enqueueOutbox(
                (chunk..<min(count, chunk + 10_000)).map { i in
                    OutboxEntry(
                        topic: .callOpened, key: "bench:\(i):opened", elderId: elder.id, callId: nil,
                        payload: ["code": "fall", "priority": "P1"])
                }, at: Date())
        }
        try database.close()
        print("BENCH queued \(count) outbox rows in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        try await server.start(environment: [
            "ELDERCARE_NOTIFICATIONS_CHANNEL_ORDER": "webhook",
            "ELDERCARE_NOTIFICATIONS_WEBHOOK_URL": receiver.url("/hook"),
            "ELDERCARE_NOTIFICATIONS_WEBHOOK_SECRET": "bench",
            "ELDERCARE_NOTIFICATIONS_ACKNOWLEDGEMENT_TIMEOUT_SECONDS": "86400",
            "ELDERCARE_NOTIFICATIONS_QUIET_HOURS_START": "00:00",
            "ELDERCARE_NOTIFICATIONS_QUIET_HOURS_END": "00:00",
            "ELDERCARE_NOTIFICATIONS_CONCURRENCY": concurrency,
        ])
        let pid = server.process.processIdentifier
        let cpuAtStart = Self.cpuSeconds(pid)
        var samples: [(at: Date, received: Int, rssKB: Int)] = []
        let deadline = Date().addingTimeInterval(Double(count) / 200 + 120)
        while receiver.requestCount < count && Date() < deadline {
            samples.append((Date(), receiver.requestCount, Self.status(pid, "VmRSS")))
            if samples.count % 8 == 0 {
                print(
                    "BENCH progress: \(receiver.requestCount) delivered, server VmRSS \(samples.last!.rssKB / 1024) MB, \(receiver.acceptedConnections) connections"
                )
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        samples.append((Date(), receiver.requestCount, Self.status(pid, "VmRSS")))
        let peakKB = Self.status(pid, "VmHWM")
        let cpu = Self.cpuSeconds(pid) - cpuAtStart
        let received = receiver.requestCount
        #expect(received >= count, "delivered \(received) of \(count)")
        #expect(server.stop() == 0)

        // Steady state: from 10 % to 90 % of the backlog delivered.
        guard let from = samples.first(where: { $0.received >= count / 10 }),
            let to = samples.first(where: { $0.received >= count * 9 / 10 }), to.at > from.at
        else { return }
        let rate = Double(to.received - from.received) / to.at.timeIntervalSince(from.at)
        let firstAt = samples.first { $0.received > 0 }?.at ?? samples[0].at
        let total = Double(received) / (samples.last!.at.timeIntervalSince(firstAt))
        let maxSampledKB = samples.map(\.rssKB).max() ?? 0
        print(
            "BENCH deliveries/s (10%–90%): \(Int(rate)); over the whole drain: \(Int(total)); receiver \(delay) ms per request, concurrency \(concurrency)"
        )
        print("BENCH most in flight at the receiver: \(receiver.mostInFlight)")
        print(
            "BENCH server CPU: \(String(format: "%.1f", cpu)) s for \(received) deliveries (\(String(format: "%.0f", cpu / Double(max(received, 1)) * 1e6)) µs each)"
        )
        print("BENCH server memory: peak RSS (VmHWM) \(peakKB / 1024) MB, largest sampled VmRSS \(maxSampledKB / 1024) MB")
        #expect(rate >= 2_000)
        #expect(peakKB < 150 * 1024)
    }

    /// User plus system CPU time of a process, from /proc/<pid>/stat.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the name: state is field 3, utime 14 and stime 15 (1-based in the whole line).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A `kB` field of /proc/<pid>/status.
    static func status(_ pid: Int32, _ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0
    }
}
