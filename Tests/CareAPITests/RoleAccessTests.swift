import CareModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CareAPI

@Suite("Roles against routes")
struct RoleAccessTests {
    /// Every route, with every role and with no token: 401 without a token, 403 exactly when the
    /// role lacks the route's permission, and neither when it has it.
    @Test func eachRoleReachesOnlyItsRoutes() async throws {
        let t = try await TestServer.make()
        defer { t.remove() }
        let routes = t.server.routes
        try await t.test { client in
            for route in routes {
                let uri = route.path.replacingOccurrences(of: ":id", with: "1")
                    .replacingOccurrences(of: ":contactId", with: "1").replacingOccurrences(of: ":deviceId", with: "SOS-1")
                    .replacingOccurrences(of: ":code", with: "450902000000").replacingOccurrences(of: ":tokenId", with: "ec_unknown")
                    .replacingOccurrences(of: ":responderId", with: "1").replacingOccurrences(of: ":elderId", with: "1")
                    .replacingOccurrences(of: ":type", with: "Observation").replacingOccurrences(of: ":version", with: "1")
                let body = [.post, .put, .patch].contains(route.method) ? "{}" : nil
                // The live feed never ends by itself; a bad Last-Event-ID makes it answer (400) at
                // once, after the access check this test is about.
                var headers = HTTPFields()
                if route.path.hasSuffix("/stream") { headers[HTTPField.Name("Last-Event-ID")!] = "not-an-id" }
                let anonymous = try await client.send(route.method, uri, json: body, headers: headers)
                switch route.access {
                case .public:
                    #expect(anonymous.status != .unauthorized, "\(route.method) \(route.path) is public")
                    continue
                case .deviceSignature:
                    // Only the device's own signature counts: no token of any role gets in.
                    #expect(anonymous.status == .unauthorized, "\(route.method) \(route.path) unsigned")
                    for role in Role.allCases {
                        let r = try await client.send(route.method, uri, token: t.tokens[role], json: body, headers: headers)
                        #expect(r.status == .unauthorized, "\(role) \(route.method) \(route.path): \(r.status)")
                    }
                    continue
                case .authenticated, .permission:
                    #expect(anonymous.status == .unauthorized, "\(route.method) \(route.path) without a token")
                }
                for role in Role.allCases {
                    let r = try await client.send(route.method, uri, token: t.tokens[role], json: body, headers: headers)
                    let allowed: Bool =
                        switch route.access {
                        case .permission(let p): role.allows(p)
                        default: true
                        }
                    if allowed {
                        #expect(r.status != .forbidden && r.status != .unauthorized, "\(role) \(route.method) \(route.path): \(r.status)")
                    } else {
                        #expect(r.status == .forbidden, "\(role) \(route.method) \(route.path): \(r.status)")
                        if route.path.hasPrefix("/fhir/") {
                            #expect(r.text.contains(#""code":"forbidden""#), "an OperationOutcome: \(r.text)")
                        } else {
                            #expect(r.problem?.type == "urn:eldercare:problem:forbidden")
                        }
                    }
                }
            }
        }
    }

    @Test func aWrongOrRevokedTokenIs401() async throws {
        let t = try await TestServer.make()
        defer { t.remove() }
        try await t.test { client in
            #expect(
                try await client.send(.get, "/v1/regions", token: "ec_aaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").status == .unauthorized)
            let r = try await client.execute(uri: "/v1/regions", method: .get, headers: [.authorization: "Basic abc"])
            #expect(r.status == .unauthorized)
            #expect(r.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    @Test func identityNumbersAreMaskedForRolesThatDoNotNeedThem() async throws {
        let t = try await TestServer.make()
        defer { t.remove() }
        try await t.test { client in
            let created = try await client.send(.post, "/v1/elders", token: t.tokens[.admin], json: elderJSON())
            #expect(created.status == .created)
            for (role, expected) in [
                (Role.operator, "110105********002X"), (.auditor, "110105********002X"),
                (.agency, "11010519491231002X"), (.supervisor, "11010519491231002X"),
            ] {
                let r = try await client.send(.get, "/v1/elders/1", token: t.tokens[role])
                #expect(try r.decode(Elder.self).nationalId == expected, "\(role)")
                let list = try await client.send(.get, "/v1/elders", token: t.tokens[role])
                #expect(try list.decode(Page<Elder>.self).items.first?.nationalId == expected, "\(role) list")
            }
        }
    }
}
