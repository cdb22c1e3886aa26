import CareModel
import Foundation
import Testing

/// The sync engine driven over HTTP by an agency of the seeded city: a first sync, a checksum
/// that matches the copy, an idempotent push, a merge, a conflict settled, a long-poll woken by
/// a change, and refusals answered as OperationOutcomes.
@Suite("Sync end to end", .serialized)
struct SyncEndToEndTests {
    /// The agency's copy: `Type/id` to version, and each resource's elder.
    struct Copy {
        var versions: [String: Int] = [:]
        var elders: [String: Int] = [:]
        var json: [String: [String: Any]] = [:]
        var cursor = "0"

        mutating func apply(_ text: String) -> (lines: Int, more: Bool) {
            var lines = 0, more = false
            for line in text.split(separator: "\n") {
                let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
                if let next = o["next"] as? String {
                    cursor = next
                    more = o["more"] as? Bool ?? false
                    continue
                }
                lines += 1
                let key = "\(o["type"] as? String ?? "")/\(o["id"] as? String ?? "")"
                switch o["op"] as? String {
                case "create", "update", "snapshot":
                    versions[key] = o["version"] as? Int
                    elders[key] = o["elder"] as? Int
                    json[key] = o["resource"] as? [String: Any]
                case "delete":
                    versions[key] = nil; json[key] = nil
                case "leave":
                    let elder = o["elder"] as? Int
                    for (k, e) in elders where e == elder { versions[k] = nil; json[k] = nil }
                default: break
                }
            }
            return (lines, more)
        }

        var digest: SyncDigest {
            var d = SyncDigest()
            for (key, version) in versions {
                let parts = key.split(separator: "/")
                d.add(type: String(parts[0]), id: String(parts[1]), version: version)
            }
            return d
        }
    }

    @Test func anAgencySyncsPushesMergesResolvesAndConverges() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "30", "--seed", "7", "--quiet"])
        let admin = try await server.token("admin", "e2e-admin")
        try await server.start()

        // An agency account of one of the city's community health centres.
        let centres = try await server.request("GET", "/v1/institutions?kind=community_health_centre&limit=50", token: admin)
        let centre = try #require((centres.object["items"] as? [[String: Any]])?.first, "\(centres.text)")
        let centreId = try #require(centre["id"] as? Int)
        let account = try await server.request(
            "POST", "/v1/accounts", token: admin, json: #"{"name":"社区医生","role":"agency","institutionId":\#(centreId)}"#)
        let accountId = try #require(account.object["id"] as? Int, "\(account.text)")
        let issued = try await server.request("POST", "/v1/accounts/\(accountId)/tokens", token: admin)
        let agency = try #require(issued.object["token"] as? String, "\(issued.text)")

        // The centre serves the community it stands in; three consenting elders are enrolled too.
        let elders = try await server.request("GET", "/v1/elders?limit=100", token: admin)
        let sharing = (elders.object["items"] as? [[String: Any]] ?? []).filter {
            ($0["consent"] as? [String: Any])?["shareHealthArchive"] as? Bool == true
        }.compactMap { $0["id"] as? Int }
        #expect(sharing.count >= 3, "\(elders.text.prefix(500))")
        for elder in sharing.prefix(3) {
            let enrolled = try await server.request("PUT", "/v1/institutions/\(centreId)/enrolments/\(elder)", token: admin)
            #expect(enrolled.status == 204, "\(enrolled.text)")
        }

        // First sync, in small pages.
        var copy = Copy()
        var pages = 0
        while true {
            let reply = try await server.request("GET", "/v1/sync/changes?since=\(copy.cursor)&limit=7", token: agency)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.headers["content-type"] == "application/x-ndjson")
            pages += 1
            if !copy.apply(reply.text).more { break }
            #expect(pages < 500)
        }
        #expect(!copy.versions.isEmpty, "the centre's area holds seeded archives")
        let sum = try await server.request("GET", "/v1/sync/checksum?at=\(copy.cursor)", token: agency)
        #expect(sum.object["digest"] as? String == copy.digest.hex, "\(sum.text)")
        #expect(sum.object["count"] as? Int == copy.digest.count)

        // The same scope as one streamed bulk export, from which the feed continues.
        let exported = try await server.request("GET", "/v1/sync/export", token: agency)
        #expect(exported.status == 200, "\(exported.text)")
        var bulk = Copy()
        _ = bulk.apply(exported.text)
        let bulkSum = try await server.request("GET", "/v1/sync/checksum?at=\(bulk.cursor)", token: agency)
        #expect(bulkSum.object["digest"] as? String == bulk.digest.hex, "\(bulkSum.text)")
        #expect(bulk.digest.count == copy.digest.count)
        let conditionsOnly = try await server.request("GET", "/v1/sync/export?_type=Condition", token: agency)
        let types = Set(
            conditionsOnly.text.split(separator: "\n").dropLast().map { line in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["type"] as? String ?? "?"
            })
        #expect(types == ["Condition"], "\(types)")

        // Pick a Condition of the copy; the platform adds a note while the agency sets a severity.
        let conditionKey = try #require(copy.versions.keys.sorted().first { $0.hasPrefix("Condition/") })
        let base = copy.versions[conditionKey]!
        var agencyEdit = copy.json[conditionKey]!
        agencyEdit["severity"] = ["text": "中度"]
        var platformEdit = copy.json[conditionKey]!
        platformEdit["note"] = [["text": "平台随访"]]
        let put = try await server.request(
            "PUT", "/fhir/R4/\(conditionKey)", token: admin,
            json: String(decoding: try JSONSerialization.data(withJSONObject: platformEdit), as: UTF8.self),
            headers: ["If-Match": "W/\"\(base)\""])
        #expect(put.status == 200, "\(put.text)")
        func pushBody(_ resource: [String: Any], base: Int) throws -> String {
            let bundle: [String: Any] = [
                "resourceType": "Bundle", "type": "batch",
                "entry": [["resource": resource, "request": ["method": "PUT", "url": conditionKey, "ifMatch": "W/\"\(base)\""]]],
            ]
            return String(decoding: try JSONSerialization.data(withJSONObject: bundle), as: UTF8.self)
        }
        let body = try pushBody(agencyEdit, base: base)
        let merged = try await server.request("POST", "/v1/sync/push", token: agency, json: body, headers: ["X-Push-Id": "e2e-1"])
        #expect(merged.status == 200, "\(merged.text)")
        #expect(merged.text.contains("200 OK"), "\(merged.text)")
        let retried = try await server.request("POST", "/v1/sync/push", token: agency, json: body, headers: ["X-Push-Id": "e2e-1"])
        #expect(retried.headers["x-push-replayed"] == "true")
        #expect(retried.body == merged.body)
        let read = try await server.request("GET", "/fhir/R4/\(conditionKey)", token: admin)
        #expect(read.text.contains("平台随访") && read.text.contains("中度"), "both edits survive: \(read.text)")
        #expect(read.headers["etag"] == "W/\"\(base + 2)\"", "one platform edit and one merge, the retry changed nothing")

        // The same field on both sides: a conflict, answered, listed and settled.
        var theirs = copy.json[conditionKey]!
        theirs["note"] = [["text": "机构随访"]]
        let conflicting = try await server.request(
            "POST", "/v1/sync/push", token: agency, json: try pushBody(theirs, base: base), headers: ["X-Push-Id": "e2e-2"])
        #expect(conflicting.text.contains("409 Conflict"), "\(conflicting.text)")
        let open = try await server.request("GET", "/v1/sync/conflicts?status=open", token: agency)
        let conflict = try #require((open.object["items"] as? [[String: Any]])?.first, "\(open.text)")
        let conflictId = try #require(conflict["id"] as? Int)
        #expect(conflict["fields"] as? [String] == ["note"])
        let notSync = try await server.request("GET", "/v1/sync/status", token: agency)
        #expect(notSync.object["inSync"] as? Bool == false)
        #expect(notSync.object["openConflicts"] as? Int == 1)
        let resolved = try await server.request(
            "POST", "/v1/sync/conflicts/\(conflictId)/resolve", token: agency, json: #"{"choice":"agency"}"#)
        #expect(resolved.status == 200, "\(resolved.text)")
        #expect(resolved.object["status"] as? String == "resolved")

        // A long-poll with nothing new is woken by a change in the scope.
        let drained = try await server.request("GET", "/v1/sync/changes?since=\(copy.cursor)&limit=1000", token: agency)
        _ = copy.apply(drained.text)
        let elder = try #require(copy.elders[conditionKey])
        let quiet = copy.cursor
        async let waited = server.request("GET", "/v1/sync/changes?since=\(quiet)&wait=30", token: agency)
        try await Task.sleep(for: .milliseconds(300))
        let observation = """
            {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},
             "subject":{"reference":"Patient/\(elder)"},"effectiveDateTime":"2026-12-01T09:00:00+08:00",
             "valueQuantity":{"value":76,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}
            """
        let created = try await server.request("POST", "/fhir/R4/Observation", token: admin, json: observation)
        #expect(created.status == 201)
        let woken = try await waited
        #expect(woken.text.contains(#""op":"create""#), "\(woken.text)")
        _ = copy.apply(woken.text)
        let final = try await server.request("GET", "/v1/sync/checksum?at=\(copy.cursor)", token: agency)
        #expect(final.object["digest"] as? String == copy.digest.hex, "converged: \(final.text)")

        // The same page as a FHIR history Bundle.
        let history = try await server.request(
            "GET", "/v1/sync/changes?since=\(copy.cursor)&limit=5", token: agency, headers: ["Accept": "application/fhir+json"])
        #expect(history.object["type"] as? String == "history", "\(history.text)")

        // What a FHIR client receives is valid R4 to an independent model: history Bundles, the
        // push answers and an OperationOutcome.
        let received = server.dataDirectory + "-fhir"
        try FileManager.default.createDirectory(atPath: received, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: received) }
        let full = try await server.request(
            "GET", "/v1/sync/changes?since=0&limit=50", token: agency, headers: ["Accept": "application/fhir+json"])
        for (n, reply) in [history, full, merged, conflicting].enumerated() {
            FileManager.default.createFile(atPath: "\(received)/\(n).json", contents: reply.body)
        }
        let outcome = try await server.request("POST", "/v1/sync/push", token: agency, json: #"{"resourceType":"Bundle","type":"batch"}"#)
        #expect(outcome.status == 400)
        FileManager.default.createFile(atPath: "\(received)/outcome.json", contents: outcome.body)
        let validation = try await server.run(
            HealthArchiveEndToEndTests.root.appendingPathComponent("Scripts/validate-fhir").path, [received])
        #expect(validation.status == 0, "\(validation.output)")

        // Refusals: not a Bundle, another role, a cursor not from this server.
        let notBundle = try await server.request("POST", "/v1/sync/push", token: agency, json: observation)
        #expect(notBundle.status == 400)
        #expect(notBundle.object["resourceType"] as? String == "OperationOutcome", "\(notBundle.text)")
        let asAdmin = try await server.request("GET", "/v1/sync/changes?since=0", token: admin)
        #expect(asAdmin.status == 422, "an administrator names the agency: \(asAdmin.text)")
        let adminStatus = try await server.request("GET", "/v1/sync/status?agency=\(centreId)", token: admin)
        #expect(adminStatus.object["openConflicts"] as? Int == 0, "\(adminStatus.text)")
        let ahead = try await server.request("GET", "/v1/sync/changes?since=999999999", token: agency)
        #expect(ahead.status == 400, "\(ahead.text)")
    }

    /// Three agencies (agency-sim, each with its own SQLite copy) edit for a while with a 5%
    /// conflict rate; the simulator is SIGKILLed mid-run, the platform too, both restart, and
    /// every agency converges with every conflict accounted for.
    @Test func threeSimulatedAgenciesConvergeAfterBothSidesAreKilled() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "200", "--seed", "7", "--quiet"])
        let admin = try await server.token("admin", "e2e-admin")
        try await server.start()
        let simulator = URL(fileURLWithPath: RunningServer.binary).deletingLastPathComponent().appendingPathComponent("agency-sim").path
        let data = server.dataDirectory + "-agencies"
        defer { try? FileManager.default.removeItem(atPath: data) }
        func simulate(seconds: Int, output: String) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: simulator)
            p.arguments = [
                "--server", server.baseURL, "--token", admin, "run", "--agencies", "3", "--duration", String(seconds),
                "--conflict-rate", "0.05", "--data", data,
            ]
            FileManager.default.createFile(atPath: output, contents: nil)
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            p.standardOutput = out
            p.standardError = out
            try p.run()
            return p
        }
        let firstLog = data + "-1.log", secondLog = data + "-2.log"
        defer { for f in [firstLog, secondLog] { try? FileManager.default.removeItem(atPath: f) } }
        let first = try simulate(seconds: 30, output: firstLog)
        // Killed mid-run: by then its agencies hold their copies and are pushing (the first run lasts 30 s).
        try await Task.sleep(for: .seconds(5))
        #expect(first.isRunning, "the first run was still going: \((try? String(contentsOfFile: firstLog, encoding: .utf8)) ?? "")")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        server.kill()
        try await server.start()
        let second = try simulate(seconds: 4, output: secondLog)
        second.waitUntilExit()
        let report = (try? String(contentsOfFile: secondLog, encoding: .utf8)) ?? ""
        #expect(second.terminationStatus == 0, "\(report)")
        #expect(report.contains("verdict: all 3 agencies converged, and every conflict is accounted for"), "\(report)")
        #expect(report.contains("unknown to the agencies that met them: 0"))
    }
}
