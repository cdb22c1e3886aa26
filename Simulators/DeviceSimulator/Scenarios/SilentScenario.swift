import ArgumentParser
import CareModel
import Dispatch
import Foundation
import Synchronization

/// `scenario silent`: some devices stop reporting; supervision should notice.
struct SilentScenario: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silent",
        abstract: "Like fleet, but a fraction of the devices stops sending; wait for device_offline calls for exactly those.",
        discussion: """
            The fleet beats (compressed by --speedup) from the start. After --silent-after seconds the \
            chosen devices stop for good and are listed (and written to --silent-list, for a test to \
            read). The others keep beating while the simulator polls GET /v1/calls until a device_offline \
            call has appeared for every silent device, or --wait seconds have passed since they stopped. \
            The platform supervises at the registered (real) interval, so --wait must exceed it: devices \
            are chosen among the 300 s kinds (pendants, watches, fall detectors) where possible. \
            Fails when a silent device gets no device_offline call in time.
            """)

    @OptionGroup var server: ServerOptions
    @OptionGroup var fleet: FleetOptions

    @Option(
        name: .customLong("silent-fraction"),
        help: ArgumentHelp("Share of the devices that stops sending (at least one device).", valueName: "fraction"))
    var silentFraction: Double = 0.05

    @Option(name: .customLong("silent-after"), help: ArgumentHelp("Seconds of normal beating before they stop.", valueName: "seconds"))
    var silentAfter: Double = 30

    @Option(help: ArgumentHelp("Seconds to wait, after they stop, for the device_offline calls.", valueName: "seconds"))
    var wait: Double = 900

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Seconds between polls of GET /v1/calls.", valueName: "seconds"))
    var pollInterval: Double = 5

    @Option(
        name: .customLong("silent-list"),
        help: ArgumentHelp("Also write the silent devices' ids to this file, one per line.", valueName: "file"))
    var silentList: String?

    func validate() throws {
        guard silentFraction > 0, silentFraction < 1 else {
            throw ValidationError("--silent-fraction must be between 0 and 1 (exclusive).")
        }
        guard silentAfter >= 0, wait > 0, pollInterval > 0 else {
            throw ValidationError("--silent-after must not be negative, and --wait and --poll-interval must be positive.")
        }
    }

    func run() throws {
        let context = try ScenarioContext(server, name: "silent")
        let run = context.run
        let runStart = Date()

        run.step("Choosing \(Format.count(fleet.devices)) active devices, pendants, watches and fall detectors first (300 s heartbeat).")
        let chosen = try context.directory.choose(.init(count: fleet.devices, preferredTypes: ["sos_pendant", "watch", "fall_detector"]))
        guard chosen.count >= 2 else { throw SimError("The silent scenario needs at least 2 devices; found \(chosen.count).") }
        let keyring = try context.directory.keyring(for: chosen)
        // The silent ones: random, among those with the shortest interval (offline soonest).
        let shortest = keyring.devices.map(\.heartbeatSeconds).min() ?? 300
        var candidates = keyring.devices.indices.filter { keyring.devices[$0].heartbeatSeconds == shortest }
        candidates.shuffle()
        let silentCount = min(candidates.count, max(1, Int((Double(keyring.count) * silentFraction).rounded())))
        let silent = Set(candidates.prefix(silentCount))
        let silentIds = silent.map { keyring.devices[$0].id }.sorted()

        let engine = HeartbeatFleet(
            keyring: keyring, settings: context.settings, speedup: fleet.speedup,
            connections: fleet.connections, silent: silent)
        run.step(
            """
            \(Format.count(keyring.count)) devices beat, intervals compressed \(Format.fixed(fleet.speedup, 0))×: about \
            \(Format.count(Int(engine.expectedRate))) heartbeats/s. In \(Format.fixed(silentAfter, 0)) s, \(silentCount) of them will stop.
            """)
        let group = engine.start()
        SimClock.sleep(seconds: silentAfter)
        engine.silence()
        let silencedAt = Date()
        let silencedNanos = SimClock.nanos()
        run.step(
            "Now \(silentCount) devices stop sending for good (\(Format.count(engine.sent.load(ordering: .relaxed))) heartbeats sent so far):"
        )
        for chunk in stride(from: 0, to: silentIds.count, by: 8) {
            run.note(silentIds[chunk..<min(chunk + 8, silentIds.count)].joined(separator: " "))
        }
        if let silentList {
            do {
                try (silentIds.joined(separator: "\n") + "\n").write(toFile: silentList, atomically: true, encoding: .utf8)
                run.note("Their ids are in \(silentList).")
            } catch {
                run.note("Could not write \(silentList): \(error.localizedDescription)")
            }
        }
        run.note(
            "Registered interval \(shortest) s: the platform should raise a device_offline call for each once it has heard nothing for longer than that (plus its grace)."
        )

        run.step(
            "Polling GET /v1/calls every \(Format.fixed(pollInterval, 0)) s for device_offline calls, for up to \(Format.fixed(wait, 0)) s; the other devices keep beating."
        )
        let queue = CallQueue(api: context.api)
        // The platform supervises only devices it has heard from; one that went quiet before its
        // first heartbeat was acknowledged is, by design, never declared offline.
        let heard = engine.silentDevicesHeard
        let neverHeard = silentIds.filter { id in !heard.contains(keyring.devices.firstIndex { $0.id == id }!) }
        if !neverHeard.isEmpty {
            run.note(
                "\(neverHeard.count) of them never had a heartbeat acknowledged, so the platform does not supervise them and no call is expected: \(neverHeard.joined(separator: " "))."
            )
        }
        let silentSet = Set(silentIds).subtracting(neverHeard)
        run.expect(
            !silentSet.isEmpty,
            "at least one silent device had a heartbeat acknowledged before it went quiet, so there is something to supervise")
        let fleetIds = Set(keyring.devices.map(\.id))
        var appeared: [String: (call: CallRecord, after: Double)] = [:]
        var others: [String: CallRecord] = [:]
        var lastNote = SimClock.nanos()
        let deadline = silencedNanos + UInt64(wait * 1e9)
        while SimClock.nanos() < deadline && appeared.count < silentSet.count {
            let calls = try queue.offline().filter { call in
                // Only calls opened during this run count; a queue may hold older ones.
                guard let text = call.openedAt, let opened = Timestamp.parse(text) else { return true }
                return opened >= runStart.addingTimeInterval(-5)
            }
            let elapsed = SimClock.seconds(from: silencedNanos, to: SimClock.nanos())
            for call in calls {
                guard let deviceId = call.deviceId else { continue }
                if silentSet.contains(deviceId) {
                    if appeared[deviceId] == nil {
                        appeared[deviceId] = (call, elapsed)
                        run.note("\(Format.fixed(elapsed, 0)) s: call \(call.id) device_offline \(call.priority) for \(deviceId).")
                    }
                } else if fleetIds.contains(deviceId), others[deviceId] == nil {
                    others[deviceId] = call
                }
            }
            if appeared.count == silentSet.count { break }
            if SimClock.seconds(from: lastNote, to: SimClock.nanos()) >= 60 {
                lastNote = SimClock.nanos()
                run.note(
                    "\(Format.fixed(elapsed, 0)) s: \(appeared.count) of \(silentSet.count) so far; \(Format.count(engine.sent.load(ordering: .relaxed))) heartbeats sent."
                )
            }
            SimClock.sleep(seconds: pollInterval)
        }
        engine.stop()
        group.wait()

        FleetReport(run: run, outcome: engine.outcome).print()
        run.step("Supervision report.")
        let lastBeats = engine.outcome.lastHeartbeat
        let missing = silentIds.filter { silentSet.contains($0) && appeared[$0] == nil }
        if let slowest = appeared.values.map(\.after).max(), let fastest = appeared.values.map(\.after).min() {
            run.note(
                "The first device_offline call came \(Format.fixed(fastest, 0)) s after the devices stopped, the last \(Format.fixed(slowest, 0)) s after."
            )
        }
        for id in missing.prefix(20) {
            let index = keyring.devices.firstIndex { $0.id == id }!
            let last =
                lastBeats[index].map { "last heartbeat acknowledged at \(Timestamp.string(epochSeconds: $0))" }
                ?? "no heartbeat acknowledged"
            run.note("No device_offline call for \(id) (\(last)).")
        }
        if missing.count > 20 { run.note("… and \(missing.count - 20) more without a call.") }
        run.expect(
            missing.isEmpty,
            "device_offline calls appeared for \(appeared.count) of \(silentSet.count) silent devices within \(Format.fixed(wait, 0)) s of their stopping (at \(Timestamp.string(epochSeconds: Int(silencedAt.timeIntervalSince1970))))"
        )
        if !others.isEmpty {
            // Not a failure by itself: a device that was offline before the run (or whose 429s kept
            // it quiet) may be reported too. Worth a look, so it is listed.
            run.note(
                "Note: \(others.count) devices that kept beating also have device_offline calls opened during the run: "
                    + others.keys.sorted().prefix(10).joined(separator: " ") + (others.count > 10 ? " …" : ""))
        }
        try run.finish()
    }
}
