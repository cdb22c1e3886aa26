import Foundation
import Hummingbird
import Testing

@testable import CareAPI

@Suite("The OpenAPI document")
struct OpenAPIDocumentTests {
    /// `(METHOD, /path/{param})` pairs under `paths:`, read with the document's line rules:
    /// paths indented two spaces, methods four.
    static func documentedRoutes() throws -> Set<String> {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/api/openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        var inPaths = false
        var path = ""
        var routes: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line.hasPrefix("paths:"); continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /") && !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast(line.hasSuffix(":") ? 1 : 0))
            } else if line.hasPrefix("    ") && !line.hasPrefix("     ") {
                let word = line.trimmingCharacters(in: .whitespaces)
                for m in ["get", "post", "put", "patch", "delete"] where word == m + ":" {
                    routes.insert(m.uppercased() + " " + path)
                }
            }
        }
        return routes
    }

    @Test func describesExactlyTheRoutesTheServerRegisters() async throws {
        let t = try await TestServer.make()
        defer { t.remove() }
        let registered = Set(
            t.server.buildRouter().routes.map { route in
                "\(route.method) "
                    + route.path.description.split(separator: "/").map { part in
                        part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                    }.reduce("") { $0 + "/" + $1 }
            })
        let documented = try Self.documentedRoutes()
        #expect(registered.count == t.server.routes.count)
        #expect(registered.subtracting(documented).sorted() == [], "registered but not documented")
        #expect(documented.subtracting(registered).sorted() == [], "documented but not registered")
    }
}
