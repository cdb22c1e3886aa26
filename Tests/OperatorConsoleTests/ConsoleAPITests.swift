import CareModel
import CareTesting
import Foundation
import Synchronization
import Testing

@testable import OperatorConsole

/// The API client and the live feed against a stub server on a real socket.
@Suite struct ConsoleAPITests {
    static let token = "ec_abcdefghij_s3cretS3cretS3cret"

    static func json(_ value: some Encodable) -> String {
        String(decoding: try! CareJSON.encoder.encode(value), as: UTF8.self)
    }

    static func problem(_ status: Int, _ title: String, _ detail: String) -> LoopbackHTTPServer.Reply {
        .json(
            status: status,
            body: #"{"type":"urn:eldercare:problem:conflict","title":"\#(title)","status":\#(status),"detail":"\#(detail)"}"#,
            contentType: "application/problem+json")
    }

    private func withStub<T>(
        _ script: @escaping LoopbackHTTPServer.Script,
        _ body: (ConsoleAPI, LoopbackHTTPServer) async throws -> T
    ) async throws -> T {
        let server = try LoopbackHTTPServer(script)
        let api = try ConsoleAPI(server: server.baseURL + "/", token: Self.token, proxyFromEnvironment: false)
        defer { server.stop() }
        do {
            let result = try await body(api, server)
            await api.shutdown()
            return result
        } catch {
            await api.shutdown()
            throw error
        }
    }

    @Test func whoAmISendsTheBearerToken() async throws {
        try await withStub({ _ in
            .json(status: 200, body: #"{"accountId":17,"name":"王芳","role":"operator","permissions":["read_calls"]}"#)
        }) { api, server in
            let me = try await api.me()
            #expect(me == Fixture.me)
            #expect(server.requests.first?.path == "/v1/me")
            #expect(server.requests.first?.headers["authorization"] == "Bearer \(Self.token)")
        }
    }

    @Test func bookingFromAGreenKeyCallAnswersItsRequest() async throws {
        let request = HomeServiceRequest(
            id: 12, elderId: 5900, elderName: "黄秀英", regionCode: "450902001001", callId: 4900, deviceId: "SOS-4900",
            requestedAt: Fixture.now, status: .new)
        let booking = Booking(
            id: 31, elderId: 5900, service: "cleaning", providerId: 7, workerId: 44, start: Fixture.date("2026-12-09T01:00:00Z"),
            end: Fixture.date("2026-12-09T03:00:00Z"), status: .confirmed, seriesId: nil, note: nil, cancelReason: nil, version: 1,
            createdAt: Fixture.now, updatedAt: Fixture.now)
        try await withStub({ r in
            r.path == "/v1/service-requests"
                ? .json(status: 200, body: #"{"items":[\#(Self.json(request))]}"#)
                : .json(status: 201, body: #"{"bookings":[\#(Self.json(booking))],"conflicts":[]}"#)
        }) { api, server in
            let wanted = HomeServiceBooking(callId: 4900, elderId: 5900, service: "cleaning", start: booking.start)
            #expect(try await api.book(wanted) == "booked cleaning, booking #31, worker 44")
            #expect(server.requests.map(\.path) == ["/v1/service-requests", "/v1/bookings"])
            #expect(server.requests.first?.query == "status=new&call=4900")
            let sent = try CareJSON.decoder.decode(NewBooking.self, from: try #require(server.requests.last?.body))
            #expect(sent.serviceRequestId == 12 && sent.elderId == 5900 && sent.start == booking.start)
            #expect(server.requests.last?.headers["idempotency-key"] == "console-service-request-12")
        }
        // A request already answered elsewhere: nothing is booked.
        try await withStub({ _ in .json(status: 200, body: #"{"items":[]}"#) }) { api, server in
            let wanted = HomeServiceBooking(callId: 4900, elderId: 5900, service: "cleaning", start: booking.start)
            await #expect(throws: ConsoleAPIError.self) { _ = try await api.book(wanted) }
            #expect(server.requests.count == 1)
        }
    }

    @Test func openCallsFollowsTheCursor() async throws {
        try await withStub({ request in
            request.query.contains("cursor=")
                ? .json(status: 200, body: #"{"items":[\#(Self.json(Fixture.door))]}"#)
                : .json(
                    status: 200, body: #"{"items":[\#(Self.json(Fixture.fall)),\#(Self.json(Fixture.vitals))],"nextCursor":"azoxMjM0"}"#)
        }) { api, server in
            let calls = try await api.openCalls()
            #expect(calls.map(\.id) == [4812, 4790, 4801])
            #expect(server.requests.map(\.query) == ["open=true&limit=500", "open=true&limit=500&cursor=azoxMjM0"])
        }
    }

    @Test func anActionSendsTheVersionAndA409SaysWhoActedFirst() async throws {
        let sentence = "李明 claimed this call at 10:11:40; it is now claimed (version 3)"
        try await withStub({ _ in Self.problem(409, "Conflict", sentence) }) { api, server in
            let claim = ActionRequest(callId: 4812, action: .claim, version: 2)
            do throws(ConsoleAPIError) {
                _ = try await api.perform(claim)
                Issue.record("a 409 must throw")
            } catch {
                #expect(error == .answered(status: 409, detail: sentence))
                #expect(error.actionFailure == ActionFailure(status: 409, message: sentence))
                #expect(error.actionFailure.callChangedMeanwhile)
            }
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/v1/calls/4812/claim")
            #expect(request.headers["content-type"] == "application/json")
            let body = try CareJSON.decoder.decode(CallActionRequest.self, from: request.body)
            #expect(body == CallActionRequest(version: 2))
        }
    }

    @Test func aSuccessfulActionReturnsTheCall() async throws {
        let detail = Fixture.detail(status: .claimed, version: 3, claimedBy: Fixture.colleague)
        try await withStub({ _ in .json(status: 200, body: Self.json(detail)) }) { api, _ in
            let answer = try await api.perform(ActionRequest(callId: 4812, action: .claim, version: 2))
            #expect(answer == detail)
        }
    }

    @Test func aRefusedTokenIsOnePlainSentenceWithoutTheToken() async throws {
        try await withStub({ _ in Self.problem(401, "Authentication required", "Send an API token") }) { api, server in
            do throws(ConsoleAPIError) {
                _ = try await api.me()
                Issue.record("a 401 must throw")
            } catch {
                #expect(error == .tokenRefused(server: server.baseURL))
                #expect(error.description.hasPrefix("The server at \(server.baseURL) refused the token"))
                #expect(!error.description.contains("s3cret"))
            }
        }
    }

    @Test func anUnreachableServerSaysSo() async throws {
        let port = try LoopbackHTTPServer.refusingPort()
        let api = try ConsoleAPI(server: "http://127.0.0.1:\(port)", token: Self.token, proxyFromEnvironment: false)
        do throws(ConsoleAPIError) {
            _ = try await api.me()
            Issue.record("nothing listens there")
        } catch {
            guard case .unreachable = error else { Issue.record("\(error)"); return }
            #expect(error.description.hasPrefix("Cannot reach the server at http://127.0.0.1:\(port) ("))
            #expect(error.actionFailure.status == nil)
        }
        await api.shutdown()
    }

    @Test func badAddressesAndTokensAreRefusedBeforeAnyRequest() {
        #expect(throws: ConsoleAPIError.invalidServer("127.0.0.1:8080")) {
            try ConsoleAPI(server: "127.0.0.1:8080", token: Self.token)
        }
        #expect(throws: ConsoleAPIError.invalidToken) { try ConsoleAPI(server: "http://x", token: "secret with spaces") }
        #expect(throws: ConsoleAPIError.invalidToken) { try ConsoleAPI(server: "http://x", token: "ec_a\r\nX-Evil: 1") }
        #expect(!ConsoleAPIError.invalidToken.description.contains("secret"))
    }

    @Test func otherProblemsCarryTheirDetail() async throws {
        try await withStub({ _ in Self.problem(403, "Not allowed", "王芳 holds this call; only she or a supervisor may act on it.") }) {
            api, _ in
            do throws(ConsoleAPIError) {
                _ = try await api.perform(ActionRequest(callId: 4813, action: .release, version: 3))
                Issue.record("a 403 must throw")
            } catch {
                #expect(error.description == "王芳 holds this call; only she or a supervisor may act on it.")
                #expect(error.actionFailure.callChangedMeanwhile)
            }
        }
    }
}

/// The feed reconnects by itself and resumes after the last event it delivered.
@Suite struct LiveFeedTests {
    static func event(_ id: Int, _ call: CallSummary) -> String {
        "id: \(id)\nevent: call\ndata: \(ConsoleAPITests.json(call))\n\n"
    }

    @Test func reconnectsWithLastEventIDAndMissesNothing() async throws {
        var claimed = Fixture.fall
        claimed.status = .claimed
        claimed.claimedBy = Fixture.colleague
        claimed.version = 3
        var resolved = Fixture.vitals
        resolved.status = .resolved
        resolved.version = 7
        let first = [": heartbeat\n\n", Self.event(1, Fixture.door), Self.event(2, claimed)]
        let second = [Self.event(3, resolved)]
        let server = try LoopbackHTTPServer { request in
            switch (request.path, request.headers["last-event-id"]) {
            case ("/v1/calls", _):
                return .json(
                    status: 200, body: #"{"items":[\#(ConsoleAPITests.json(Fixture.fall)),\#(ConsoleAPITests.json(Fixture.vitals))]}"#)
            case ("/v1/calls/stream", nil):
                return .events(first)  // then the connection drops
            case ("/v1/calls/stream", "2"?):
                return .events(second, heartbeat: "heartbeat")
            default:
                return .json(status: 400, body: #"{"title":"Bad","detail":"unexpected request"}"#)
            }
        }
        defer { server.stop() }
        let api = try ConsoleAPI(server: server.baseURL, token: ConsoleAPITests.token, proxyFromEnvironment: false)
        let feed = LiveFeed(api: api)
        let seen = Mutex<[String]>([])
        let task = Task {
            await feed.run { event in
                let line: String =
                    switch event {
                    case .snapshot(let calls): "snapshot " + calls.map { String($0.id) }.joined(separator: ",")
                    case .callChanged(let call, let id): "call \(call.id) v\(call.version) id \(id ?? "-")"
                    case .connection(.live): "live"
                    case .connection(.connecting): "connecting"
                    case .connection(.retrying): "retrying"
                    case .connection(.stopped): "stopped"
                    default: "other"
                    }
                seen.withLock { $0.append(line) }
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)  // ends at once when it arrives; generous for a loaded machine
        while !seen.withLock({ $0.contains("call 4790 v7 id 3") }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        await task.value
        await api.shutdown()

        #expect(
            seen.withLock { $0 } == [
                "connecting", "snapshot 4812,4790", "live", "call 4801 v2 id 1", "call 4812 v3 id 2",
                "retrying", "connecting", "live", "call 4790 v7 id 3",
            ])
        let streams = server.requests.filter { $0.path == "/v1/calls/stream" }
        #expect(streams.count == 2)
        #expect(streams.first?.headers["last-event-id"] == nil)
        #expect(streams.last?.headers["last-event-id"] == "2")
        #expect(streams.allSatisfy { $0.headers["accept"] == "text/event-stream" })
        // The listing is taken once: a resumed feed replays what it missed instead.
        #expect(server.requests.filter { $0.path == "/v1/calls" }.count == 1)

        // The same events through the reducer leave the queue as the server has it.
        var state = ConsoleState(now: Fixture.now, timeZone: Fixture.zone)
        state.apply(.snapshot([Fixture.fall, Fixture.vitals]))
        state.apply(.callChanged(Fixture.door, eventID: "1"))
        state.apply(.callChanged(claimed, eventID: "2"))
        state.apply(.callChanged(resolved, eventID: "3"))
        #expect(state.queue.visible.map(\.id) == [4812, 4801])
        #expect(state.lastEventID == "3")
    }

    @Test func aRefusedTokenStopsTheFeed() async throws {
        let server = try LoopbackHTTPServer { _ in .json(status: 401, body: #"{"title":"Authentication required","detail":"no"}"#) }
        defer { server.stop() }
        let api = try ConsoleAPI(server: server.baseURL, token: ConsoleAPITests.token, proxyFromEnvironment: false)
        let last = Mutex<ConnectionState?>(nil)
        // Returns by itself: a refused token is not retried.
        await LiveFeed(api: api).run { event in
            if case .connection(let state) = event { last.withLock { $0 = state } }
        }
        await api.shutdown()
        guard case .stopped(let reason)? = last.withLock({ $0 }) else { Issue.record("not stopped"); return }
        #expect(reason.contains("refused the token"))
    }
}

extension LoopbackHTTPServer.Reply {
    /// A complete JSON answer, as the API gives.
    static func json(status: Int, body: String, contentType: String = "application/json") -> Self {
        .status(status, headers: ["Content-Type": contentType], body: body)
    }
}
