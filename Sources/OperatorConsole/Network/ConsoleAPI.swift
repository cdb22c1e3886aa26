import CareModel
import CurlHTTP
import Foundation

/// The console's side of the public API: every request the console makes, over one
/// ``CurlClient``, with the bearer token and the platform's JSON conventions (``CareJSON``).
///
/// ```swift
/// let api = try ConsoleAPI(server: "http://127.0.0.1:8080", token: token)
/// let me = try await api.me()                                // GET /v1/me
/// let calls = try await api.openCalls()                      // GET /v1/calls?open=true, every page
/// let detail = try await api.perform(ActionRequest(callId: 4812, action: .claim, version: 1))
/// for try await item in try await api.feed(lastEventID: "42") { … }   // GET /v1/calls/stream
/// await api.shutdown()
/// ```
///
/// Every failure is a ``ConsoleAPIError`` whose description is a sentence for the operator; a
/// problem+json answer contributes its `detail` word for word (the 409 that says who acted first).
public final class ConsoleAPI: Sendable {
    /// The base URL, without a trailing slash.
    public let server: String
    private let authorization: String
    private let client: CurlClient

    /// Longest wait for an ordinary answer; the feed has no total limit, only an idle one.
    static let requestTimeout: Duration = .seconds(15)
    /// The server sends a heartbeat every ~15 s: three missed means the connection is dead.
    static let feedIdleTimeout: Duration = .seconds(45)

    /// - Parameter proxyFromEnvironment: whether `http_proxy` and friends apply (tests turn it off).
    public init(server: String, token: String, proxyFromEnvironment: Bool = true) throws(ConsoleAPIError) {
        var base = server.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://"), let url = URL(string: base), url.host != nil else {
            throw .invalidServer(server)
        }
        let token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.hasPrefix("ec_"), token.count > 3,
            token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.~".contains($0)) })
        else {
            throw .invalidToken
        }
        self.server = base
        authorization = "Bearer " + token
        do {
            client = try CurlClient(
                configuration: .init(
                    maximumCachedConnections: 16, userAgent: "eldercare-console",
                    usesEnvironmentProxy: proxyFromEnvironment))
        } catch {
            throw .unreachable(server: base, detail: error.description)
        }
    }

    public func shutdown() async { await client.shutdown() }

    // MARK: Requests

    /// `GET /v1/me`: who the token belongs to. Also the check that the server is there and
    /// takes the token, before the terminal is taken over.
    public func me() async throws(ConsoleAPIError) -> ConsoleOperator {
        try await get("/v1/me")
    }

    /// Every open call, following `nextCursor` page by page.
    public func openCalls(pageSize: Int = 500) async throws(ConsoleAPIError) -> [CallSummary] {
        var calls: [CallSummary] = []
        var cursor: String?
        repeat {
            var path = "/v1/calls?open=true&limit=\(pageSize)"
            if let cursor { path += "&cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? cursor) }
            let page: Page<CallSummary> = try await get(path)
            calls += page.items
            cursor = page.items.isEmpty ? nil : page.nextCursor
        } while cursor != nil
        return calls
    }

    /// `GET /v1/calls/{id}`.
    public func detail(of id: Int64) async throws(ConsoleAPIError) -> CallDetail {
        try await get("/v1/calls/\(id)")
    }

    /// `GET /v1/calls/overview`.
    public func overview() async throws(ConsoleAPIError) -> CallOverview {
        try await get("/v1/calls/overview")
    }

    /// `POST /v1/calls/{id}/{action}` with the version the operator saw; the answer is the call after it.
    public func perform(_ request: ActionRequest) async throws(ConsoleAPIError) -> CallDetail {
        let body: Data
        do { body = try CareJSON.encoder.encode(request.body) } catch { throw .unreadable("\(error)") }
        var headers = baseHeaders
        headers.add(name: "Content-Type", value: "application/json")
        let response = try await exchange(
            HTTPRequest(
                method: .post, url: server + request.path, headers: headers,
                body: body, connectTimeout: .seconds(5), timeout: Self.requestTimeout))
        return try decode(response)
    }

    /// Books a home service for a green-key call: finds the request its press put on the worklist
    /// (`GET /v1/service-requests?call=`), then books with it (`POST /v1/bookings`), so the request
    /// leaves the worklist in the booking's transaction. Returns the status line's words.
    public func book(_ wanted: HomeServiceBooking) async throws(ConsoleAPIError) -> String {
        let page: Page<HomeServiceRequest> = try await get("/v1/service-requests?status=new&call=\(wanted.callId)")
        guard let request = page.items.first else {
            throw .answered(status: 409, detail: "the call's service request is no longer waiting (already booked or declined)")
        }
        let made: BookingResult
        do {
            let body = try CareJSON.encoder.encode(
                NewBooking(elderId: wanted.elderId, service: wanted.service, start: wanted.start, serviceRequestId: request.id))
            var headers = baseHeaders
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Idempotency-Key", value: "console-service-request-\(request.id)")
            made = try decode(
                try await exchange(
                    HTTPRequest(
                        method: .post, url: server + "/v1/bookings", headers: headers, body: body, connectTimeout: .seconds(5),
                        timeout: Self.requestTimeout)))
        } catch let error as ConsoleAPIError {
            throw error
        } catch {
            throw .unreadable("\(error)")
        }
        guard let booking = made.bookings.first else { throw .unreadable("the server booked nothing") }
        let worker = booking.workerId.map { "worker \($0)" } ?? "the provider to assign"
        return "booked \(booking.service), booking #\(booking.id), \(worker)"
    }

    /// Opens `GET /v1/calls/stream`, resuming after `lastEventID` when given. Returns once the
    /// server has answered 200; the events follow as the sequence is read.
    public func feed(lastEventID: String?) async throws(ConsoleAPIError) -> FeedConnection {
        var headers = baseHeaders
        headers.set(name: "Accept", value: "text/event-stream")
        headers.add(name: "Cache-Control", value: "no-cache")
        if let lastEventID { headers.add(name: "Last-Event-ID", value: lastEventID) }
        let request = HTTPRequest(
            url: server + "/v1/calls/stream", headers: headers, connectTimeout: .seconds(5),
            timeout: nil, idleTimeout: Self.feedIdleTimeout)
        let response: HTTPStreamingResponse
        do { response = try await client.stream(request) } catch { throw .from(error, server: server) }
        guard response.status == 200 else {
            let body = (try? await response.body.collect(upTo: 64 * 1024)) ?? Data()
            throw problem(status: response.status, body: body)
        }
        return FeedConnection(events: response.body.serverSentEvents(lastEventID: lastEventID), server: server)
    }

    // MARK: Plumbing

    /// RFC 3986 unreserved characters: what a query value may hold as it is (cursors are base64url).
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private var baseHeaders: HTTPHeaders {
        ["Authorization": authorization, "Accept": "application/json"]
    }

    private func get<T: Decodable>(_ path: String) async throws(ConsoleAPIError) -> T {
        let response = try await exchange(
            HTTPRequest(
                url: server + path, headers: baseHeaders,
                connectTimeout: .seconds(5), timeout: Self.requestTimeout))
        return try decode(response)
    }

    private func exchange(_ request: HTTPRequest) async throws(ConsoleAPIError) -> HTTPResponse {
        do { return try await client.send(request) } catch { throw .from(error, server: server) }
    }

    private func decode<T: Decodable>(_ response: HTTPResponse) throws(ConsoleAPIError) -> T {
        guard response.isSuccess else { throw problem(status: response.status, body: response.body) }
        do {
            return try CareJSON.decoder.decode(T.self, from: response.body)
        } catch {
            throw .unreadable("\(T.self): \(error)")
        }
    }

    /// A non-2xx answer as an error: the problem document's `detail` when there is one.
    func problem(status: Int, body: Data) -> ConsoleAPIError {
        if status == 401 { return .tokenRefused(server: server) }
        struct Problem: Decodable { var title: String?; var detail: String? }
        if let problem = try? CareJSON.decoder.decode(Problem.self, from: body),
            let sentence = problem.detail ?? problem.title, !sentence.isEmpty
        {
            return .answered(status: status, detail: sentence)
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return .answered(status: status, detail: "The server answered \(status)" + (text.isEmpty ? "." : ": \(text)"))
    }
}

/// One item of the live feed.
public enum FeedItem: Hashable, Sendable {
    /// An `event: call` with its `id:` (the change-log position; it persists across events).
    case call(CallSummary, eventID: String?)
    /// A comment line (`: heartbeat`): the connection is alive.
    case heartbeat
    /// An event this console does not use, or one it could not read; its id still counts.
    case skipped(eventID: String?)
}

/// The events of one feed connection, in order. Ends when the server ends the response;
/// throws ``ConsoleAPIError`` when the connection breaks.
public struct FeedConnection: AsyncSequence, Sendable {
    public typealias Element = FeedItem
    let events: ServerSentEvents<HTTPBodyStream>
    let server: String

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: events.makeAsyncIterator(), server: server) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: ServerSentEvents<HTTPBodyStream>.AsyncIterator
        let server: String

        public mutating func next() async throws -> FeedItem? {
            let output: ServerSentEventParser.Output?
            do {
                output = try await base.next()
            } catch let error as CurlHTTPError {
                throw ConsoleAPIError.from(error, server: server)
            }
            switch output {
            case nil: return nil
            case .comment: return .heartbeat
            case .event(let event):
                guard event.event == "call",
                    let call = try? CareJSON.decoder.decode(CallSummary.self, from: Data(event.data.utf8))
                else {
                    return .skipped(eventID: event.id)
                }
                return .call(call, eventID: event.id)
            }
        }
    }
}
