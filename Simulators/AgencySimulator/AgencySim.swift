// agency-sim: simulated community health centres that keep their own copy of the archives
// they serve in step with the platform through the sync API (Docs/sync-protocol.md). Each
// agency has its own SQLite file, does a first full sync, then edits, records observations and
// conditions, deletes, and sometimes edits a record the platform is editing at the same time;
// it pushes, pulls, settles its conflicts, and at the end proves by checksum that its copy is
// the platform's. Killed at any point, a rerun with the same --data resumes each agency from
// its durable cursor and pending pushes.
//
//   agency-sim --server http://127.0.0.1:8080 --token ADMIN run --agencies 3 --duration 60 --conflict-rate 0.05
import ArgumentParser
import CareModel
import CurlHTTP
import Foundation

@main
struct AgencySim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agency-sim", abstract: "Simulated agencies syncing health archives with the platform.",
        subcommands: [Run.self, Load.self])

    @OptionGroup var global: Global
}

struct Global: ParsableArguments {
    @Option(help: "The platform's server.") var server = "http://127.0.0.1:8080"
    @Option(help: "An administrator's API token (to make the agencies' accounts and the platform's own edits).") var token: String
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run agencies for a while, then check that each converged.")
    @ParentCommand var parent: AgencySim
    @Option(help: "How many agencies (the first two share a health centre, so they edit the same records).") var agencies = 3
    @Option(help: "Seconds of workload.") var duration = 60.0
    @Option(help: "Share of edits made while the platform edits the same field.") var conflictRate = 0.05
    @Option(help: "Where each agency keeps its SQLite file; a rerun with the same folder resumes.") var data = "agency-sim-data"
    @Option(help: "Seed for the workload's choices.") var seed: UInt64 = 1
    @Option(help: "Consenting elders each health centre enrols on a first run (beyond the community it stands in).") var enrol = 20
    @Option(help: "Stop when this process is gone (the demo that started the simulator).") var watchPid: Int32?

    func run() async throws {
        let global = parent.global
        if let watchPid {
            // Nothing else would stop a simulator whose demo was stopped with Ctrl-C.
            Thread.detachNewThread {
                while kill(watchPid, 0) == 0 { Thread.sleep(forTimeInterval: 1) }
                Foundation.exit(0)
            }
        }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let api = try API(base: global.server)
        let centres = try await api.json(.get, "/v1/institutions?kind=community_health_centre&limit=50", token: global.token)
        let ids = (centres.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        guard !ids.isEmpty else { throw SimFailure("the server has no community health centres; run `eldercare seed` first") }
        let settings = Workload(duration: duration, conflictRate: conflictRate, admin: global.token)
        // A health centre serves the one community it stands in; enrolments give each a real scope.
        let firstRun = !FileManager.default.fileExists(atPath: "\(data)/agency-0.sqlite")
        if firstRun {
            let elders = try await api.json(.get, "/v1/elders?limit=500", token: global.token)
            let sharing = (elders.object["items"] as? [[String: Any]] ?? []).filter {
                ($0["consent"] as? [String: Any])?["shareHealthArchive"] as? Bool == true
            }.compactMap { $0["id"] as? Int }
            for (n, institution) in Set((0..<agencies).map { ids[max(0, $0 - 1) % ids.count] }).sorted().enumerated() {
                for elder in sharing.dropFirst(n * enrol).prefix(enrol) {
                    let r = try await api.json(.put, "/v1/institutions/\(institution)/enrolments/\(elder)", token: global.token)
                    guard r.status == 204 else { throw SimFailure("enrolment: \(r.status) \(r.text)") }
                }
            }
        }
        // Conflicts already on the platform before this run's first start are not this run's.
        let sincePath = "\(data)/conflicts-before"
        if firstRun {
            var before = 0
            for institution in Set(ids) {
                var cursor = ""
                repeat {
                    let page = try await api.json(
                        .get, "/v1/sync/conflicts?agency=\(institution)&limit=500" + (cursor.isEmpty ? "" : "&cursor=\(cursor)"),
                        token: global.token)
                    for item in page.object["items"] as? [[String: Any]] ?? [] { before = max(before, item["id"] as? Int ?? 0) }
                    cursor = page.object["nextCursor"] as? String ?? ""
                } while !cursor.isEmpty
            }
            try String(before).write(toFile: sincePath, atomically: true, encoding: .utf8)
        }
        let conflictsBefore = Int((try? String(contentsOfFile: sincePath, encoding: .utf8)) ?? "") ?? 0
        let reports = try await withThrowingTaskGroup(of: AgencyReport.self) { group in
            for n in 0..<agencies {
                let institution = ids[max(0, n - 1) % ids.count]
                group.addTask {
                    let agency = try await SimulatedAgency.open(
                        n, institution: institution, path: "\(data)/agency-\(n).sqlite", api: api, admin: settings.admin)
                    return try await agency.run(settings, seed: seed &+ UInt64(n) &* 7919)
                }
            }
            var all: [AgencyReport] = []
            for try await report in group { all.append(report) }
            return all.sorted { $0.index < $1.index }
        }
        for report in reports { print(report.line) }
        // Every conflict the platform recorded for a centre is one its agencies met: none lost.
        var lost: [Int] = []
        var total = 0, open = 0
        for institution in Set(reports.map(\.institution)).sorted() {
            let known = reports.filter { $0.institution == institution }.reduce(into: Set<Int>()) { $0.formUnion($1.conflictIds) }
            var cursor = ""
            repeat {
                let page = try await api.json(
                    .get, "/v1/sync/conflicts?agency=\(institution)&limit=500" + (cursor.isEmpty ? "" : "&cursor=\(cursor)"),
                    token: global.token)
                for item in page.object["items"] as? [[String: Any]] ?? [] {
                    guard let id = item["id"] as? Int, id > conflictsBefore else { continue }
                    total += 1
                    if item["status"] as? String == "open" { open += 1 }
                    if !known.contains(id) { lost.append(id) }
                }
                cursor = page.object["nextCursor"] as? String ?? ""
            } while !cursor.isEmpty
        }
        print(
            "conflicts on the platform: \(total) (\(total - open) resolved, \(open) open); unknown to the agencies that met them: \(lost.count)"
        )
        let diverged = reports.filter { !$0.converged }
        print(
            diverged.isEmpty && lost.isEmpty
                ? "verdict: all \(reports.count) agencies converged, and every conflict is accounted for"
                : "verdict: \(diverged.count) of \(reports.count) agencies DIVERGED, \(lost.count) conflicts unaccounted for")
        if !diverged.isEmpty || !lost.isEmpty { throw ExitCode(1) }
    }
}

struct Workload: Sendable {
    var duration: Double
    var conflictRate: Double
    var admin: String
}

/// The HTTP client every agency shares.
struct API: Sendable {
    let client: CurlClient
    let base: String

    init(base: String) throws {
        client = try CurlClient(configuration: .init(usesEnvironmentProxy: false))
        self.base = base
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    }

    func json(
        _ method: HTTPMethod, _ path: String, token: String, body: String? = nil, headers extra: [String: String] = [:],
        contentType: String = "application/json"
    ) async throws -> Reply {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        if body != nil { headers.set(name: "Content-Type", value: contentType) }
        for (k, v) in extra { headers.set(name: k, value: v) }
        let r = try await client.send(
            HTTPRequest(method: method, url: base + path, headers: headers, body: body.map { Data($0.utf8) }, timeout: .seconds(90)))
        var h: [String: String] = [:]
        for field in r.headers { h[field.name.lowercased()] = field.value }
        return Reply(status: r.status, headers: h, body: r.body)
    }
}

struct AgencyReport: Sendable {
    var index = 0
    var resources = 0
    var pulls = 0
    var linesApplied = 0
    var resyncs = 0
    var pushes = 0
    var retriedPushes = 0
    var created = 0
    var updated = 0
    var merged = 0
    var deleted = 0
    var refused = 0
    var conflicts = 0
    var resolved = 0
    var openAtEnd = 0
    var converged = false
    var outages = 0
    var detail = ""
    var institution = 0
    /// Every conflict this agency's pushes met, across restarts.
    var conflictIds: Set<Int> = []

    var line: String {
        "agency \(index): \(resources) resources; \(pulls) pulls (\(linesApplied) lines, \(resyncs) re-syncs); \(pushes) pushes "
            + "(\(retriedPushes) retried): \(created) created, \(updated) updated, \(merged) merged, \(deleted) deleted, "
            + "\(refused) refused, \(conflicts) conflicts (\(resolved) resolved, \(openAtEnd) open); \(outages) outages; "
            + (converged ? "converged" : "DIVERGED") + " — \(detail)"
    }
}

/// A small deterministic generator, so a run can be repeated.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
