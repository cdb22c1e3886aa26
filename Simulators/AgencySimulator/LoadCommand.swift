import ArgumentParser
import CareModel
import CurlHTTP
import Foundation

/// `agency-sim load`: the sync benchmarks' generator. One agency account of a health centre
/// with `--enrol` consenting elders enrolled; it times a first sync (the feed, then the bulk
/// export), pushes in Bundles of `--batch` (new readings, and with `--updates` a share of
/// version-checked edits of pulled records, half of them on a stale base so the server merges
/// them), and an incremental pull of what it pushed, and prints each rate. Run it against a
/// release build (Docs/performance.md; Scripts/bench-sync).
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time a first sync, pushes and an incremental pull.")
    @ParentCommand var parent: AgencySim
    @Option(help: "Consenting elders to enrol with the health centre first.") var enrol = 200
    @Option(help: "Readings to push.") var pushes = 10_000
    @Option(help: "Entries per pushed Bundle.") var batch = 500
    @Option(help: "Feed page size.") var limit = 10_000
    @Option(help: "Share of pushed entries that edit pulled records (PUT with ifMatch) instead of creating.") var updates = 0.0
    @Flag(inversion: .prefixedNo, help: "Time the bulk export (it is held in memory whole).") var export = true

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
        // Each edit is pushed twice on the same base: the second one finds the record changed
        // since and is merged (it touches another element).
        let edits = Int(Double(pushes) * min(max(updates, 0), 1))
        var editable: [[String: Any]] = []
        while more {
            let reply = try await api.json(.get, "/v1/sync/changes?since=\(since)&limit=\(limit)", token: token)
            guard reply.status == 200 else { throw SimFailure("pull: \(reply.status) \(reply.text.prefix(300))") }
            (since, more, lines) = Self.read(reply.body, since: since, lines: lines)
            if editable.count < (edits + 1) / 2 { Self.collect(reply.body, into: &editable, upTo: (edits + 1) / 2) }
        }
        report("first sync (feed)", lines, "resources", Date().timeIntervalSince(started))
        guard edits == 0 || !editable.isEmpty else { throw SimFailure("no Observation pulled to edit") }

        if export {
            started = Date()
            let exported = try await api.json(.get, "/v1/sync/export", token: token)
            let exportedLines = exported.body.split(separator: UInt8(ascii: "\n")).count - 1
            report("first sync (bulk export)", exportedLines, "resources", Date().timeIntervalSince(started))
        }

        // Pushes of new readings.
        started = Date()
        var pushed = 0, edited = 0
        while pushed < pushes {
            let entries: [[String: Any]] = (0..<min(batch, pushes - pushed)).map { i in
                let n = pushed + i
                // Edits spread evenly among the creations.
                if edits > 0, n * edits / pushes != (n + 1) * edits / pushes {
                    defer { edited += 1 }
                    let record = editable[edited % editable.count]
                    var resource = record["resource"] as? [String: Any] ?? [:]
                    if edited < editable.count {
                        resource["valueQuantity"] = [
                            "value": 70 + n % 40, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min",
                        ]
                    } else {
                        resource["note"] = [["text": "复核 \(n)"]]
                    }
                    let reference = "Observation/\(record["id"] as? String ?? "")"
                    return [
                        "resource": resource,
                        "request": ["method": "PUT", "url": reference, "ifMatch": "W/\"\(record["version"] as? Int ?? 1)\""],
                    ]
                }
                let resource = Records.heartRate(60 + n % 50, patient: patients[n % max(1, patients.count)])
                return ["resource": resource, "request": ["method": "POST", "url": "Observation"]]
            }
            let bundle: [String: Any] = ["resourceType": "Bundle", "type": "batch", "entry": entries]
            let body = String(decoding: try JSONSerialization.data(withJSONObject: bundle), as: UTF8.self)
            let reply = try await api.json(
                .post, "/v1/sync/push", token: token, body: body, headers: ["X-Push-Id": UUID().uuidString],
                contentType: "application/fhir+json")
            guard reply.status == 200 else { throw SimFailure("push: \(reply.status) \(reply.text.prefix(300))") }
            let refused = reply.text.components(separatedBy: #""status":"4"#).count - 1
            if refused > 0 { throw SimFailure("push: \(refused) entries refused: \(reply.text.prefix(600))") }
            pushed += entries.count
        }
        report(
            "pushes (\(edited) of them edits, \(max(0, edited - editable.count)) merged)", pushed, "resources",
            Date().timeIntervalSince(started))

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

    /// Heart-rate Observations of a page, to edit later.
    static func collect(_ body: Data, into records: inout [[String: Any]], upTo wanted: Int) {
        for line in body.split(separator: UInt8(ascii: "\n")) where records.count < wanted {
            guard line.contains(Array(#""type":"Observation""#.utf8)), line.contains(Array(#""8867-4""#.utf8)),
                let o = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any], o["resource"] is [String: Any]
            else { continue }
            records.append(o)
        }
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
