import Foundation
import Testing

/// Drives the real server over HTTP as an admin, an operator, an agency and an auditor would.
@Suite("The registry, end to end", .serialized)
struct RegistryEndToEndTests {
    @Test func aRegistryDayFromSetUpToShutdown() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["migrate"])
        let admin = try await server.token("admin", "e2e-admin")
        let op = try await server.token("operator", "e2e-operator")
        let agency = try await server.token("agency", "e2e-hospital")
        #expect(admin.hasPrefix("ec_") && !admin.contains("\n"), "token create prints the token alone")
        try await server.start(environment: ["ELDERCARE_LOG_FORMAT": "json"])

        // The admin builds a corner of Yulin.
        for (code, name, parent) in [
            ("450900000000", "玉林市", "null"), ("450902000000", "玉州区", "\"450900000000\""),
            ("450902001000", "玉城街道", "\"450902\""), ("450902001001", "大南社区", "\"450902001000\""),
        ] {
            let r = try await server.request(
                "POST", "/v1/regions", token: admin,
                json: #"{"code":"\#(code)","name":"\#(name)","parentCode":\#(parent)}"#)
            #expect(r.status == 201, "\(r.text)")
        }
        let nationalId = "450902194603150045", phone = "13812345678", contactPhone = "13987654321"
        let created = try await server.request(
            "POST", "/v1/elders", token: admin,
            json: """
                {"name":"黄桂英","nationalId":"\(nationalId)","phone":"\(phone)","address":"玉林市玉州区玉城街道大南社区人民中路88号",
                 "location":{"latitude":22.64,"longitude":110.15},"regionCode":"450902001001","livingSituation":"alone",
                 "careLevel":"semi_disabled","categories":["high_age","dibao"],
                 "contacts":[{"name":"李志明","relation":"son","phone":"\(contactPhone)","hasKey":true}]}
                """)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.headers["x-request-id"] != nil)
        let elderId = created.object["id"] as? Int ?? 0
        let device = try await server.request(
            "POST", "/v1/devices", token: admin,
            json: #"{"type":"sos_pendant","elderId":\#(elderId),"id":"SOS-E2E-1"}"#)
        #expect(device.status == 201)
        let secret = device.object["secret"] as? String ?? ""
        #expect(secret.count == 43)

        // The operator sees the elder with a masked number; the hospital sees it whole.
        let seenByOperator = try await server.request("GET", "/v1/elders/\(elderId)", token: op)
        #expect(seenByOperator.object["nationalId"] as? String == "450902********0045")
        #expect(seenByOperator.headers["etag"] == "\"1\"")
        let seenByAgency = try await server.request("GET", "/v1/elders/\(elderId)", token: agency)
        #expect(seenByAgency.object["nationalId"] as? String == nationalId)
        let contacts = try await server.request("GET", "/v1/elders/\(elderId)/contacts", token: op)
        #expect((contacts.json as? [[String: Any]])?.first?["phone"] as? String == contactPhone)
        let search = try await server.request("GET", "/v1/elders?region=450902&q=%E6%A1%82%E8%8B%B1", token: op)
        #expect((search.object["items"] as? [Any])?.count == 1)
        // The operator may not change the registry.
        #expect(try await server.request("PATCH", "/v1/elders/\(elderId)", token: op, json: #"{"careLevel":"disabled"}"#).status == 403)
        #expect(try await server.request("GET", "/v1/elders/\(elderId)").status == 401)

        // History keeps the elder: delete is refused, deactivation works.
        let delete = try await server.request("DELETE", "/v1/elders/\(elderId)", token: admin)
        #expect(delete.status == 409 && delete.headers["content-type"] == "application/problem+json")
        let deactivated = try await server.request(
            "PATCH", "/v1/elders/\(elderId)", token: admin,
            json: #"{"status":"inactive"}"#, headers: ["If-Match": "\"1\""])
        #expect(deactivated.status == 200 && deactivated.object["status"] as? String == "inactive")

        // A backup taken while the server runs holds the elder.
        let backupPath = server.dataDirectory + "/backup-copy.sqlite"
        let backup = try await server.command(["backup", backupPath])
        #expect(backup.contains("integrity check ok"))

        let metrics = try await server.request("GET", "/metrics")
        #expect(metrics.status == 200 && metrics.text.contains("http_server_request_duration"))

        #expect(server.stop() == 0, "SIGTERM stops the server gracefully")
        let log = server.log
        #expect(log.contains("\"msg\":\"request\""), "structured JSON request lines")
        for secretText in [nationalId, phone, contactPhone, secret, admin, op, String(admin.split(separator: "_").last!)] {
            #expect(!log.contains(secretText), "the log must not contain \(secretText.prefix(4))…")
        }

        // The backup opens as a database of its own.
        let restored = RunningServer()
        defer { restored.remove() }
        try FileManager.default.createDirectory(atPath: restored.dataDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: backupPath, toPath: restored.dataDirectory + "/eldercare.sqlite")
        let auditor = try await restored.token("auditor", "e2e-auditor")
        try await restored.start()
        let fromBackup = try await restored.request("GET", "/v1/elders/\(elderId)", token: auditor)
        #expect(fromBackup.object["name"] as? String == "黄桂英")
        let audit = try await restored.request("GET", "/v1/audit?entity=elder", token: auditor)
        let actions = (audit.object["items"] as? [[String: Any]])?.compactMap { $0["action"] as? String }
        #expect(actions == ["deactivate", "create"])
        #expect(restored.stop() == 0)
    }

    @Test func aWrongConfigurationValueStopsStartUpWithASentence() async throws {
        let server = RunningServer()
        defer { server.remove() }
        do {
            try await server.command(["migrate", "--port", "80x"])
            Issue.record("expected a failure")
        } catch {
            #expect("\(error)".contains("server.port"))
            #expect("\(error)".contains("80x"))
        }
    }

    @Test func seedMakesAReproducibleCity() async throws {
        let a = RunningServer(), b = RunningServer(), c = RunningServer()
        defer { a.remove(); b.remove(); c.remove() }
        let report = try await a.command(["seed", "--elders", "300", "--seed", "7", "--quiet"])
        #expect(report.contains("seeded 300 elders"))
        try await b.command(["seed", "--elders", "300", "--seed", "7", "--quiet"])
        try await c.command(["seed", "--elders", "300", "--seed", "8", "--quiet"])
        // The identity numbers stored in each file, read straight from its pages.
        let ids = { (s: RunningServer) async throws -> Set<String> in
            try await s.command(["backup", s.dataDirectory + "/copy.sqlite"])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: s.dataDirectory + "/copy.sqlite"))
            let text = String(decoding: bytes.map { $0 < 128 ? $0 : 32 }, as: UTF8.self)
            let pattern = try NSRegularExpression(pattern: "4509[0-9]{13}[0-9X]")
            return Set(
                pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
                    String(text[Range($0.range, in: text)!])
                })
        }
        let first = try await ids(a)
        #expect(first.count >= 300)
        let same = try await ids(b), other = try await ids(c)
        #expect(same == first, "the same seed gives the same city")
        #expect(other != first, "another seed gives another city")
    }
}
