import CareConfig
import CareModel
import CareStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus

@testable import CareAPI

/// A server over a fresh database, with one token per role, driven in-process.
struct TestServer: Sendable {
    let server: CareServer
    let folder: String
    var tokens: [Role: String] = [:]

    static func make(bodyLimit: Int = 4096, ready: Bool = true) async throws -> TestServer {
        let folder = NSTemporaryDirectory() + "careapi-" + UUID().uuidString
        let database = try CareDatabase.open(at: folder + "/care.sqlite", schema: CareServer.schema)
        try await database.migrate()
        var settings = CareSettings()
        settings.server.maxBodyBytes = bodyLimit
        settings.pagination.maximumLimit = 100
        let server = try CareServer(
            settings: settings, database: database, metrics: PrometheusCollectorRegistry(),
            logger: Logger(label: "test"), readiness: Readiness(ready: ready))
        var t = TestServer(server: server, folder: folder)
        for role in Role.allCases {
            t.tokens[role] = try await database.issueToken(role: role, name: "test-\(role.rawValue)", by: .commandLine).1.token
        }
        for r in [
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil),
            Region(code: "450902000000", name: "玉州区", level: .district, parentCode: "450900000000"),
            Region(code: "450902001000", name: "玉城街道", level: .street, parentCode: "450902000000"),
            Region(code: "450902001001", name: "大南社区", level: .community, parentCode: "450902001000"),
        ] {
            _ = try await database.registry.createRegion(r, by: .commandLine)
        }
        return t
    }

    /// Runs `body` against the router in-process.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = server.buildRouter()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = Application(router: router, logger: logger)
        try await app.test(.router, body)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

extension TestClientProtocol {
    /// Sends JSON (or raw text) with an optional bearer token.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { $0 }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return try d.decode(T.self, from: Data(text.utf8))
    }
    var problem: Problem? { try? decode(Problem.self) }
}

/// A valid registration body.
func elderJSON(id: String = "11010519491231002X", name: String = "王秀英", extra: String = "") -> String {
    """
    {"name":"\(name)","nationalId":"\(id)","phone":"13800001111","address":"玉林市玉州区玉城街道大南社区人民路12号",
     "location":{"latitude":22.63,"longitude":110.15},"regionCode":"450902001001","livingSituation":"alone",
     "careLevel":"semi_disabled","categories":["dibao"]\(extra),
     "contacts":[{"name":"李明","relation":"son","phone":"13900002222","hasKey":true}]}
    """
}
