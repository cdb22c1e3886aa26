import CareModel
import CareStore
import CurlHTTP
import Emergency
import Foundation
import Synchronization
import Testing

/// A device raises an SOS; a console's live feed sees it; an operator claims, dispatches,
/// resolves and follows it up over HTTP; a second operator acting on a stale view is told who
/// acted; the report counts it; a reconnecting feed replays what it missed.
@Suite("Call handling end to end", .serialized)
struct CallHandlingEndToEndTests {
    @Test func anSOSGoesFromDeviceToFeedToOperatorToReport() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "30", "--seed", "5", "--quiet"])
        let wang = try await server.token("operator", "王芳"), li = try await server.token("operator", "李明"),
            chief = try await server.token("supervisor", "陈主任")
        try await server.start()
        try await withClient { client in
            // A console subscribes to the live feed.
            let feed = FeedReader()
            let stream = try await client.stream(
                HTTPRequest(
                    url: server.baseURL + "/v1/calls/stream",
                    headers: ["Authorization": "Bearer \(wang)"], timeout: nil))
            #expect(stream.status == 200)
            let reading = Task { try await feed.read(stream.body) }
            defer { reading.cancel() }

            // The device simulator's SOS scenario: a pendant sends a signed SOS and checks its 202
            // and the queue (it exits non-zero if either is wrong).
            let admin = try await server.token("admin", "e2e-admin")
            let simulator = try await server.run(
                RunningServer.simulatorBinary,
                ["--server", server.baseURL, "--token", admin, "--seed", "5", "scenario", "sos"])
            #expect(simulator.status == 0, "device-sim scenario sos: \(simulator.output)")

            let opened = try await feed.first { $0.status == .new && $0.summary.code == .sos }
            #expect(opened.priority == .p1 && opened.version == 1)
            let callId = Int(opened.id)
            // A second SOS from the test itself, on another device, shows the reply names the
            // version the feed announces.
            // Another elder's device: the same elder's would join the open call.
            let devices = try await server.request("GET", "/v1/devices?limit=50", token: chief).object["items"] as? [[String: Any]] ?? []
            let device = try #require(devices.first { ($0["elderId"] as? Int).map(Int64.init) != opened.summary.elderId }?["id"] as? String)
            let reply = try await server.sendAlarm(device: device, seed: 5, ref: "e2e-2")
            #expect(reply.status == 202)
            let second = try await feed.first { $0.id == Int64(reply.object["callId"] as? Int ?? -1) }
            #expect(reply.object["callVersion"] as? Int == second.version)

            // The operator works the call, each action carrying the version they saw.
            func act(_ path: String, _ body: String, token: String = wang) async throws -> RunningServer.Reply {
                try await server.request("POST", "/v1/calls/\(callId)/\(path)", token: token, json: body)
            }
            var detail = try await server.request("GET", "/v1/calls/\(callId)", token: wang).object
            var version = try #require((detail["call"] as? [String: Any])?["version"] as? Int)
            let claimed = try await act("claim", #"{"version":\#(version)}"#)
            #expect(claimed.status == 200, "\(claimed.text)")
            // Li saw the call before Wang claimed it: told plainly who acted.
            let late = try await act("claim", #"{"version":\#(version)}"#, token: li)
            #expect(late.status == 409)
            #expect((late.object["detail"] as? String)?.hasPrefix("王芳 acted first (claim at ") == true, "\(late.text)")
            #expect(late.object["callStatus"] as? String == "claimed")

            func step(_ path: String, _ fields: String) async throws {
                let r = try await act(path, #"{"version":\#(version)\#(fields)}"#)
                #expect(r.status == 200, "\(path): \(r.text)")
                version = ((r.object["call"] as? [String: Any])?["version"] as? Int) ?? -1
            }
            version += 1
            try await step("callback", #","note":"No answer at home""#)
            try await step("dispatch", #","responders":[{"kind":"emergency_contact","name":"李娟","phone":"13900001111"}]"#)
            try await step("responders/1", #","status":"on_scene","note":"Let herself in""#)
            try await step("resolve", #","outcome":"attended_by_responder","note":"Helped up, no injury""#)
            try await step("follow-up", #","note":"Called next morning, she is well","reachedElder":true"#)

            let followed = try await feed.first { $0.id == Int64(callId) && $0.status == .followedUp }
            #expect(followed.claimedBy?.name == "王芳")
            detail = try await server.request("GET", "/v1/calls/\(callId)", token: chief).object
            let actions = (detail["timeline"] as? [[String: Any]] ?? []).map { $0["action"] as? String ?? "" }
            #expect(actions == ["opened", "claim", "start_callback", "dispatch", "update_responder", "resolve", "record_follow_up"])
            #expect((detail["timeline"] as? [[String: Any]] ?? []).dropFirst().allSatisfy { $0["actorName"] as? String == "王芳" })

            let report = try await server.request("GET", "/v1/reports/emergency", token: chief).object
            #expect(report["calls"] as? Int == 2)
            #expect((report["byOutcome"] as? [String: Any])?["attended_by_responder"] as? Int == 1)
            #expect(report["followUpCompletion"] as? Double == 1)
            #expect((report["operators"] as? [[String: Any]])?.first?["name"] as? String == "王芳")
            #expect(try await server.request("GET", "/v1/reports/emergency", token: wang).status == 403)

            // A console that reconnects with Last-Event-ID gets everything after it, in order.
            let replay = FeedReader()
            let resumed = try await client.stream(
                HTTPRequest(
                    url: server.baseURL + "/v1/calls/stream",
                    headers: ["Authorization": "Bearer \(li)", "Last-Event-ID": String(opened.eventId)],
                    timeout: nil))
            let replaying = Task { try await replay.read(resumed.body) }
            defer { replaying.cancel() }
            _ = try await replay.first { $0.status == .followedUp }
            #expect(replay.events.filter { $0.id == opened.id }.map(\.version) == Array(2...7))
            #expect(replay.events.map(\.eventId) == feed.events.filter { $0.eventId > opened.eventId }.map(\.eventId))
        }
    }
}

/// A live-feed client: collects the calls the stream sends, with their event ids.
final class FeedReader: Sendable {
    struct Event: Sendable {
        var eventId: Int64
        var summary: CallSummary
        var id: Int64 { summary.id }
        var status: CallStatus { summary.status }
        var version: Int { summary.version }
        var priority: Priority { summary.priority }
        var claimedBy: Claimant? { summary.claimedBy }
    }
    private let received = Mutex<[Event]>([])
    var events: [Event] { received.withLock { $0 } }

    func read(_ body: HTTPBodyStream) async throws {
        for try await output in body.serverSentEvents() {
            guard case .event(let event) = output, event.event == "call", let id = event.id.flatMap(Int64.init) else { continue }
            let summary = try CareJSON.decoder.decode(CallSummary.self, from: Data(event.data.utf8))
            received.withLock { $0.append(Event(eventId: id, summary: summary)) }
        }
    }

    /// The first event matching `condition`, waiting up to 10 s for it.
    func first(_ condition: (Event) -> Bool) async throws -> Event {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let found = events.first(where: condition) { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Failure("the live feed did not deliver the expected event within 10 s; got \(events.map { "\($0.id):\($0.status)" })")
    }
}
