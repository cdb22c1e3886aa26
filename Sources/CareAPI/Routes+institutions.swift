import CareModel
import CareStore
import Hummingbird

extension APIEnvironment {
    var institutionRoutes: [APIRoute] {
        [
            APIRoute(.post, "/v1/institutions", .permission(.writeRegistry)) { request, context in
                let who = try context.caller
                let institution = try (try await decode(NewInstitution.self, request)).validated(now: clock.now())
                let stored = try await database.registry.createInstitution(institution, by: who)
                return try JSONCoding.response(stored, status: .created, headers: .etag(stored.version))
            },
            APIRoute(.get, "/v1/institutions", .permission(.readRegistry)) { request, context in
                let filter = InstitutionFilter(kind: try query(request, "kind", as: InstitutionKind.self),
                                               region: queryText(request, "region"),
                                               status: try query(request, "status", as: RecordStatus.self),
                                               nameContains: queryText(request, "q"))
                return try JSONCoding.response(try await database.registry.institutions(filter, page: try pageRequest(request)))
            },
            APIRoute(.get, "/v1/institutions/:id", .permission(.readRegistry)) { _, context in
                let institution = try await database.registry.institution(id: try id(context, "institution"))
                return try JSONCoding.response(institution, headers: .etag(institution.version))
            },
            APIRoute(.patch, "/v1/institutions/:id", .permission(.writeRegistry)) { request, context in
                let who = try context.caller
                let expected = try expectedVersion(request)
                let patch = try await decode(InstitutionPatch.self, request)
                let updated = try await database.registry.updateInstitution(id: try id(context, "institution"), patch,
                                                                   expectedVersion: expected, by: who)
                return try JSONCoding.response(updated, headers: .etag(updated.version))
            },
        ]
    }
}
