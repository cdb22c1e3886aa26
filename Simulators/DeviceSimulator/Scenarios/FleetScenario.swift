import ArgumentParser
import Dispatch
import Synchronization

/// Options the fleet-shaped scenarios (fleet, silent) share.
struct FleetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How many devices keep a heartbeat.", valueName: "N"))
    var devices: Int = 1000

    @Option(help: ArgumentHelp("Time compression: a 300 s heartbeat interval becomes 300/speedup seconds.", valueName: "factor"))
    var speedup: Double = 60

    @Option(help: ArgumentHelp("Keep-alive connections, one thread each.", valueName: "C"))
    var connections: Int = 4

    func validate() throws {
        guard devices >= 1 else { throw ValidationError("--devices must be at least 1.") }
        guard speedup > 0, speedup <= 10_000 else { throw ValidationError("--speedup must be between 0 and 10000.") }
        guard (1...1000).contains(connections) else { throw ValidationError("--connections must be between 1 and 1000.") }
    }
}

/// `scenario fleet`: a city's devices keeping their heartbeat.
struct FleetScenario: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract:
            "N devices send heartbeats at their interval compressed by --speedup for --duration seconds; report sent, acknowledged and 429 counts.",
        discussion: """
            Compressed intervals send more heartbeats than the platform expects, so some may be refused \
            with 429 (the per-device rate); those are reported, not failures. A 401, another 4xx, a 5xx \
            or an event that gets no answer at all is a failure.
            """)

    @OptionGroup var server: ServerOptions
    @OptionGroup var fleet: FleetOptions

    @Option(help: ArgumentHelp("How long the fleet runs, in seconds.", valueName: "seconds"))
    var duration: Double = 60

    func validate() throws {
        guard duration > 0, duration <= 86_400 else {
            throw ValidationError("--duration must be a positive number of seconds (at most a day).")
        }
    }

    func run() throws {
        let context = try ScenarioContext(server, name: "fleet")
        let run = context.run
        run.step("Choosing \(Format.count(fleet.devices)) active devices.")
        let chosen = try context.directory.choose(.init(count: fleet.devices))
        guard !chosen.isEmpty else { throw SimError("No active device the simulator can sign as was found.") }
        if chosen.count < fleet.devices { run.note("Only \(Format.count(chosen.count)) are available; using those.") }
        let keyring = try context.directory.keyring(for: chosen)
        let engine = HeartbeatFleet(keyring: keyring, settings: context.settings, speedup: fleet.speedup, connections: fleet.connections)
        run.step(
            """
            \(Format.count(keyring.count)) devices beat for \(Format.fixed(duration, 0)) s, intervals compressed \(Format.fixed(fleet.speedup, 0))× \
            (300 s → \(Format.fixed(300 / fleet.speedup, 1)) s): about \(Format.count(Int(engine.expectedRate))) heartbeats/s over \(engine.connections) connections.
            """)
        let group = engine.start()
        let started = SimClock.nanos()
        let end = started + UInt64(duration * 1e9)
        while SimClock.nanos() < end {
            SimClock.sleep(seconds: min(10, Double(end - min(end, SimClock.nanos())) / 1e9))
            let seconds = SimClock.seconds(from: started, to: SimClock.nanos())
            run.note(
                "\(Format.fixed(seconds, 0)) s: \(Format.count(engine.sent.load(ordering: .relaxed))) sent, "
                    + "\(Format.count(engine.acknowledged.load(ordering: .relaxed))) acknowledged, "
                    + "\(Format.count(engine.limited.load(ordering: .relaxed))) refused with 429.")
        }
        engine.stop()
        group.wait()
        FleetReport(run: run, outcome: engine.outcome).print()
        try run.finish()
    }
}

/// The end-of-run numbers of a heartbeat fleet, and the expectations about them.
struct FleetReport {
    let run: ScenarioRun
    let outcome: HeartbeatFleet.Outcome

    func print() {
        let t = outcome.tally
        let sent = t.byHTTPStatus.values.reduce(0, +) + t.unanswered
        run.step("Fleet report.")
        run.note(
            "Sent \(Format.count(sent)) heartbeats: \(Format.count(t.acknowledged)) acknowledged, \(Format.count(t.count(status: 429))) refused with 429 (rate), \(Format.count(t.unanswered)) unanswered."
        )
        run.note("HTTP statuses: \(t.httpSummary). Answers: \(t.answerSummary).")
        if t.retries > 0 { run.note("Retries with the same ref after timeouts or dropped connections: \(Format.count(t.retries)).") }
        run.note("Latency from each heartbeat's due time: \(outcome.latency.summary).")
        let bad = t.byHTTPStatus.filter { !(200..<300).contains($0.key) && $0.key != 429 }
        run.expect(sent > 0, "heartbeats were sent")
        run.expect(
            bad.isEmpty,
            "no heartbeat was refused other than for rate (429)"
                + (bad.isEmpty
                    ? ""
                    : ", but: " + bad.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", ")
                        + (bad[401] != nil ? " (401: the signature was refused — wrong secrets or clock)" : "")))
        run.expect(
            t.unanswered == 0, "every heartbeat got an answer" + (t.unanswered == 0 ? "" : ", but \(t.unanswered) got none after 3 retries")
        )
    }
}
