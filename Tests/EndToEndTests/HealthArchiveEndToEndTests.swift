import CareModel
import CareStore
import Emergency
import Foundation
import Testing

/// The health archive driven like an agency, a device and an operator: seeded archives served
/// as FHIR, an SOS with vitals landing in the archive, the call screen showing the elder's
/// health, the audit log saying who looked and why, and every resource received validated by an
/// independent FHIR R4 model (Scripts/validate-fhir).
@Suite("Health archive end to end", .serialized)
struct HealthArchiveEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func archivesAreServedAsValidFHIRAndTheCallScreenShowsThem() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "20", "--seed", "7", "--quiet"])
        let admin = try await server.token("admin", "e2e-admin"), wang = try await server.token("operator", "王芳")
        let auditor = try await server.token("auditor", "审计员")
        try await server.start()
        let received = server.dataDirectory + "-fhir"
        try FileManager.default.createDirectory(atPath: received, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: received) }
        var kept = 0
        func keep(_ reply: RunningServer.Reply) {
            kept += 1
            FileManager.default.createFile(atPath: "\(received)/\(kept).json", contents: reply.body)
        }
        func fhir(
            _ method: String, _ path: String, json: String? = nil, headers: [String: String] = [:]
        ) async throws -> RunningServer.Reply {
            let reply = try await server.request(method, "/fhir/R4" + path, token: admin, json: json, headers: headers)
            #expect(reply.headers["content-type"]?.hasPrefix("application/fhir+json") == true, "\(method) \(path)")
            if !reply.body.isEmpty { keep(reply) }
            return reply
        }

        let metadata = try await fhir("GET", "/metadata")
        #expect(metadata.object["fhirVersion"] as? String == "4.0.1")

        // An elder with a device, and their seeded archive.
        let devices = try await server.request("GET", "/v1/devices?limit=5", token: admin).object["items"] as? [[String: Any]] ?? []
        let device = try #require(devices.first)
        let deviceId = try #require(device["id"] as? String)
        let elderId = try #require(device["elderId"] as? Int)
        let everything = try await fhir("GET", "/Patient/\(elderId)/$everything")
        #expect(everything.status == 200, "\(everything.text)")
        let entries = (everything.object["entry"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? [String: Any] }
        #expect(entries.count >= 2, "a seeded archive holds the Patient and records")
        #expect(entries.first?["resourceType"] as? String == "Patient")
        let conditions = entries.filter { $0["resourceType"] as? String == "Condition" }
        let page = try await fhir("GET", "/Observation?patient=\(elderId)&_count=2&_sort=-date")
        #expect(page.status == 200)

        // The device sends an SOS with vitals; they land in the archive with the call.
        let reply = try await server.sendAlarm(
            device: deviceId, seed: 7, ref: "e2e-health", extra: #","vitals":{"heartRate":131,"spo2":91}"#)
        #expect(reply.status == 202, "\(reply.text)")
        let callId = try #require(reply.object["callId"] as? Int)
        let measured = try await fhir("GET", "/Observation?patient=\(elderId)&code=http://loinc.org|8867-4&_sort=-_lastUpdated&_count=1")
        let newest = (measured.object["entry"] as? [[String: Any]])?.first?["resource"] as? [String: Any]
        #expect((newest?["valueQuantity"] as? [String: Any])?["value"] as? Int == 131, "\(measured.text)")

        // The operator's call screen shows the elder's health, and the new heart rate.
        let detail = try await server.request("GET", "/v1/calls/\(callId)", token: wang)
        let health = try #require(detail.object["health"] as? [String: Any], "\(detail.text)")
        #expect((health["conditions"] as? [String])?.count == conditions.count)
        #expect((health["vitals"] as? [String] ?? []).contains { $0.contains("131") }, "\(health)")

        // The auditor sees who opened the record, and why.
        let audit = try await server.request("GET", "/v1/audit?elder=\(elderId)", token: auditor)
        let reasons = (audit.object["items"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
        #expect(reasons.contains("call \(callId)"), "\(audit.text)")
        #expect(reasons.contains("administrator"))

        // An agency-style write: a reading, then a stale update refused with the current version.
        let observation = """
            {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},
             "subject":{"reference":"Patient/\(elderId)"},"effectiveDateTime":"2026-12-01T09:00:00+08:00",
             "valueQuantity":{"value":76,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}
            """
        let created = try await fhir("POST", "/Observation", json: observation)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.object["id"] as? String)
        #expect(created.headers["etag"] == "W/\"1\"")
        let updated = observation.replacingOccurrences(
            of: #""resourceType":"Observation","#, with: #""resourceType":"Observation","id":"\#(id)","#)
        let first = try await fhir("PUT", "/Observation/\(id)", json: updated, headers: ["If-Match": "W/\"1\""])
        #expect(first.status == 200, "\(first.text)")
        let stale = try await fhir("PUT", "/Observation/\(id)", json: updated, headers: ["If-Match": "W/\"1\""])
        #expect(stale.status == 412)
        #expect(stale.headers["etag"] == "W/\"2\"")
        let history = try await fhir("GET", "/Observation/\(id)/_history")
        #expect((history.object["entry"] as? [Any])?.count == 2)
        let impossible = try await fhir("POST", "/Observation", json: observation.replacingOccurrences(of: "76", with: "900"))
        #expect(impossible.status == 422, "\(impossible.text)")
        #expect(impossible.text.contains("Observation.valueQuantity.value"))
        let unknownType = try await fhir("GET", "/Medication/1")
        #expect(unknownType.status == 404)

        // Every resource received is valid FHIR R4 to an independent model.
        let validation = try await server.run(Self.root.appendingPathComponent("Scripts/validate-fhir").path, [received])
        #expect(validation.status == 0, "\(validation.output)")
    }
}
