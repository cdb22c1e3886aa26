import ArgumentParser
import Foundation

/// `device-sim load`: the intake load generator.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Send signed events (or GET /health) at a fixed rate or as fast as possible; report throughput and latency.",
        discussion: """
            With --rate N the run is open loop: events leave on a fixed timetable and each latency counts \
            from its scheduled time, so a stalled server shows up as queueing instead of hiding it. With \
            --rate max each connection sends its next request as soon as the last is answered (closed loop), \
            which measures capacity. Devices are used in turn; heartbeats and info events beyond a device's \
            rate get 429, so spread them over many devices (--devices).

            At the end, unless --no-verify, every event that got a 2xx is looked up through the admin API \
            (GET /v1/devices/{id}/events) to prove it was stored.

            With --subscribers N the run also measures how long an alarm takes to reach the operators' \
            consoles: before the first event, N connections subscribe to the live feed (GET /v1/calls/stream, \
            with --token, which must be allowed to read calls), each read by its own thread as a console \
            would. Every 202 to an alarm names the call and its version after the alarm (callId, callVersion); \
            the feed announces that change with the same call id and version. The report gives, for the first \
            subscriber and for all of them, the time from each alarm's send (the same start the latency above \
            counts from) to its feed event. Every acknowledged alarm must reach every subscriber within 2 s \
            after the run; any that did not are listed and the command exits 1, as it does when the feed \
            repeats, reorders or skips a call's versions. See also `device-sim replay`, which measures how \
            fast a console catches up with Last-Event-ID.
            """)

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("Events per second (open loop), or max (closed loop).", valueName: "N|max"))
    var rate: RateOption

    @Option(help: ArgumentHelp("Keep-alive connections, one thread each.", valueName: "C"))
    var connections: Int

    @Option(help: ArgumentHelp("How long to send, in seconds.", valueName: "seconds"))
    var duration: Double

    @Option(
        help:
            "alarm (SOS and fall alarms, 20% with a heart rate; most join open calls), heartbeat, or mixed (85% heartbeat, 5% info, 10% alarm)."
    )
    var kind: LoadKind = .mixed

    @Option(help: "events (signed POST /v1/devices/{id}/events) or health (GET /health, to compare against the bare HTTP path).")
    var target: LoadTarget = .events

    @Option(help: ArgumentHelp("How many devices to cycle over.", valueName: "N"))
    var devices: Int = 20_000

    @Option(
        name: .customLong("spin-us"),
        help: ArgumentHelp(
            "Open loop: microseconds before each send to stop sleeping and spin, so timer slack is not counted as latency (as registry-load does). 0 saves CPU on a shared machine but adds up to ~60 µs to measured latencies.",
            valueName: "µs"))
    var spinMicros: Int = 60

    @Flag(name: .customLong("no-verify"), help: "Skip checking that every acknowledged event is stored.")
    var noVerify = false

    @Flag(
        name: .customLong("distinct-elders"),
        help: "At most one device per elder: with fewer alarms than devices, every alarm opens a call of its own.")
    var distinctElders = false

    @Option(
        help: ArgumentHelp(
            "Live-feed subscribers (GET /v1/calls/stream) to open before sending, one thread each, to measure device POST → feed event latency for alarms (see below). 0: none.",
            valueName: "N"))
    var subscribers: Int = 0

    /// Closed loop: connections each load thread sends on before it reads their answers.
    static let connectionsPerThread = 8

    /// How long after the run the subscribers may take to receive the last acknowledged alarms.
    static let feedGraceSeconds = 2.0

    func validate() throws {
        guard (1...2000).contains(connections) else { throw ValidationError("--connections must be between 1 and 2000.") }
        guard duration > 0, duration <= 86_400 else {
            throw ValidationError("--duration must be a positive number of seconds (at most a day).")
        }
        guard devices >= 1 else { throw ValidationError("--devices must be at least 1.") }
        guard (0...10_000).contains(spinMicros) else { throw ValidationError("--spin-us must be between 0 and 10000.") }
        guard (0...256).contains(subscribers) else { throw ValidationError("--subscribers must be between 0 and 256.") }
        if subscribers > 0 && (target == .health || kind == .heartbeat) {
            throw ValidationError(
                "--subscribers measures alarms reaching the live feed; use it with --kind alarm or mixed and --target events.")
        }
        if case .perSecond(let r) = rate, r * duration > 500_000_000 {
            throw ValidationError("--rate × --duration asks for more than 500 million events; shorten the run.")
        }
    }

    func run() throws {
        let settings = try server.settings()
        if let problem = APIClient(settings).healthProblem() {
            throw SimError(problem)
        }
        let pacing: Pacing =
            switch rate {
            case .max: .asFastAsPossible(seconds: duration)
            case .perSecond(let r): .fixedRate(perSecond: r, total: max(1, Int((r * duration).rounded())), spinMicros: spinMicros)
            }
        // A timetable the server cannot keep is still measured, but not forever: stop taking
        // slots at twice the duration plus 10 s and report what was never sent.
        let hardStop = duration * 2 + 10
        let pacingText =
            switch rate {
            case .max: "as fast as possible (closed loop) for \(Format.fixed(duration, 0)) s"
            case .perSecond: "\(rate)/s on a fixed timetable (open loop) for \(Format.fixed(duration, 0)) s"
            }
        let progress: (Int, Double) -> Void = { fired, seconds in
            Console.say(
                "  \(Format.fixed(seconds, 0)) s: \(Format.count(fired)) answered (\(Format.count(Int(Double(fired) / max(seconds, 0.001))))/s)"
            )
        }

        switch target {
        case .health:
            Console.say("Load: GET /health over \(connections) connections, \(pacingText).")
            let perThread = if case .max = rate { Self.connectionsPerThread } else { 1 }
            let run = SlotDriver.run(
                threads: (connections + perThread - 1) / perThread, pacing: pacing, name: "load",
                hardStopSeconds: hardStop, progressEvery: 5, progress: progress
            ) { [connections] index in
                HealthWorker(settings: settings, connections: min(perThread, connections - index * perThread))
            }
            let (tally, latency) = merge(run.outcomes.map { ($0.tally, $0.latency) })
            report(run: run, tally: tally, latency: latency, what: "requests")

        case .events:
            let directory = try DeviceDirectory(settings: settings, source: server.secretSource)
            let chosen = try directory.choose(.init(count: devices, distinctElders: distinctElders))
            guard !chosen.isEmpty else { throw SimError("The server lists no active devices the simulator can sign as.") }
            if chosen.count < devices {
                Console.say(
                    "Only \(Format.count(chosen.count)) devices are available (asked for \(Format.count(devices))); cycling over those.")
            }
            let keyring = try directory.keyring(for: chosen)
            let plan = LoadPlan(kind: kind)
            let refPrefix = RefMint().prefix
            let feed = subscribers > 0 ? FeedLatencyProbe(count: subscribers, settings: settings) : nil
            if let feed {
                try feed.start()
                Console.say("Subscribed \(subscribers) live-feed connection\(subscribers == 1 ? "" : "s") to GET \(FeedStream.path).")
            }
            Console.say(
                "Load: \(plan.description) from \(Format.count(keyring.count)) devices over \(connections) connections, \(pacingText).")
            let trackFeed = feed != nil
            // Open loop keeps one connection per thread, so every send leaves on time.
            let perThread = if case .max = rate { Self.connectionsPerThread } else { 1 }
            let threads = (connections + perThread - 1) / perThread
            let run = SlotDriver.run(
                threads: threads, pacing: pacing, name: "load", hardStopSeconds: hardStop,
                progressEvery: 5, progress: progress
            ) { [connections] index in
                let count = min(perThread, connections - index * perThread)
                return EventWorker(
                    senders: (0..<count).map { _ in EventSender(keyring: keyring, settings: settings) }, plan: plan,
                    refPrefix: Array(refPrefix.utf8), trackFeed: trackFeed)
            }
            let (tally, latency) = merge(run.outcomes.map { ($0.tally, $0.latency) })
            report(run: run, tally: tally, latency: latency, what: "events")
            if tally.byHTTPStatus[401] != nil {
                Console.say(
                    "401 means the server refused the signature: the secrets do not match (wrong --seed, or rotated secrets?), or the clocks differ by more than the 40 s window."
                )
            }
            var feedPassed = true
            if let feed {
                let sends = run.outcomes.flatMap(\.feedSends)
                let unversioned = run.outcomes.reduce(0) { $0 + $1.callsWithoutVersion }
                let result = feed.finish(sends: sends, grace: Self.feedGraceSeconds)
                let from = if case .max = rate { "from each send" } else { "from each scheduled send time" }
                result.lines(from: from) { send in
                    "\(keyring.devices[send.slot % keyring.count].id) ref \(refPrefix)\(send.slot)"
                }.forEach(Console.say)
                if unversioned > 0 {
                    Console.say(
                        "\(Format.count(unversioned)) acknowledged events named a call without its version (callVersion), so they could not be followed to the feed: is the server older than the live feed?"
                    )
                }
                feedPassed = result.passed && unversioned == 0
            }
            guard !noVerify else {
                if !feedPassed { throw ExitCode(1) }
                return
            }
            Console.say("Checking through the API that every acknowledged event is stored…")
            var refsByDevice = [[String]](repeating: [], count: keyring.count)
            for outcome in run.outcomes {
                for slot in outcome.acknowledgedSlots { refsByDevice[slot % keyring.count].append(refPrefix + String(slot)) }
            }
            let verification = Verifier(settings: settings, threads: min(8, max(2, connections)))
                .verify(refsByDevice.enumerated().map { (keyring.devices[$0.offset].id, $0.element) })
            verification.lines.forEach(Console.say)
            if !verification.passed || !feedPassed { throw ExitCode(1) }
        }
    }

    private func merge(_ parts: [(StatusTally, LatencyRecorder)]) -> (StatusTally, LatencyRecorder) {
        var tally = StatusTally()
        var latency = LatencyRecorder()
        for (t, l) in parts { tally.merge(t); latency.merge(l) }
        return (tally, latency)
    }

    private func report<O>(run: SlotRun<O>, tally: StatusTally, latency: LatencyRecorder, what: String) {
        for problem in run.prepareProblems { Console.say("Could not connect before the start: \(problem)") }
        let seconds = run.seconds
        Console.say(
            "Throughput: \(Format.count(Int(Double(run.fired) / max(seconds, 0.001)))) \(what)/s (\(Format.count(run.fired)) in \(Format.fixed(seconds, 3)) s)."
        )
        if run.unsent > 0 {
            Console.say(
                "Not sent: \(Format.count(run.unsent)) scheduled \(what), because the server fell more than \(Format.fixed(duration + 10, 0)) s behind the timetable."
            )
        }
        Console.say("HTTP statuses: \(tally.httpSummary).")
        if !tally.byAnswer.isEmpty { Console.say("Answers: \(tally.answerSummary).") }
        if tally.retries > 0 {
            Console.say("Retries after timeouts or dropped connections (same ref each time): \(Format.count(tally.retries)).")
        }
        let from = if case .max = rate { "from each send" } else { "from each scheduled send time" }
        Console.say("Latency (\(from)): \(latency.summary).")
    }
}

enum LoadKind: String, ExpressibleByArgument, CaseIterable {
    case alarm, heartbeat, mixed
}

enum LoadTarget: String, ExpressibleByArgument, CaseIterable {
    case events, health
}

/// Which event each slot sends: a fixed pattern over slot numbers, so a run is reproducible.
struct LoadPlan: Sendable {
    let templates: [EventTemplate]
    /// Template index per slot modulo `pattern.count`.
    let pattern: [Int]
    let description: String

    init(kind: LoadKind) {
        let fall = EventSpec.fallInBathroom
        switch kind {
        case .alarm:
            // A fall alarm from a watch carries a heart rate, which the platform files in the
            // elder's health archive: one event in five, as the archive's benchmark asks.
            var plainFall = fall
            plainFall.vitals = nil
            templates = [EventTemplate(.sos), EventTemplate(plainFall), EventTemplate(fall)]
            pattern = [0, 1, 0, 2, 0, 1, 0, 1, 0, 2]
            description = "alarms (SOS and fall, alternately; 20% with a heart rate)"
        case .heartbeat:
            templates = [EventTemplate(.heartbeat)]
            pattern = [0]
            description = "heartbeats"
        case .mixed:
            // Of every 20 events: 17 heartbeats, 1 power_failure info, 1 SOS, 1 fall.
            templates = [EventTemplate(.heartbeat), EventTemplate(.powerFailure), EventTemplate(.sos), EventTemplate(fall)]
            pattern = [2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]
            description = "mixed events (85% heartbeat, 5% info power_failure, 10% SOS/fall alarm)"
        }
    }

    func template(forSlot slot: Int) -> EventTemplate { templates[pattern[slot % pattern.count]] }
}

/// One load thread sending signed events, over one connection (open loop) or several (closed
/// loop: it sends on each, then reads each answer, so a wake-up finds several answers waiting
/// and the generator's own thread switches take less of the cores it shares with the server).
struct EventWorker: SlotWorker {
    struct Outcome: Sendable {
        var tally: StatusTally
        var latency: LatencyRecorder
        /// Slots answered with a 2xx; the device is `slot % devices` and the ref `prefix + slot`.
        var acknowledgedSlots: [Int]
        /// With `--subscribers`: the acknowledged events whose reply named a call and its version.
        var feedSends: [FeedSend]
        /// Acknowledged events whose reply named a call but not its version.
        var callsWithoutVersion: Int
    }

    let senders: [EventSender]
    var sender: EventSender { senders[0] }
    let plan: LoadPlan
    let refPrefix: [UInt8]
    let trackFeed: Bool
    var tally = StatusTally()
    var latency = LatencyRecorder()
    var acknowledged: [Int] = []
    var feedSends: [FeedSend] = []
    var callsWithoutVersion = 0

    init(senders: [EventSender], plan: LoadPlan, refPrefix: [UInt8], trackFeed: Bool = false) {
        self.senders = senders
        self.plan = plan
        self.refPrefix = refPrefix
        self.trackFeed = trackFeed
        acknowledged.reserveCapacity(1 << 16)
        if trackFeed { feedSends.reserveCapacity(1 << 14) }
    }

    mutating func prepare() throws {
        for sender in senders { try sender.connection.open() }
    }

    var group: Int { senders.count }

    mutating func fire(slot: Int, since: UInt64) {
        let result = sender.send(
            device: slot % sender.keyring.count, template: plan.template(forSlot: slot),
            refPrefix: refPrefix, refNumber: slot)
        note(result, slot: slot, since: since)
    }

    mutating func fire(slots: Range<Int>, since: UInt64) {
        for (sender, slot) in zip(senders, slots) {
            sender.start(
                device: slot % sender.keyring.count, template: plan.template(forSlot: slot),
                refPrefix: refPrefix, refNumber: slot)
        }
        for (sender, slot) in zip(senders, slots) {
            note(sender.finish(device: slot % sender.keyring.count), slot: slot, since: since)
        }
    }

    private mutating func note(_ result: SendResult, slot: Int, since: UInt64) {
        latency.record(nanos: SimClock.nanos() &- since)
        tally.add(result)
        guard result.acknowledged else { return }
        acknowledged.append(slot)
        if trackFeed, let answer = result.answer, let callId = answer.callId {
            if let version = answer.callVersion, let key = FeedKey.pack(callId: callId, version: version) {
                feedSends.append(FeedSend(key: key, sentAt: since, slot: slot))
            } else {
                callsWithoutVersion += 1
            }
        }
    }

    func finish() -> Outcome {
        Outcome(
            tally: tally, latency: latency, acknowledgedSlots: acknowledged, feedSends: feedSends,
            callsWithoutVersion: callsWithoutVersion)
    }
}

/// One load thread sending `GET /health`, for comparison with the event path: over one
/// connection, or (closed loop) several, like ``EventWorker``.
struct HealthWorker: SlotWorker {
    struct Outcome: Sendable {
        var tally: StatusTally
        var latency: LatencyRecorder
    }

    let connections: [HTTPConnection]
    let request: [UInt8]
    var tally = StatusTally()
    var latency = LatencyRecorder()

    init(settings: ServerSettings, connections count: Int = 1) {
        connections = (0..<count).map { _ in HTTPConnection(address: settings.address, timeoutSeconds: settings.timeoutSeconds) }
        request = Array("GET /health HTTP/1.1\r\nHost: \(settings.address.hostHeader)\r\n\r\n".utf8)
    }

    mutating func prepare() throws {
        for connection in connections { try connection.open() }
    }

    var group: Int { connections.count }

    mutating func fire(slot: Int, since: UInt64) {
        exchange(on: connections[0], alreadySent: false, since: since)
    }

    mutating func fire(slots: Range<Int>, since: UInt64) {
        let sent = connections.map { (try? $0.sendRequest(request)) != nil }
        for (connection, wasSent) in zip(connections, sent) { exchange(on: connection, alreadySent: wasSent, since: since) }
    }

    private mutating func exchange(on connection: HTTPConnection, alreadySent: Bool, since: UInt64) {
        var retries = 0
        var sent = alreadySent
        while true {
            do {
                let response = sent ? try connection.receiveResponse() : try connection.exchange(request)
                tally.retries += retries
                tally.byHTTPStatus[response.status, default: 0] += 1
                break
            } catch {
                sent = false
                guard retries < EventSender.maxRetries else { tally.unanswered += 1; tally.retries += retries; break }
                retries += 1
                SimClock.sleep(seconds: 0.05 * Double(1 << (retries - 1)))
            }
        }
        latency.record(nanos: SimClock.nanos() &- since)
    }

    func finish() -> Outcome { Outcome(tally: tally, latency: latency) }
}
