import CareModel
import CurlHTTP
import Foundation

/// One agency: its account, its store, its workload.
actor SimulatedAgency {
    let index: Int
    let store: LocalStore
    let api: API
    let token: String
    let admin: String
    var report = AgencyReport()

    init(index: Int, store: LocalStore, api: API, token: String, admin: String) {
        self.index = index; self.store = store; self.api = api; self.token = token; self.admin = admin
        report.index = index
    }

    /// Opens the agency's store, making its account on the first run.
    static func open(_ index: Int, institution: Int, path: String, api: API, admin: String) async throws -> SimulatedAgency {
        let store = try LocalStore(path: path)
        if let token = try store.meta("token") {
            return SimulatedAgency(index: index, store: store, api: api, token: token, admin: admin)
        }
        let name = "agency-sim \(index) \(UUID().uuidString.prefix(8))"
        let account = try await api.json(
            .post, "/v1/accounts", token: admin, body: #"{"name":"\#(name)","role":"agency","institutionId":\#(institution)}"#)
        guard let id = account.object["id"] as? Int else { throw SimFailure("account: \(account.status) \(account.text)") }
        let issued = try await api.json(.post, "/v1/accounts/\(id)/tokens", token: admin)
        guard let token = issued.object["token"] as? String else { throw SimFailure("token: \(issued.status) \(issued.text)") }
        try store.setMeta("token", token)
        try store.setMeta("institution", String(institution))
        return SimulatedAgency(index: index, store: store, api: api, token: token, admin: admin)
    }

    func run(_ workload: Workload, seed: UInt64) async throws -> AgencyReport {
        var random = SplitMix(state: seed)
        // A restarted agency first sends what it had stored but never saw answered.
        while true {
            do {
                try await flushPending()
                try await pullAll()
                break
            } catch {
                report.outages += 1
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        let end = Date().addingTimeInterval(workload.duration)
        while Date() < end {
            do {
                try await step(workload, &random)
                try await settle(&random)
                if Int.random(in: 0..<3, using: &random) == 0 { try await pullAll() }
            } catch {
                // The platform is down or restarting (no answer, or 503 until it is ready): pending
                // pushes stay durable and are sent again first.
                report.detail = "last error: \(error)"
                report.outages += 1
                try await Task.sleep(for: .milliseconds(500))
                try? await flushPending()
            }
        }
        return try await finish(&random)
    }

    // MARK: - Pulling

    /// Pulls until the feed has nothing more, applying each page and its cursor in one local transaction.
    func pullAll() async throws {
        while true {
            let cursor = try store.meta("cursor") ?? "0"
            let reply = try await api.json(.get, "/v1/sync/changes?since=\(cursor)&limit=1000", token: token)
            if reply.status == 410 {
                // Offline longer than the platform keeps its feed: start again from scratch.
                try store.transaction {
                    try store.run("DELETE FROM resource")
                    try store.setMeta("cursor", "0")
                }
                report.resyncs += 1
                continue
            }
            guard reply.status == 200 else { throw SimFailure("pull: \(reply.status) \(reply.text)") }
            report.pulls += 1
            var more = false
            try store.transaction {
                for line in reply.body.split(separator: UInt8(ascii: "\n")) {
                    guard let o = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else { continue }
                    if let next = o["next"] as? String {
                        try store.setMeta("cursor", next)
                        more = o["more"] as? Bool ?? false
                        continue
                    }
                    report.linesApplied += 1
                    let key = "\(o["type"] as? String ?? "")/\(o["id"] as? String ?? "")"
                    switch o["op"] as? String {
                    case "create", "update", "snapshot":
                        let json =
                            (o["resource"]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map {
                                String(decoding: $0, as: UTF8.self)
                            } ?? "{}"
                        try store.run(
                            "INSERT INTO resource (key, elder, version, json) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET elder = excluded.elder, version = excluded.version, json = excluded.json",
                            [key, o["elder"] as? Int ?? 0, o["version"] as? Int ?? 0, json])
                    case "delete":
                        try store.run("DELETE FROM resource WHERE key = ?", [key])
                    case "leave":
                        try store.run("DELETE FROM resource WHERE elder = ?", [o["elder"] as? Int ?? 0])
                    default: break
                    }
                }
            }
            if !more { return }
        }
    }

    // MARK: - Pushing

    /// Stores the push before sending it, so that a kill between the two resends the same push
    /// (same id: the platform answers it once).
    func push(_ entries: [[String: Any]]) async throws -> [[String: Any]] {
        let pushId = "sim-\(index)-\(UUID().uuidString)"
        let bundle: [String: Any] = ["resourceType": "Bundle", "id": pushId, "type": "batch", "entry": entries]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: bundle), as: UTF8.self)
        try store.run("INSERT INTO pending (push_id, body, made_at) VALUES (?, ?, ?)", [pushId, body, Date().timeIntervalSince1970])
        return try await send(pushId, body)
    }

    func send(_ pushId: String, _ body: String) async throws -> [[String: Any]] {
        let reply = try await api.json(
            .post, "/v1/sync/push", token: token, body: body, headers: ["X-Push-Id": pushId], contentType: "application/fhir+json")
        if reply.status >= 500 { throw SimFailure("push: \(reply.status) \(reply.text)") }
        report.pushes += 1
        guard reply.status == 200 else {
            report.refused += 1
            report.detail = "last refusal: \(reply.text.prefix(200))"
            return []
        }
        let results = (reply.object["entry"] as? [[String: Any]] ?? []).compactMap { $0["response"] as? [String: Any] }
        // The answer is in: the push is done, and the conflicts it met are known, in one local commit.
        let met: [Int] = results.compactMap { result in
            let diagnostics =
                (((result["outcome"] as? [String: Any])?["issue"] as? [[String: Any]])?.first?["diagnostics"] as? String) ?? ""
            guard (result["status"] as? String)?.hasPrefix("409") == true else { return nil }
            return diagnostics.split(separator: ":").first?.split(separator: " ").last.flatMap { Int($0) }
        }
        try store.transaction {
            try store.run("DELETE FROM pending WHERE push_id = ?", [pushId])
            for id in met { try store.run("INSERT OR IGNORE INTO conflict (id) VALUES (?)", [id]) }
        }
        for result in results {
            let status = result["status"] as? String ?? ""
            let diagnostics =
                (((result["outcome"] as? [String: Any])?["issue"] as? [[String: Any]])?.first?["diagnostics"] as? String) ?? ""
            if status.hasPrefix("409") {
                report.conflicts += 1
            } else if diagnostics.hasPrefix("merged") {
                report.merged += 1
            } else if !status.hasPrefix("20") {
                report.refused += 1
                report.detail = "last refused entry: \(result)"
            }
        }
        return results
    }

    func flushPending() async throws {
        for row in try store.run("SELECT push_id, body FROM pending ORDER BY made_at") {
            report.retriedPushes += 1
            _ = try await send(row[0]!, row[1]!)
        }
    }

    // MARK: - The workload

    func step(_ workload: Workload, _ random: inout SplitMix) async throws {
        let patients = try store.run("SELECT key FROM resource WHERE key LIKE 'Patient/%'").compactMap { $0[0] }
        guard let patient = patients.randomElement(using: &random) else {
            try await Task.sleep(for: .milliseconds(200))
            return
        }
        let roll = Double.random(in: 0..<1, using: &random)
        if roll < workload.conflictRate {
            try await concurrentEdit(sameField: true)
        } else if roll < 2 * workload.conflictRate {
            try await concurrentEdit(sameField: false)
        } else if roll < 0.40 {
            let results = try await push([create(Records.heartRate(Int.random(in: 55...110, using: &random), patient: patient))])
            if results.first?["status"] as? String == "201 Created" { report.created += 1 }
        } else if roll < 0.50 {
            let (code, display) = Records.conditions.randomElement(using: &random)!
            let results = try await push([create(Records.condition(code, display, patient: patient))])
            if results.first?["status"] as? String == "201 Created" { report.created += 1 }
        } else if roll < 0.55 {
            guard
                let row = try store.run("SELECT key, version FROM resource WHERE key LIKE 'Observation/%' ORDER BY random() LIMIT 1").first
            else { return }
            let results = try await push([
                ["request": ["method": "DELETE", "url": row[0]!, "ifMatch": "W/\"\(row[1]!)\""]]
            ])
            if (results.first?["status"] as? String)?.hasPrefix("200") == true { report.deleted += 1 }
        } else {
            try await edit(note: Bool.random(using: &random), text: "随访记录 \(Int.random(in: 1...9999, using: &random))", &random)
        }
    }

    func create(_ resource: [String: Any]) -> [String: Any] {
        ["resource": resource, "request": ["method": "POST", "url": resource["resourceType"] as? String ?? ""]]
    }

    /// Edits one field of a record of the copy, based on the version the copy holds.
    func edit(note: Bool, text: String, _ random: inout SplitMix) async throws {
        guard
            let row = try store.run(
                "SELECT key, version, json FROM resource WHERE key LIKE 'Condition/%' OR key LIKE 'Observation/%' ORDER BY random() LIMIT 1"
            ).first,
            var resource = (try? JSONSerialization.jsonObject(with: Data(row[2]!.utf8))) as? [String: Any]
        else { return }
        // The note, or an element of the record's own (a condition's severity, a reading's interpretation).
        let isCondition = row[0]!.hasPrefix("Condition/")
        if note {
            resource["note"] = [["text": text]]
        } else {
            resource[isCondition ? "severity" : "interpretation"] = isCondition ? ["text": text] as [String: Any] : [["text": text]]
        }
        let results = try await push([["resource": resource, "request": ["method": "PUT", "url": row[0]!, "ifMatch": "W/\"\(row[1]!)\""]]])
        try await count(results.first)
    }

    /// The platform edits the note of a record while the agency edits, from the version it
    /// holds, the same note (a true conflict, settled later one way or the other) or the
    /// condition's severity (merged).
    func concurrentEdit(sameField: Bool) async throws {
        guard
            let row = try store.run("SELECT key, version, json FROM resource WHERE key LIKE 'Condition/%' ORDER BY random() LIMIT 1").first,
            var resource = (try? JSONSerialization.jsonObject(with: Data(row[2]!.utf8))) as? [String: Any]
        else { return }
        var platform = resource
        platform["note"] = [["text": "平台修改 \(UUID().uuidString.prefix(6))"]]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: platform), as: UTF8.self)
        let put = try await api.json(
            .put, "/fhir/R4/\(row[0]!)", token: admin, body: body, headers: ["If-Match": "W/\"\(row[1]!)\""],
            contentType: "application/fhir+json")
        guard put.status == 200 else { return }  // the record moved meanwhile: no conflict to stage
        if sameField {
            resource["note"] = [["text": "机构修改 \(UUID().uuidString.prefix(6))"]]
        } else {
            resource["severity"] = ["text": "机构评估 \(UUID().uuidString.prefix(6))"]
        }
        let results = try await push([["resource": resource, "request": ["method": "PUT", "url": row[0]!, "ifMatch": "W/\"\(row[1]!)\""]]])
        try await count(results.first)
    }

    /// Settles the conflicts met, each with the agency's or the platform's version at random.
    func settle(_ random: inout SplitMix) async throws {
        for row in try store.run("SELECT id FROM conflict WHERE resolution IS NULL ORDER BY id") {
            let choice = Bool.random(using: &random) ? "agency" : "platform"
            let resolved = try await api.json(
                .post, "/v1/sync/conflicts/\(row[0]!)/resolve", token: token, body: #"{"choice":"\#(choice)"}"#)
            if resolved.status == 200 {
                report.resolved += 1
                try store.run("UPDATE conflict SET resolution = ? WHERE id = ?", [choice, Int(row[0]!)!])
            } else if resolved.status == 409 {
                try store.run("UPDATE conflict SET resolution = 'already' WHERE id = ?", [Int(row[0]!)!])
            }
        }
    }

    func count(_ result: [String: Any]?) async throws {
        if (result?["status"] as? String)?.hasPrefix("200") == true { report.updated += 1 }
    }

    // MARK: - The end

    func finish(_ random: inout SplitMix) async throws -> AgencyReport {
        try await flushPending()
        try await settle(&random)
        try await pullAll()
        let open = try await api.json(.get, "/v1/sync/conflicts?status=open&limit=500", token: token)
        report.openAtEnd = (open.object["items"] as? [Any])?.count ?? 0
        report.conflictIds = Set(try store.run("SELECT id FROM conflict").compactMap { $0[0].flatMap { Int($0) } })
        report.institution = Int(try store.meta("institution") ?? "") ?? 0
        let cursor = try store.meta("cursor") ?? "0"
        let sum = try await api.json(.get, "/v1/sync/checksum?at=\(cursor)", token: token)
        var digest = SyncDigest()
        for row in try store.run("SELECT key, version FROM resource") {
            let parts = row[0]!.split(separator: "/")
            digest.add(type: String(parts[0]), id: String(parts[1]), version: Int(row[1]!) ?? 0)
        }
        report.resources = digest.count
        let theirs = sum.object["digest"] as? String ?? "?"
        report.converged = theirs == digest.hex && (sum.object["count"] as? Int) == digest.count
        report.detail =
            "at \(cursor): platform \(sum.object["count"] as? Int ?? -1) resources / \(theirs), copy \(digest.count) / \(digest.hex)"
        return report
    }
}

/// Records as an agency's system would write them.
enum Records {
    static let conditions = [("I10", "高血压"), ("E11", "2型糖尿病"), ("I25", "冠心病"), ("J44", "慢性阻塞性肺疾病")]

    static func heartRate(_ value: Int, patient: String) -> [String: Any] {
        [
            "resourceType": "Observation", "status": "final",
            "category": [
                ["coding": [["system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"]]]
            ],
            "code": ["coding": [["system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"]]],
            "subject": ["reference": patient], "effectiveDateTime": FHIRDate.dateTime(Date()),
            "valueQuantity": ["value": value, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"],
        ]
    }

    static func condition(_ code: String, _ display: String, patient: String) -> [String: Any] {
        [
            "resourceType": "Condition",
            "clinicalStatus": ["coding": [["system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"]]],
            "code": ["coding": [["system": "http://hl7.org/fhir/sid/icd-10", "code": code, "display": display]]],
            "subject": ["reference": patient], "recordedDate": "2026-12-01",
        ]
    }
}
