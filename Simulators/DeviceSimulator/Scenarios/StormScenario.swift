import ArgumentParser
import Dispatch
import Foundation
import Synchronization

/// `scenario storm`: a typhoon cuts the power across the city while some elders press SOS.
struct StormScenario: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storm",
        abstract:
            "A typhoon power cut: --offline devices report power_failure while --sos others send SOS, all within ~10 s; check nothing is lost and every SOS call reaches the queue within a second.",
        discussion: """
            The events leave on a fixed timetable spread over --window seconds, SOS presses interleaved \
            evenly with the power failures. Meanwhile a separate connection polls GET /v1/calls every \
            --poll-interval seconds (the P1 part of the queue, which comes first) and notes when each call \
            first shows. Afterwards the simulator checks that (a) every acknowledged event is stored \
            (GET /v1/devices/{id}/events for each device used), (b) every SOS's call is in the full \
            GET /v1/calls listing, and reports, per SOS, the time from its 202 to its call showing in the \
            queue: max and p99. It fails if any is over --visibility-limit or anything is missing.

            SOS devices are chosen one per elder among elders with no call in the queue, so each SOS opens \
            its own call.
            """)

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("Devices that report the power cut (info/power_failure, one event each).", valueName: "N"))
    var offline: Int = 50_000

    @Option(help: ArgumentHelp("Other devices whose elders press SOS.", valueName: "N"))
    var sos: Int = 500

    @Option(help: ArgumentHelp("Seconds over which all the events are sent.", valueName: "seconds"))
    var window: Double = 10

    @Option(help: ArgumentHelp("Keep-alive connections sending events, one thread each.", valueName: "C"))
    var connections: Int = 8

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Seconds between polls of the call queue.", valueName: "seconds"))
    var pollInterval: Double = 0.1

    @Option(
        name: .customLong("visibility-limit"),
        help: ArgumentHelp("Most seconds allowed from an SOS's 202 to its call showing in the queue.", valueName: "seconds"))
    var visibilityLimit: Double = 1

    @Option(help: ArgumentHelp("Seconds to keep polling after the last answer for calls not seen yet.", valueName: "seconds"))
    var settle: Double = 5

    func validate() throws {
        guard offline >= 0, sos >= 1 else { throw ValidationError("--sos must be at least 1 and --offline must not be negative.") }
        guard window > 0, window <= 3600 else { throw ValidationError("--window must be between 0 and 3600 seconds.") }
        guard (1...1000).contains(connections) else { throw ValidationError("--connections must be between 1 and 1000.") }
        guard pollInterval >= 0.01, visibilityLimit > 0, settle >= 0 else {
            throw ValidationError("--poll-interval must be at least 0.01 s, --visibility-limit positive and --settle not negative.")
        }
    }

    func run() throws {
        let context = try ScenarioContext(server, name: "storm")
        let run = context.run
        let settings = context.settings

        run.step("Reading the call queue, to leave out elders who already have a call.")
        let busy = try CallQueue(api: context.api).eldersWithCalls()
        run.note("\(Format.count(busy.count)) elders have a call in the queue.")

        run.step("Choosing \(Format.count(sos)) SOS devices (one per elder) and \(Format.count(offline)) other devices for the power cut.")
        let sosDevices = try context.directory.choose(
            .init(
                count: sos, preferredTypes: ["sos_pendant", "wall_button", "watch"],
                distinctElders: true, avoidElders: busy))
        guard sosDevices.count == sos else {
            throw SimError(
                "Only \(sosDevices.count) devices of distinct elders without an open call are available for SOS; lower --sos or seed a bigger city."
            )
        }
        let offlineDevices = try context.directory.choose(.init(count: offline, excluding: Set(sosDevices.map(\.id))))
        guard offlineDevices.count == offline else {
            throw SimError(
                "Only \(Format.count(offlineDevices.count)) more active devices are available for the power cut; lower --offline or seed a bigger city."
            )
        }
        let keyring = try context.directory.keyring(for: sosDevices + offlineDevices)
        run.note("\(Format.count(keyring.count)) devices, each with \(context.secretOrigin).")

        let total = sos + offline
        let plan = StormPlan(total: total, sos: sos)
        let refPrefix = Array(RefMint().prefix.utf8)
        let watcher = QueueWatcher(settings: settings, period: pollInterval)
        let watching = watcher.start()
        run.step(
            """
            The typhoon cuts the power. Over \(Format.fixed(window, 0)) s, \(Format.count(offline)) devices report power_failure and \
            \(Format.count(sos)) elders press SOS (\(Format.count(Int(Double(total) / window)))/s over \(connections) connections), \
            while the queue is polled every \(Format.fixed(pollInterval * 1000, 0)) ms.
            """)
        let sending = SlotDriver.run(
            // No spinning before each send: at storm rates the CPU is better left to the server,
            // and what is measured here is the call queue, not microseconds of intake latency.
            threads: connections, pacing: .fixedRate(perSecond: Double(total) / window, total: total, spinMicros: 0), name: "storm",
            hardStopSeconds: window * 3 + 30, progressEvery: 2,
            progress: { fired, seconds in
                run.note("\(Format.fixed(seconds, 0)) s: \(Format.count(fired)) of \(Format.count(total)) answered")
            }
        ) { _ in
            StormWorker(sender: EventSender(keyring: keyring, settings: settings), plan: plan, refPrefix: refPrefix)
        }
        var outcome = StormWorker.Outcome()
        for part in sending.outcomes { outcome.merge(part) }

        run.step("What the devices were told.")
        run.note(
            "\(Format.count(sending.fired)) events answered in \(Format.fixed(sending.seconds, 2)) s\(sending.unsent > 0 ? "; \(Format.count(sending.unsent)) never sent (the server fell too far behind)" : "")."
        )
        run.note("Power failures: \(outcome.powerTally.httpSummary); answers \(outcome.powerTally.answerSummary).")
        run.note("SOS: \(outcome.sosTally.httpSummary); answers \(outcome.sosTally.answerSummary).")
        run.note("Latency from the scheduled send: power_failure \(outcome.powerLatency.summary); SOS \(outcome.sosLatency.summary).")
        let powerAcked = outcome.powerTally.acknowledged
        run.expect(
            powerAcked == offline,
            "every power failure got a 2xx"
                + (powerAcked == offline ? "" : " (\(Format.count(powerAcked)) of \(Format.count(offline)) did)"))
        let sosWithCall = outcome.sosAcks.filter { $0.callId != nil && (200..<300).contains($0.status) }
        run.expect(
            sosWithCall.count == sos,
            "every SOS got a 202 with a call id"
                + (sosWithCall.count == sos ? "" : " (\(sosWithCall.count) of \(sos) did)"))
        for failed in outcome.sosAcks.filter({ $0.callId == nil }).prefix(5) {
            run.note("SOS from \(keyring.devices[failed.sosIndex].id): \(failed.summary)")
        }

        // (b, live) Until every call has shown in the queue, or the settle time is up.
        run.step("Waiting for every SOS call to show in the queue (up to \(Format.fixed(settle, 0)) s after the last answer).")
        let wanted = Set(sosWithCall.compactMap(\.callId))
        let settleEnd = max(sending.finished, SimClock.nanos()) + UInt64(settle * 1e9)
        while SimClock.nanos() < settleEnd && !wanted.isSubset(of: watcher.seen.keys) {
            SimClock.sleep(seconds: pollInterval)
        }
        watcher.stop()
        watching.wait()
        let seen = watcher.seen
        var delays: [Double] = []
        var unseen: [SOSAck] = []
        for ack in sosWithCall {
            guard let at = seen[ack.callId!] else { unseen.append(ack); continue }
            // A call seen before its 202 arrived was already visible: zero wait for the operator.
            delays.append(at > ack.answeredAt ? Double(at - ack.answeredAt) / 1e9 : 0)
        }
        delays.sort()
        run.note(
            "\(Format.count(watcher.polls.load(ordering: .relaxed))) polls, \(Format.fixed(watcher.averagePollMillis, 1)) ms each on average; resolution about \(Format.fixed(pollInterval * 1000, 0)) ms."
        )
        for problem in Set(watcher.errors).prefix(3) { run.note("A poll failed: \(problem)") }
        if !delays.isEmpty {
            let p99 = delays[max(0, Int((Double(delays.count) * 0.99).rounded(.up)) - 1)]
            let p50 = delays[max(0, Int((Double(delays.count) * 0.5).rounded(.up)) - 1)]
            run.note(
                "From 202 to visible in the queue, over \(delays.count) SOS calls: p50 \(Format.fixed(p50, 3)) s, p99 \(Format.fixed(p99, 3)) s, max \(Format.fixed(delays.last!, 3)) s."
            )
            let late = delays.filter { $0 > visibilityLimit }.count
            run.expect(
                late == 0,
                "every SOS call showed in the queue within \(Format.fixed(visibilityLimit, 1)) s of its 202"
                    + (late == 0 ? "" : " (\(late) took longer)"))
        }
        run.expect(
            unseen.isEmpty,
            "every SOS call was seen in the P1 part of the queue while polling"
                + (unseen.isEmpty
                    ? ""
                    : "; not seen: "
                        + unseen.prefix(10).map { "call \($0.callId!) (\(keyring.devices[$0.sosIndex].id))" }.joined(separator: ", ")))

        // (b, final) The whole listing, every page.
        run.step("Checking that every SOS's call is in the full call listing (all pages of GET /v1/calls).")
        let listed = Set(try CallQueue(api: context.api).all().map(\.id))
        let absent = wanted.subtracting(listed)
        run.expect(
            absent.isEmpty,
            "\(wanted.count - absent.count) of \(wanted.count) SOS calls are listed"
                + (absent.isEmpty ? "" : "; missing: " + absent.sorted().prefix(10).map(String.init).joined(separator: ", ")))

        // (a) Every acknowledged event stored.
        run.step(
            "Checking that every acknowledged event is stored (GET /v1/devices/{id}/events for each of \(Format.count(keyring.count)) devices)."
        )
        var refs = [[String]](repeating: [], count: keyring.count)
        for slot in outcome.acknowledgedSlots {
            let (_, device) = plan.assignment(slot)
            refs[device].append(String(decoding: refPrefix, as: UTF8.self) + String(slot))
        }
        let verification = Verifier(settings: settings, threads: min(8, max(2, connections)))
            .verify(refs.enumerated().map { (keyring.devices[$0.offset].id, $0.element) })
        for line in verification.lines.dropFirst() { run.note(line) }
        run.expect(verification.passed, verification.lines[0])
        try run.finish()
    }
}

/// Which device sends in each slot: SOS presses spread evenly among the power failures.
/// Keyring order is the SOS devices first, then the power-cut devices.
struct StormPlan: Sendable {
    let total: Int
    let sos: Int

    /// (is it an SOS, keyring index) for a slot.
    func assignment(_ slot: Int) -> (sos: Bool, device: Int) {
        let sosBefore = slot * sos / total
        let sosThrough = (slot + 1) * sos / total
        return sosThrough > sosBefore ? (true, sosBefore) : (false, sos + slot - sosThrough)
    }
}

/// One SOS and what became of it.
struct SOSAck: Sendable {
    var sosIndex: Int
    var status: Int
    var callId: Int64?
    /// Monotonic time the answer arrived.
    var answeredAt: UInt64
    var summary: String
}

/// One storm thread.
struct StormWorker: SlotWorker {
    struct Outcome: Sendable {
        var powerTally = StatusTally()
        var sosTally = StatusTally()
        var powerLatency = LatencyRecorder()
        var sosLatency = LatencyRecorder()
        var sosAcks: [SOSAck] = []
        var acknowledgedSlots: [Int] = []

        mutating func merge(_ other: Outcome) {
            powerTally.merge(other.powerTally)
            sosTally.merge(other.sosTally)
            powerLatency.merge(other.powerLatency)
            sosLatency.merge(other.sosLatency)
            sosAcks += other.sosAcks
            acknowledgedSlots += other.acknowledgedSlots
        }
    }

    let sender: EventSender
    let plan: StormPlan
    let refPrefix: [UInt8]
    let sosTemplate = EventTemplate(.sos)
    let powerTemplate = EventTemplate(.powerFailure)
    var outcome = Outcome()

    mutating func prepare() throws { try sender.connection.open() }

    mutating func fire(slot: Int, since: UInt64) {
        let (isSOS, device) = plan.assignment(slot)
        let result = sender.send(device: device, template: isSOS ? sosTemplate : powerTemplate, refPrefix: refPrefix, refNumber: slot)
        let answeredAt = SimClock.nanos()
        if isSOS {
            outcome.sosTally.add(result)
            outcome.sosLatency.record(nanos: answeredAt &- since)
            outcome.sosAcks.append(
                SOSAck(
                    sosIndex: device, status: result.status, callId: result.acknowledged ? result.answer?.callId : nil,
                    answeredAt: answeredAt, summary: result.summary))
        } else {
            outcome.powerTally.add(result)
            outcome.powerLatency.record(nanos: answeredAt &- since)
        }
        if result.acknowledged { outcome.acknowledgedSlots.append(slot) }
    }

    func finish() -> Outcome { outcome }
}
