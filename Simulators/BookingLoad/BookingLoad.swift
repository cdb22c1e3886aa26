// booking-load: sets up a provider with many certified workers through the API, then drives
// availability queries at a constant rate, or booking creates as fast as the server takes
// them, and reports latency percentiles. Latency is measured from when each request was
// scheduled, not sent, so a stalled server cannot hide its queueing (no coordinated omission).
//
//   booking-load setup --url http://127.0.0.1:8080 --token ADMIN --workers 2000
//   booking-load availability --url … --token T --elder 1 --rate 200 --seconds 30 --days 14
//   booking-load book --url … --token T --elder 1 --workers 2000 --seconds 20 --concurrency 32
import ArgumentParser
import CareModel
import CurlHTTP
import Foundation
import Synchronization

@main
struct BookingLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "booking-load", abstract: "Load for home-service bookings: setup, availability, book.",
        subcommands: [Setup.self, Availability.self, Book.self])
}

struct Common: ParsableArguments {
    @Option(help: "The server.") var url = "http://127.0.0.1:8080"
    @Option(help: "An API token (admin for setup; operator or admin otherwise).") var token: String
    @Option(help: "Keep-alive connections to the server.") var connections = 8
}

/// One shared client; every request carries the token.
struct API: Sendable {
    let client: CurlClient
    let base: String
    let token: String

    init(_ common: Common) throws {
        // A few keep-alive connections, as a console or an app server would hold: requests beyond
        // them wait in the client, and that wait counts in their latency.
        var configuration = CurlClient.Configuration(usesEnvironmentProxy: false)
        configuration.maximumConnectionsPerHost = common.connections
        configuration.maximumTotalConnections = common.connections
        client = try CurlClient(configuration: configuration)
        base = common.url
        token = common.token
    }

    func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> (Int, [String: Any]) {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        if body != nil { headers.set(name: "Content-Type", value: "application/json") }
        let r = try await client.send(
            HTTPRequest(method: method, url: base + path, headers: headers, body: body.map { Data($0.utf8) }, timeout: .seconds(60)))
        return (r.status, (try? JSONSerialization.jsonObject(with: r.body)) as? [String: Any] ?? [:])
    }
}

struct Setup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A provider serving the first elder's district, with N workers working every day 07:00–21:00.")
    @OptionGroup var common: Common
    @Option(help: "How many workers.") var workers = 2000

    func run() async throws {
        let api = try API(common)
        let (_, page) = try await api.send(.get, "/v1/elders?limit=1")
        guard let elder = (page["items"] as? [[String: Any]])?.first, let elderId = elder["id"] as? Int,
            let region = elder["regionCode"] as? String
        else { throw ValidationError("the server has no elders; run `eldercare seed` first") }
        let district = String(region.prefix(6)) + "000000"
        let (status, institution) = try await api.send(
            .post, "/v1/institutions",
            #"{"kind":"home_care_centre","name":"压测居家服务中心","regionCode":"\#(region)","address":"压测路1号","phone":"0775-2821234"}"#)
        guard status == 201, let provider = institution["id"] as? Int else {
            throw ValidationError("institution: \(status) \(institution)")
        }
        _ = try await api.send(
            .put, "/v1/providers/\(provider)", #"{"regions":["\#(district)"],"contractNumber":"BENCH-1","contractUntil":"2030-12-31"}"#)
        let started = Date()
        var made = 0
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for n in 0..<workers {
                if n >= 16 { if try await group.next() == true { made += 1 } }
                group.addTask {
                    let lat = 22.60 + Double(n % 100) / 1000, lon = 110.12 + Double(n / 100 % 100) / 1000
                    let body = """
                        {"providerId":\(provider),"name":"工\(n)","skills":["housekeeping","companionship","meal_delivery","errands","personal_care"],
                         "certificates":[{"kind":"housekeeping","number":"B\(provider)-\(n)","issuer":"人社局","expiresOn":"2030-12-31"},
                                         {"kind":"food_handler","number":"F\(provider)-\(n)","issuer":"市监局","expiresOn":"2030-12-31"},
                                         {"kind":"care_worker","number":"C\(provider)-\(n)","issuer":"人社局","expiresOn":"2030-12-31"}],
                         "workingHours":[{"weekdays":[1,2,3,4,5,6,7],"start":"07:00","end":"21:00"}],
                         "home":{"latitude":\(lat),"longitude":\(lon)}}
                        """
                    return try await api.send(.post, "/v1/workers", body).0 == 201
                }
            }
            for try await ok in group where ok { made += 1 }
        }
        print(
            "provider=\(provider) elder=\(elderId) district=\(district) workers=\(made) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
        )
        await api.client.shutdown()
    }
}

/// Latencies in milliseconds, and the percentiles of them.
final class Results: Sendable {
    private let state = Mutex((latencies: [Double](), statuses: [Int: Int]()))
    func record(_ ms: Double, _ status: Int) {
        state.withLock {
            $0.latencies.append(ms); $0.statuses[status, default: 0] += 1
        }
    }
    func report(_ label: String, seconds: Double) {
        state.withLock { s in
            let sorted = s.latencies.sorted()
            func p(_ q: Double) -> String {
                sorted.isEmpty ? "-" : String(format: "%.1f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))])
            }
            print(
                "\(label): \(sorted.count) requests in \(String(format: "%.1f", seconds)) s (\(Int(Double(sorted.count) / seconds))/s), statuses \(s.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")); latency ms p50 \(p(0.5)) p90 \(p(0.9)) p99 \(p(0.99)) max \(sorted.last.map { String(format: "%.1f", $0) } ?? "-")"
            )
        }
    }
}

struct Availability: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "GET /v1/availability at a constant rate.")
    @OptionGroup var common: Common
    @Option var elder: Int
    @Option(help: "More elders to ask for in turn (comma separated): each home weighs travel differently.") var elders = ""
    @Option var service = "cleaning"
    @Option(help: "Requests per second.") var rate = 200.0
    @Option var seconds = 30.0
    @Option(help: "Days each query covers, from tomorrow.") var days = 14

    func run() async throws {
        let api = try API(common)
        let f = ISO8601DateFormatter()
        let tomorrow = CalendarDate(daysSinceEpoch: CalendarDate(date: Date()).daysSinceEpoch + 1)
        let from = LocalTime.midnight(tomorrow), to = from.addingTimeInterval(Double(days) * 86_400)
        let asked = [elder] + elders.split(separator: ",").compactMap { Int($0) }
        func path(_ elder: Int) -> String {
            "/v1/availability?service=\(service)&elder=\(elder)&from=\(f.string(from: from))&to=\(f.string(from: to))"
        }
        let (status, body) = try await api.send(.get, path(elder))
        let slots = body["slots"] as? [[String: Any]] ?? []
        print(
            "one query: status \(status), \(slots.count) slots, \(slots.map { $0["freeWorkers"] as? Int ?? 0 }.max() ?? 0) workers free at most"
        )
        let results = Results()
        let total = Int(rate * seconds)
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<total {
                let due = start + .seconds(Double(i) / rate)
                try? await clock.sleep(until: due)
                let path = path(asked[i % asked.count])
                group.addTask {
                    let status = (try? await api.send(.get, path).0) ?? 0
                    results.record(Double((clock.now - due).milliseconds), status)
                }
            }
        }
        results.report("availability \(days) days", seconds: Double((clock.now - start).milliseconds) / 1000)
        await api.client.shutdown()
    }
}

struct Book: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "POST /v1/bookings as fast as the server answers: each names a worker and a slot no other request takes.")
    @OptionGroup var common: Common
    @Option var elder: Int
    @Option(help: "The first worker id of the setup.") var firstWorker = 1
    @Option var workers = 2000
    @Option var seconds = 20.0
    @Option(help: "Requests in flight.") var concurrency = 32
    @Option(help: "Days from today of the first slot used.") var fromDay = 15

    func run() async throws {
        let api = try API(common)
        let today = CalendarDate(date: Date()).daysSinceEpoch
        let results = Results()
        let clock = ContinuousClock()
        let start = clock.now, end = start + .seconds(seconds)
        let counter = Counter()
        let (firstWorker, workers, elder, fromDay) = (self.firstWorker, self.workers, self.elder, self.fromDay)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    let f = ISO8601DateFormatter()
                    while clock.now < end {
                        let i = counter.next()
                        // Worker, then day, then one of six two-hour slots from 07:00: never the same twice.
                        let worker = firstWorker + i % workers
                        let day = CalendarDate(daysSinceEpoch: today + fromDay + (i / workers) % 12)
                        let slot = (i / (workers * 12)) % 6
                        let startTime = LocalTime.midnight(day).addingTimeInterval(Double(7 * 3600 + slot * 2 * 3600 + 600))
                        let body =
                            #"{"elderId":\#(elder),"service":"laundry","start":"\#(f.string(from: startTime))","workerId":\#(worker)}"#
                        let sent = clock.now
                        let status = (try? await api.send(.post, "/v1/bookings", body).0) ?? 0
                        results.record(Double((clock.now - sent).milliseconds), status)
                    }
                }
            }
        }
        results.report("book", seconds: Double((clock.now - start).milliseconds) / 1000)
        await api.client.shutdown()
    }
}

/// The next request's number, shared by the tasks sending them.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock { v in
            defer { v += 1 }; return v
        }
    }
}
