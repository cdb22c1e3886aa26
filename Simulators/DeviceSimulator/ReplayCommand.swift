import ArgumentParser

/// `device-sim replay`: how fast a console catches up after being away. A console that
/// reconnects sends `Last-Event-ID`, and the server replays every change after it from the
/// database before going live; this measures that replay from the client's side.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Reconnect to the live feed with Last-Event-ID and time how long N events take to arrive.",
        discussion: """
            Sends GET /v1/calls/stream with Last-Event-ID: <--from> (default 0, the whole change log) and \
            reads until --expect events (event: call) have arrived, then prints the time from sending the \
            request to the last of them and the rate. The token (--token) must be allowed to read calls. \
            On the way it checks that event ids only increase and that each call's versions come in order \
            without repeats; a feed that breaks either fails the command.

            To replay what a load run caused, expect as many events as it had acknowledged alarms (each \
            opens or joins a call: one change each) plus any other call changes since --from (escalations \
            of unclaimed calls, operator actions). Exits 1 if fewer than --expect events arrive within \
            --within seconds, saying how many did.

            Example:
              device-sim --token $ADMIN replay --expect 2000 --from 0
            """)

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("How many events to wait for.", valueName: "N"))
    var expect: Int

    @Option(help: ArgumentHelp("The Last-Event-ID to send: replay every change after this id (0: from the beginning).", valueName: "ID"))
    var from: Int64 = 0

    @Option(help: ArgumentHelp("Seconds to wait for the N events before giving up.", valueName: "seconds"))
    var within: Double = 30

    func validate() throws {
        guard expect >= 1 else { throw ValidationError("--expect must be at least 1.") }
        guard from >= 0 else { throw ValidationError("--from must be an event id (0 or more).") }
        guard within > 0, within <= 86_400 else { throw ValidationError("--within must be a positive number of seconds (at most a day).") }
    }

    func run() throws {
        let settings = try server.settings()
        let stream = FeedStream(settings: settings, receiveTimeout: 0.1)
        Console.say(
            "Replay: GET \(FeedStream.path) with Last-Event-ID: \(from), waiting for \(Format.count(expect)) events (at most \(Format.fixed(within, 0)) s)."
        )
        let started = SimClock.nanos()
        let deadline = started + UInt64(within * 1e9)
        var events = try stream.open(lastEventID: from)
        let headAt = SimClock.nanos()
        var check = ReplayCheck(after: from)
        var firstAt: UInt64?
        var doneAt: UInt64?
        var ended = false
        while true {
            // Events first: the read that ends the stream may also complete the last ones.
            if !events.isEmpty {
                let now = SimClock.nanos()
                if firstAt == nil { firstAt = now }
                for event in events where check.count < expect {
                    check.add(event)
                    if check.count == expect { doneAt = now }
                }
                events.removeAll(keepingCapacity: true)
            }
            guard doneAt == nil, !ended, SimClock.nanos() < deadline else { break }
            ended = try stream.poll(into: &events) == .ended
        }
        stream.close()

        let millis = { (t: UInt64) in Format.fixed(SimClock.seconds(from: started, to: t) * 1000, 1) }
        Console.say("Answer head after \(millis(headAt)) ms; first event after \(firstAt.map(millis) ?? "–") ms.")
        check.lines.forEach(Console.say)
        guard let doneAt else {
            let why = ended ? "the server ended the stream" : "the time ran out"
            throw SimError(
                "Only \(Format.count(check.count)) of \(Format.count(expect)) events arrived within \(Format.fixed(within, 0)) s (\(why))"
                    + (check.count > 0 ? "; the last had id \(check.lastPosition)." : ".")
                    + " Fewer changes may be in the log after id \(from) than expected.")
        }
        let seconds = SimClock.seconds(from: started, to: doneAt)
        Console.say(
            "Replayed \(Format.count(expect)) events (ids \(check.firstPosition)…\(check.lastPosition)) in \(Format.fixed(seconds, 3)) s "
                + "from sending the request to the last one: \(Format.count(Int(Double(expect) / max(seconds, 1e-9)))) events/s.")
        if !check.passed { throw ExitCode(1) }
    }
}

/// What a replay must look like: ids above `--from`, increasing; each call's versions in order,
/// none repeated. Gaps in a call's versions are normal when replaying from the middle of the log
/// (the earlier versions are before `--from`), so only a jump after a version seen here counts.
struct ReplayCheck {
    private(set) var count = 0
    private(set) var firstPosition: Int64 = -1
    private(set) var lastPosition: Int64 = -1
    private var versions: [Int64: Int] = [:]
    private var problems = 0
    private var gaps = 0
    /// Ids between consecutive events that never came; normal only for positions the change
    /// log gave to other entities' changes.
    private var skippedIds: Int64 = 0
    private var unreadable = 0
    private var examples: [String] = []
    private let after: Int64

    init(after: Int64) { self.after = after; lastPosition = after }

    mutating func add(_ event: FeedEvent) {
        count += 1
        if firstPosition < 0 { firstPosition = event.position }
        if event.position <= lastPosition {
            problems += 1
            note("id \(event.position) came after id \(lastPosition)")
        }
        if event.position > lastPosition + 1 { skippedIds += event.position - lastPosition - 1 }
        lastPosition = max(lastPosition, event.position)
        guard event.callId >= 0 else { unreadable += 1; problems += 1; note("id \(event.position): data line not readable"); return }
        if let seen = versions[event.callId] {
            if event.version <= seen {
                problems += 1
                note("call \(event.callId) version \(event.version) came after version \(seen) (id \(event.position))")
            } else if event.version > seen + 1 {
                gaps += 1
                note("call \(event.callId) jumped from version \(seen) to \(event.version) (id \(event.position))")
            }
        }
        versions[event.callId] = max(versions[event.callId] ?? 0, event.version)
    }

    /// Out-of-order or repeated events are bugs; so are skipped versions of a call, since every
    /// change of a call is logged.
    var passed: Bool { problems == 0 && gaps == 0 }

    var lines: [String] {
        var out = ["Received \(Format.count(count)) events for \(Format.count(versions.count)) calls."]
        if problems > 0 { out.append("\(Format.count(problems)) events out of order, repeated or unreadable.") }
        if gaps > 0 { out.append("\(Format.count(gaps)) gaps in a call's versions (changes the replay skipped).") }
        if skippedIds > 0 {
            out.append(
                "\(Format.count(skippedIds)) ids between events never came (normal only where the change log holds changes of other things than calls)."
            )
        }
        out += examples.map { "  \($0)" }
        return out
    }

    private mutating func note(_ text: String) {
        if examples.count < 10 { examples.append(text) }
    }
}
