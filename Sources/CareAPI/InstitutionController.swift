import CareModel
import CareStore
import Hummingbird

/// Institutions: care homes, day centres, hospitals, service providers.
struct InstitutionController: Sendable {
    let env: APIEnvironment
    let registry: RegistryStore
    let clock: CareClock

    var routes: [APIRoute] {
        [
            APIRoute(.post, "/v1/institutions", .permission(.writeRegistry), create),
            APIRoute(.get, "/v1/institutions", .permission(.readRegistry), list),
            APIRoute(.get, "/v1/institutions/:id", .permission(.readRegistry), get),
            APIRoute(.patch, "/v1/institutions/:id", .permission(.writeRegistry), update),
        ]
    }

    @Sendable func create(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let institution = try (try await env.decode(NewInstitution.self, request)).validated(now: clock.now())
        let stored = try await registry.createInstitution(institution, by: who)
        return try JSONCoding.response(stored, status: .created, headers: .etag(stored.version))
    }

    @Sendable func list(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let filter = InstitutionFilter(
            kind: try env.query(request, "kind", as: InstitutionKind.self),
            region: env.queryText(request, "region"),
            status: try env.query(request, "status", as: RecordStatus.self),
            nameContains: env.queryText(request, "q"))
        return try JSONCoding.response(try await registry.institutions(filter, page: try env.pageRequest(request)))
    }

    @Sendable func get(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let institution = try await registry.institution(id: try env.id(context, "institution"))
        return try JSONCoding.response(institution, headers: .etag(institution.version))
    }

    @Sendable func update(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let expected = try env.expectedVersion(request)
        let patch = try await env.decode(InstitutionPatch.self, request)
        let updated = try await registry.updateInstitution(
            id: try env.id(context, "institution"), patch,
            expectedVersion: expected, by: who)
        return try JSONCoding.response(updated, headers: .etag(updated.version))
    }
}
