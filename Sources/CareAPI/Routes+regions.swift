import CareModel
import CareStore
import Hummingbird

extension APIEnvironment {
    var regionRoutes: [APIRoute] {
        [
            APIRoute(.post, "/v1/regions", .permission(.writeRegistry)) { request, context in
                let who = try context.caller
                let region = try (try await decode(NewRegion.self, request)).validated()
                return try JSONCoding.response(try await database.registry.createRegion(region, by: who), status: .created)
            },
            APIRoute(.get, "/v1/regions", .permission(.readRegistry)) { request, context in
                let filter = RegionFilter(parentCode: queryText(request, "parent").map(RegionCode.normalise),
                                          level: try query(request, "level", as: RegionLevel.self),
                                          within: queryText(request, "within").map(RegionCode.normalise),
                                          nameContains: queryText(request, "q"))
                return try JSONCoding.response(try await database.registry.regions(filter, page: try pageRequest(request)))
            },
            APIRoute(.get, "/v1/regions/:code", .permission(.readRegistry)) { _, context in
                let code = RegionCode.normalise(context.parameters.get("code") ?? "")
                return try JSONCoding.response(try await database.registry.region(code: code))
            },
            APIRoute(.patch, "/v1/regions/:code", .permission(.writeRegistry)) { request, context in
                let who = try context.caller
                let code = RegionCode.normalise(context.parameters.get("code") ?? "")
                let patch = try await decode(RegionPatch.self, request)
                return try JSONCoding.response(try await database.registry.updateRegion(code: code, patch, by: who))
            },
        ]
    }
}
