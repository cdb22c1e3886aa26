import ArgumentParser
import CareModel
import CurlHTTP
import Foundation

/// `agency-sim load`: the sync benchmarks' generator. One agency account of a health centre
/// with `--enrol` consenting elders enrolled; it times a first sync (the feed, then the bulk
/// export), pushes of new readings in Bundles of `--batch`, and an incremental pull of what it
/// pushed, and prints each rate. Run it against a release build (Docs/performance.md).
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time a first sync, pushes and an incremental pull.")
    @ParentCommand var parent: AgencySim
    @Option(help: "Consenting elders to enrol with the health centre first.") var enrol = 200
    @Option(help: "Readings to push.") var pushes = 10_000
    @Option(help: "Entries per pushed Bundle.") var batch = 500
    @Option(help: "Feed page size.") var limit = 10_000

    func run() async throws {
        let global = parent.global
        let api = try API(base: global.server)
        let centres = try await api.json(.get, "/v1/institutions?kind=community_health_centre&limit=1", token: global.token)
        guard let centre = (centres.object["items"] as? [[String: Any]])?.first?["id"] as? Int else {
            throw SimFailure("the server has no community health centre; run `eldercare seed` first")
        }
        var cursor = ""
        var patients: [String] = []
        repeat {
            let page = try await api.json(.get, "/v1/elders?limit=500" + (cursor.isEmpty ? "" : "&cursor=\(cursor)"), token: global.token)
            for elder in page.object["items"] as? [[String: Any]] ?? []
            where (elder["consent"] as? [String: Any])?["shareHealthArchive"] as? Bool == true && patients.count < enrol {
                guard let id = elder["id"] as? Int else { continue }
                _ = try await api.json(.put, "/v1/institutions/\(centre)/enrolments/\(id)", token: global.token)
                patients.append("Patient/\(id)")
            }
            cursor = page.object["nextCursor"] as? String ?? ""
        } while !cursor.isEmpty && patients.count < enrol
        let account = try await api.json(
            .post, "/v1/accounts", token: global.token,
            body: #"{"name":"agency-sim load \#(UUID().uuidString.prefix(8))","role":"agency","institutionId":\#(centre)}"#)
        guard let accountId = account.object["id"] as? Int,
            let token = try await api.json(.post, "/v1/accounts/\(accountId)/tokens", token: global.token).object["token"] as? String
        else { throw SimFailure("account: \(account.text)") }

        // First sync through the feed, page by page.
        var started = Date()
        var since = "0", lines = 0, more = true
        while more {
            let reply = try await api.json(.get, "/v1/sync/changes?since=\(since)&limit=\(limit)", token: token)
            guard reply.status == 200 else { throw SimFailure("pull: \(reply.status) \(reply.text.prefix(300))") }
            (since, more, lines) = Self.read(reply.body, since: since, lines: lines)
        }
        report("first sync (feed)", lines, "resources", Date().timeIntervalSince(started))

        started = Date()
        let exported = try await api.json(.get, "/v1/sync/export", token: token)
        let exportedLines = exported.body.split(separator: UInt8(ascii: "\n")).count - 1
        report("first sync (bulk export)", exportedLines, "resources", Date().timeIntervalSince(started))

        // Pushes of new readings.
        started = Date()
        var pushed = 0
        while pushed < pushes {
            let entries: [[String: Any]] = (0..<min(batch, pushes - pushed)).map { i in
                let resource = Records.heartRate(60 + (pushed + i) % 50, patient: patients[(pushed + i) % max(1, patients.count)])
                return ["resource": resource, "request": ["method": "POST", "url": "Observation"]]
            }
            let bundle: [String: Any] = ["resourceType": "Bundle", "type": "batch", "entry": entries]
            let body = String(decoding: try JSONSerialization.data(withJSONObject: bundle), as: UTF8.self)
            let reply = try await api.json(
                .post, "/v1/sync/push", token: token, body: body, headers: ["X-Push-Id": UUID().uuidString],
                contentType: "application/fhir+json")
            guard reply.status == 200 else { throw SimFailure("push: \(reply.status) \(reply.text.prefix(300))") }
            pushed += entries.count
        }
        report("pushes", pushed, "resources", Date().timeIntervalSince(started))

        // The last 1,000 of them, pulled incrementally.
        var incremental = 0
        more = true
        let position = Int64(since) ?? 0
        since = String(max(0, position + Int64(pushed) - 1_000))
        started = Date()
        while more {
            let reply = try await api.json(.get, "/v1/sync/changes?since=\(since)&limit=\(limit)", token: token)
            (since, more, incremental) = Self.read(reply.body, since: since, lines: incremental)
        }
        report("incremental pull", incremental, "changes", Date().timeIntervalSince(started))
    }

    static func read(_ body: Data, since: String, lines: Int) -> (String, Bool, Int) {
        var next = since, more = false, count = lines
        for line in body.split(separator: UInt8(ascii: "\n")) {
            if line.starts(with: Array(#"{"next""#.utf8)),
                let o = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
            {
                next = o["next"] as? String ?? since
                more = o["more"] as? Bool ?? false
            } else if !line.starts(with: Array(#"{"seq":"#.utf8)) || !line.contains(Array(#""op":"enter""#.utf8)) {
                count += 1
            }
        }
        return (next, more, count)
    }

    func report(_ what: String, _ count: Int, _ unit: String, _ seconds: Double) {
        print(String(format: "%@: %d %@ in %.3f s (%.0f %@/s)", what, count, unit, seconds, Double(count) / max(seconds, 0.000_001), unit))
    }
}

extension Data {
    func contains(_ bytes: [UInt8]) -> Bool { range(of: Data(bytes)) != nil }
}
