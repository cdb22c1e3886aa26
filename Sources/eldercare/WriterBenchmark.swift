import ArgumentParser
import CareConfig
import CareModel
import CareStore
import Emergency
import Foundation
import Synchronization

/// `eldercare writer-benchmark`: the intake's write path alone, without HTTP, signatures or a
/// load generator sharing the cores. N submitters each hand the group-commit writer one alarm at
/// a time and wait for it to be durable, as N device connections do, so the batches form the way
/// they do in the server. Reports durable events/s and the process's CPU time per event.
///
/// Run it on a copy of a seeded database: it writes calls and events into it.
struct WriterBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "writer-benchmark",
        abstract: "Time the alarm intake's durable write path (group commit) without HTTP, on a copy of a seeded database.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Concurrent submitters (like device connections).")
    var submitters: Int = 64

    @Option(help: "Devices the alarms come from (the first N active devices).")
    var devices: Int = 20_000

    @Option(help: "Seconds of load before measuring: caches and pages warm up.")
    var warmup: Double = 3

    @Option(help: "Seconds measured.")
    var duration: Double = 10

    @Option(name: .customLong("gather-ms"), help: "How long a small batch waits for company after a commit (the server uses 1).")
    var gatherMilliseconds: Double = 1

    func validate() throws {
        guard (1...10_000).contains(submitters) else { throw ValidationError("--submitters must be between 1 and 10000.") }
        guard devices >= 1 else { throw ValidationError("--devices must be at least 1.") }
        guard warmup >= 0, duration > 0 else { throw ValidationError("--warmup must be 0 or more and --duration more than 0 seconds.") }
        guard gatherMilliseconds >= 0 else { throw ValidationError("--gather-ms must be 0 or more.") }
    }

    func run() async throws {
        let settings = try await options.settings()
        let database = try options.openDatabase(settings)
        try await database.migrate()
        var pool: [Device] = []
        var page = PageRequest(limit: 1000)
        while pool.count < devices {
            let found = try await database.registry.devices(DeviceFilter(status: .active), page: page)
            pool += found.items
            guard let next = found.nextCursor else { break }
            page.after = next
        }
        pool = Array(pool.prefix(devices))
        guard !pool.isEmpty else { throw CLIError("The database has no active devices: seed it first (eldercare seed).") }
        let writer = IntakeWriter(
            calls: CallStore(database, escalation: EscalationPolicy(settings.emergency)), policy: try IntakePolicy(settings.emergency),
            gatherFor: .microseconds(Int(gatherMilliseconds * 1000)))
        let devicesUsed = pool
        let run = BenchmarkRun(warmup: warmup, duration: duration)
        print("\(submitters) submitters, \(devicesUsed.count) devices, warm-up \(warmup) s, measuring \(duration) s")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for submitter in 0..<submitters {
                group.addTask {
                    var n = 0
                    while let measuring = run.phase() {
                        let device = devicesUsed[(submitter &* 7919 &+ n &* 104_729) % devicesUsed.count]
                        let now = Date()
                        let ref = "wb-\(submitter)-\(n)"
                        let event = DeviceEvent(
                            ref: ref, kind: .alarm, code: n % 2 == 0 ? .sos : .fall, occurredAt: now,
                            location: EventLocation(area: .bathroom), battery: 80)
                        let body = Data(#"{"ref":"\#(ref)","kind":"alarm","code":"sos"}"#.utf8)
                        _ = try await writer.submit(IncomingEvent(device: device, event: event, body: body, receivedAt: now))
                        if measuring { run.count() }
                        n += 1
                    }
                }
            }
            try await group.waitForAll()
        }
        let (events, cpu) = run.result()
        print(
            String(
                format: "%.0f events/s durable (%d in %.1f s); process CPU %.1f µs per event",
                Double(events) / duration, events, duration, cpu / Double(max(events, 1)) * 1e6))
        try database.close()
    }
}

/// The clock of one benchmark run: a warm-up, then the measured window, in which events are
/// counted and the process's CPU time is taken at both ends.
final class BenchmarkRun: Sendable {
    private let started = ContinuousClock.now
    private let warmup: Duration
    private let end: Duration
    private let counted = Mutex<(events: Int, cpuAtStart: Double?)>((0, nil))

    init(warmup: Double, duration: Double) {
        self.warmup = .seconds(warmup)
        self.end = .seconds(warmup + duration)
    }

    /// Nil when the run is over; otherwise whether the measured window has begun.
    func phase() -> Bool? {
        let elapsed = ContinuousClock.now - started
        if elapsed >= end { return nil }
        guard elapsed >= warmup else { return false }
        counted.withLock { if $0.cpuAtStart == nil { $0.cpuAtStart = Self.processCPUSeconds() } }
        return true
    }

    func count() { counted.withLock { $0.events += 1 } }

    /// Events counted in the window, and the process's CPU seconds over it.
    func result() -> (Int, Double) {
        counted.withLock { ($0.events, Self.processCPUSeconds() - ($0.cpuAtStart ?? Self.processCPUSeconds())) }
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
