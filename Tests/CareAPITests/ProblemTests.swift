import CareModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CareAPI

@Suite("Errors are problem+json")
struct ProblemTests {
    func expectProblem(
        _ r: TestResponse, _ status: HTTPResponse.Status, _ slug: String,
        field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(r.status == status, "\(r.text)", sourceLocation: sourceLocation)
        #expect(r.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        #expect(r.headers[.init("X-Request-Id")!] != nil, sourceLocation: sourceLocation)
        guard let p = r.problem else { Issue.record("not a problem: \(r.text)", sourceLocation: sourceLocation); return }
        #expect(p.type == "urn:eldercare:problem:\(slug)", sourceLocation: sourceLocation)
        #expect(p.status == Int(status.code), sourceLocation: sourceLocation)
        #expect(!p.detail.isEmpty && p.requestId == r.headers[.init("X-Request-Id")!], sourceLocation: sourceLocation)
        if let field { #expect(p.errors?.map(\.field).contains(field) == true, "\(p.errors ?? [])", sourceLocation: sourceLocation) }
    }

    @Test func eachErrorClassHasItsStatusAndNamesTheField() async throws {
        let t = try await TestServer.make(bodyLimit: 2048)
        defer { t.remove() }
        let admin = t.tokens[.admin]!
        try await t.test { client in
            // 400: not JSON at all.
            expectProblem(try await client.send(.post, "/v1/elders", token: admin, json: "{\"name\": "), .badRequest, "malformed")
            // 400: a query parameter that cannot be read.
            expectProblem(try await client.send(.get, "/v1/elders?limit=0", token: admin), .badRequest, "malformed", field: "limit")
            expectProblem(try await client.send(.get, "/v1/elders?status=asleep", token: admin), .badRequest, "malformed", field: "status")
            expectProblem(try await client.send(.get, "/v1/elders?cursor=zzz", token: admin), .badRequest, "malformed", field: "cursor")
            // 422: valid JSON, invalid values, each naming its field.
            expectProblem(
                try await client.send(.post, "/v1/elders", token: admin, json: elderJSON(id: "110105194912310023")),
                .unprocessableContent, "validation", field: "nationalId")
            expectProblem(
                try await client.send(.post, "/v1/elders", token: admin, json: elderJSON(extra: #","birthDate":"1950-01-01""#)),
                .unprocessableContent, "validation", field: "birthDate")
            expectProblem(
                try await client.send(.post, "/v1/elders", token: admin, json: #"{"name":"王"}"#),
                .unprocessableContent, "validation", field: "nationalId")
            expectProblem(
                try await client.send(
                    .post, "/v1/elders", token: admin,
                    json: elderJSON().replacingOccurrences(of: "\"alone\"", with: "\"hermit\"")),
                .unprocessableContent, "validation", field: "livingSituation")
            let hermit = try await client.send(
                .post, "/v1/elders", token: admin,
                json: elderJSON().replacingOccurrences(of: "\"alone\"", with: "\"hermit\""))
            #expect(hermit.problem?.errors?.first?.reason == "has an unknown value hermit; use one of: alone, with_spouse, with_family")
            expectProblem(
                try await client.send(
                    .post, "/v1/elders", token: admin,
                    json: elderJSON().replacingOccurrences(of: "22.63", with: "\"north\"")),
                .unprocessableContent, "validation", field: "location.latitude")
            expectProblem(
                try await client.send(
                    .post, "/v1/elders", token: admin,
                    json: elderJSON().replacingOccurrences(of: "13900002222", with: "not a phone")),
                .unprocessableContent, "validation", field: "contacts[0].phone")
            expectProblem(
                try await client.send(
                    .post, "/v1/elders", token: admin,
                    json: elderJSON().replacingOccurrences(of: "450902001001", with: "450999001001")),
                .unprocessableContent, "validation", field: "regionCode")
            // 413: over the configured limit.
            let huge = elderJSON(extra: ",\"padding\":\"" + String(repeating: "x", count: 4000) + "\"")
            expectProblem(try await client.send(.post, "/v1/elders", token: admin, json: huge), .contentTooLarge, "too-large")
            // 415: not JSON by declaration.
            expectProblem(
                try await client.send(
                    .post, "/v1/elders", token: admin, json: "name=x",
                    headers: [.contentType: "application/x-www-form-urlencoded"]),
                .unsupportedMediaType, "media-type")
            // 404: unknown route, unknown row, non-numeric id.
            expectProblem(try await client.send(.get, "/v1/nothing-here", token: admin), .notFound, "not-found")
            expectProblem(try await client.send(.get, "/nothing-here"), .notFound, "not-found")
            expectProblem(try await client.send(.get, "/v1/elders/999", token: admin), .notFound, "not-found")
            expectProblem(try await client.send(.get, "/v1/elders/abc", token: admin), .notFound, "not-found")
            // 401 and 403.
            expectProblem(try await client.send(.get, "/v1/elders"), .unauthorized, "unauthenticated")
            expectProblem(try await client.send(.post, "/v1/regions", token: t.tokens[.operator], json: "{}"), .forbidden, "forbidden")

            // 409: deleting an elder with history.
            #expect(try await client.send(.post, "/v1/elders", token: admin, json: elderJSON()).status == .created)
            // 422: the same identity number again.
            expectProblem(
                try await client.send(.post, "/v1/elders", token: admin, json: elderJSON()),
                .unprocessableContent, "validation", field: "nationalId")
            let device = try await client.send(
                .post, "/v1/devices", token: admin, json: #"{"type":"sos_pendant","elderId":1,"id":"SOS-77"}"#)
            #expect(device.status == .created)
            expectProblem(try await client.send(.delete, "/v1/elders/1", token: admin), .conflict, "conflict")
            // 412: a stale If-Match.
            let patched = try await client.send(
                .patch, "/v1/elders/1", token: admin, json: #"{"careLevel":"disabled"}"#,
                headers: [.ifMatch: "\"1\""])
            #expect(patched.status == .ok && patched.headers[.eTag] == "\"2\"")
            expectProblem(
                try await client.send(
                    .patch, "/v1/elders/1", token: admin, json: #"{"careLevel":"self_care"}"#,
                    headers: [.ifMatch: "\"1\""]), .preconditionFailed, "stale-version")
        }
    }

    @Test func registryRoutesWaitForMigrations() async throws {
        let t = try await TestServer.make(ready: false)
        defer { t.remove() }
        try await t.test { client in
            #expect(try await client.send(.get, "/health").status == .ok)
            expectProblem(try await client.send(.get, "/ready"), .serviceUnavailable, "not-ready")
            expectProblem(try await client.send(.get, "/v1/elders", token: t.tokens[.admin]), .serviceUnavailable, "not-ready")
            t.server.readiness.markReady()
            #expect(try await client.send(.get, "/ready").status == .ok)
            #expect(try await client.send(.get, "/v1/elders", token: t.tokens[.admin]).status == .ok)
        }
    }

    @Test func theRequestIdOfTheCallerIsKeptWhenSane() async throws {
        let t = try await TestServer.make()
        defer { t.remove() }
        try await t.test { client in
            let r = try await client.send(.get, "/health", headers: [.init("X-Request-Id")!: "console-42"])
            #expect(r.headers[.init("X-Request-Id")!] == "console-42")
            let odd = try await client.send(.get, "/health", headers: [.init("X-Request-Id")!: "bad id\u{7}"])
            #expect(odd.headers[.init("X-Request-Id")!] != "bad id\u{7}")
        }
    }
}
