import CareModel
import HealthArchive
import Hummingbird

/// Which elders a hospital (or a health centre, beyond its area) serves: an enrolled elder's
/// archive is open to the institution's agency accounts, when the elder consented to sharing.
struct EnrolmentController {
    let env: APIEnvironment
    let archive: HealthArchive

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/v1/institutions/:id/enrolments", .permission(.readElders), list),
            APIRoute(.put, "/v1/institutions/:id/enrolments/:elderId", .permission(.writeElders), enrol),
            APIRoute(.delete, "/v1/institutions/:id/enrolments/:elderId", .permission(.writeElders), unenrol),
        ]
    }

    @Sendable func list(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let page = try await archive.store.enrolments(institutionId: try env.id(context, "institution"), page: try env.pageRequest(request))
        return try JSONCoding.response(Page(items: page.items.map { Enrolment(elderId: $0) }, nextCursor: page.nextCursor))
    }

    @Sendable func enrol(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let institution = try env.id(context, "institution"), elder = try env.id(context, "elder", "elderId")
        try await archive.store.enrol(elderId: elder, institutionId: institution, by: try context.caller)
        return Response(status: .noContent)
    }

    @Sendable func unenrol(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let institution = try env.id(context, "institution"), elder = try env.id(context, "elder", "elderId")
        try await archive.store.unenrol(elderId: elder, institutionId: institution, by: try context.caller)
        return Response(status: .noContent)
    }
}

/// One enrolled elder, as listed.
struct Enrolment: Codable {
    var elderId: Int64
}
