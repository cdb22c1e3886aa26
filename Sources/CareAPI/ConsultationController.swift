import CareModel
import CareStore
import HealthArchive
import Hummingbird

/// Health consultations (健康咨询): an operator logs a question, the elder's health centre
/// answers it, and the exchange lands in the archive as an Encounter.
struct ConsultationController {
    let env: APIEnvironment
    let archive: HealthArchive

    var routes: [APIRoute] {
        [
            APIRoute(.post, "/v1/consultations", .permission(.askConsultations), ask),
            APIRoute(.get, "/v1/consultations", .permission(.readConsultations), list),
            APIRoute(.get, "/v1/consultations/:id", .permission(.readConsultations), get),
            APIRoute(.post, "/v1/consultations/:id/answer", .permission(.answerConsultations), answer),
        ]
    }

    @Sendable func ask(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let new = try await env.decode(NewConsultation.self, request)
        return try JSONCoding.response(try await archive.store.ask(new, by: try context.caller), status: .created)
    }

    @Sendable func list(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let caller = try context.caller
        // An agency sees its own queue; staff see every consultation.
        let institution = caller.role == .agency ? try await ownInstitution(caller) : try env.queryInt(request, "institution")
        let page = try await archive.store.consultations(
            institutionId: institution, elderId: try env.queryInt(request, "elder"),
            status: try env.query(request, "status", as: Consultation.Status.self), page: try env.pageRequest(request))
        return try JSONCoding.response(page)
    }

    @Sendable func get(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let caller = try context.caller
        let consultation = try await archive.store.consultation(id: try env.id(context, "consultation"))
        if caller.role == .agency, consultation.institutionId != (try await ownInstitution(caller)) {
            throw APIError.notFound("No consultation has the id \(consultation.id).")
        }
        return try JSONCoding.response(consultation)
    }

    @Sendable func answer(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let caller = try context.caller
        let body = try await env.decode(ConsultationAnswer.self, request)
        let answered = try await archive.store.answer(
            try env.id(context, "consultation"), body, by: ArchiveWriter(caller, reason: "consultation answer"),
            institutionId: try await archive.store.institution(ofAccount: caller.accountId))
        return try JSONCoding.response(answered)
    }

    private func ownInstitution(_ caller: Principal) async throws -> Int64 {
        guard let id = try await archive.store.institution(ofAccount: caller.accountId) else {
            throw APIError.conflict("This agency account is not linked to a health centre; ask an administrator to set its institution.")
        }
        return id
    }
}
