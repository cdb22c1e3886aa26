import CareModel
import CareStore
import Hummingbird

/// Regions: the city's districts, streets and communities.
struct RegionController: Sendable {
    let env: APIEnvironment
    let registry: RegistryStore

    var routes: [APIRoute] {
        [
            APIRoute(.post, "/v1/regions", .permission(.writeRegistry), create),
            APIRoute(.get, "/v1/regions", .permission(.readRegistry), list),
            APIRoute(.get, "/v1/regions/:code", .permission(.readRegistry), get),
            APIRoute(.patch, "/v1/regions/:code", .permission(.writeRegistry), update),
        ]
    }

    @Sendable func create(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let region = try (try await env.decode(NewRegion.self, request)).validated()
        return try JSONCoding.response(try await registry.createRegion(region, by: who), status: .created)
    }

    @Sendable func list(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let filter = RegionFilter(
            parentCode: env.queryText(request, "parent").map(RegionCode.normalise),
            level: try env.query(request, "level", as: RegionLevel.self),
            within: env.queryText(request, "within").map(RegionCode.normalise),
            nameContains: env.queryText(request, "q"))
        return try JSONCoding.response(try await registry.regions(filter, page: try env.pageRequest(request)))
    }

    @Sendable func get(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let code = RegionCode.normalise(context.parameters.get("code") ?? "")
        return try JSONCoding.response(try await registry.region(code: code))
    }

    @Sendable func update(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let code = RegionCode.normalise(context.parameters.get("code") ?? "")
        let patch = try await env.decode(RegionPatch.self, request)
        return try JSONCoding.response(try await registry.updateRegion(code: code, patch, by: who))
    }
}

/// The city has no parent; clients that write every field send `"parentCode": null` for it.
extension NewRegion: NullableFields {
    static let nullableFields: Set<String> = ["parentCode"]
}
