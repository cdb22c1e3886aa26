import Foundation
import Testing

/// The real server keeps the API document's promises about refusals: a constraint broken in any
/// service area is 409 or 422 naming the field, never 500, and the log line says which constraint
/// in SQLite's words; `null` is refused wherever the document does not call a field nullable.
@Suite("The API contract end to end", .serialized)
struct ContractEndToEndTests {
    /// Asserts a problem with `status` whose `errors` name `field`.
    func expectRefusal(
        _ reply: RunningServer.Reply, _ status: Int, field: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.headers["content-type"] == "application/problem+json", sourceLocation: sourceLocation)
        let fields = (reply.object["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
        #expect(fields.contains(field), "\(reply.text)", sourceLocation: sourceLocation)
    }

    @Test func constraintsInEveryAreaAreRefusedNamingTheField() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "30", "--seed", "3", "--quiet"])
        let admin = try await server.token("admin", "e2e-admin")
        let bureau = try await server.token("bureau", "e2e-bureau")
        try await server.start()

        // Accounts: a role change that collides with another account's name and role. The
        // store does not check this first, so SQLite's UNIQUE constraint answers, mapped here.
        let first = try await server.request("POST", "/v1/accounts", token: admin, json: #"{"name":"张三","role":"operator"}"#)
        let second = try await server.request("POST", "/v1/accounts", token: admin, json: #"{"name":"张三","role":"supervisor"}"#)
        #expect(first.status == 201 && second.status == 201)
        let id = try #require(first.object["id"] as? Int)
        let collision = try await server.request("PATCH", "/v1/accounts/\(id)", token: admin, json: #"{"role":"supervisor"}"#)
        expectRefusal(collision, 409, field: "name")
        let requestId = try #require(collision.headers["x-request-id"])

        // Registry: a region code already there.
        let region = try await server.request(
            "POST", "/v1/regions", token: admin,
            json: #"{"code":"450902000000","name":"玉州区","level":"district","parentCode":"450900000000"}"#)
        expectRefusal(region, 422, field: "code")

        // Bookings: a worker's certificate registered twice.
        let workers = try await server.request("GET", "/v1/workers?limit=5", token: admin).object["items"] as? [[String: Any]] ?? []
        let worker = try #require(workers.first { ($0["certificates"] as? [[String: Any]])?.isEmpty == false })
        let certificate = try #require((worker["certificates"] as? [[String: Any]])?.first)
        let body = try JSONSerialization.data(withJSONObject: certificate.filter { $0.key != "id" })
        let twice = try await server.request(
            "POST", "/v1/workers/\(worker["id"] as? Int ?? 0)/certificates", token: admin, json: String(decoding: body, as: UTF8.self))
        expectRefusal(twice, 422, field: "certificates")

        // Billing: a second price for one tariff code from the same day.
        let tariff = #"{"code":"HS-CLEAN","unit":"visit","priceFen":6500,"effectiveFrom":"2031-01-01","governmentGuided":false}"#
        #expect(try await server.request("POST", "/v1/billing/tariffs", token: admin, json: tariff).status == 201)
        expectRefusal(try await server.request("POST", "/v1/billing/tariffs", token: admin, json: tariff), 409, field: "effectiveFrom")

        // Oversight: a frozen return is frozen once.
        let freeze = #"{"period":"2026-Q3"}"#
        #expect(try await server.request("POST", "/v1/oversight/returns", token: bureau, json: freeze).status == 201)
        expectRefusal(try await server.request("POST", "/v1/oversight/returns", token: bureau, json: freeze), 422, field: "period")

        // Health archive: only hospitals and health centres keep archives, so a care home's
        // enrolment names the institution.
        let institutions =
            try await server.request("GET", "/v1/institutions?limit=100", token: admin).object["items"] as? [[String: Any]] ?? []
        let home = try #require(institutions.first { $0["kind"] as? String == "care_home" }?["id"] as? Int)
        expectRefusal(try await server.request("PUT", "/v1/institutions/\(home)/enrolments/1", token: admin), 422, field: "institutionId")

        // No request above was a server error, and the one SQLite refused is logged with its
        // code and message, on that request's line, without the values it carried.
        #expect(server.stop() == 0)
        let log = server.log
        #expect(!log.contains("\"status\":\"500\"") && !log.contains("status=500"), "\(log.suffix(2000))")
        let line = try #require(log.split(separator: "\n").first { $0.contains(requestId) })
        #expect(line.contains("UNIQUE constraint failed: account.name, account.role"), "\(line)")
        #expect(line.contains("2067"), "\(line)")
        #expect(!line.contains("张三"), "\(line)")
    }

    @Test func nullIsRefusedUnlessTheDocumentCallsTheFieldNullable() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "10", "--seed", "4", "--no-archives", "--quiet"])
        let admin = try await server.token("admin", "e2e-admin")
        try await server.start()

        // Optional fields of a PATCH and a POST: null is not "leave it alone".
        expectRefusal(try await server.request("PATCH", "/v1/elders/1", token: admin, json: #"{"status":null}"#), 422, field: "status")
        expectRefusal(
            try await server.request("PATCH", "/v1/accounts/1", token: admin, json: #"{"name":"李四","role":null}"#), 422, field: "role")
        let nested = try await server.request(
            "PUT", "/v1/elders/1/contacts", token: admin, json: #"[{"name":"李明","relation":"son","phone":"13900002222","hasKey":null}]"#)
        expectRefusal(nested, 422, field: "[0].hasKey")
        // The elder is as it was.
        #expect(try await server.request("GET", "/v1/elders/1", token: admin).object["status"] as? String == "active")

        // Where the document says null clears a value, it does.
        let workers = try await server.request("GET", "/v1/workers?limit=1", token: admin).object["items"] as? [[String: Any]] ?? []
        let worker = try #require(workers.first?["id"] as? Int)
        let cleared = try await server.request(
            "PUT", "/v1/elders/1/worker-preferences", token: admin, json: #"{"workerId":\#(worker),"preference":null}"#)
        #expect(cleared.status == 204, "\(cleared.text)")
        #expect(server.stop() == 0)
    }
}
