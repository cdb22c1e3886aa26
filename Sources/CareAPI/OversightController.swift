import CareModel
import CareStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Oversight

/// Oversight for the civil-affairs bureau: the plan's indicators, institutions' profiles and
/// communities' facilities, inspections with rectification deadlines, grades, the public list of
/// violations and the frozen statistics returns. An institution's own account reads its own
/// inspections and grades and replies to its findings; to it other institutions' do not exist.
struct OversightController: Sendable {
    let env: APIEnvironment
    let oversight: OversightStore
    let database: CareDatabase
    let clock: CareClock

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/v1/oversight/indicators", .permission(.readOversight), indicators),
            APIRoute(.get, "/v1/oversight/institutions/:id/profile", .permission(.readOversight), profile),
            APIRoute(.put, "/v1/oversight/institutions/:id/profile", .permission(.writeOversight), saveProfile),
            APIRoute(.put, "/v1/oversight/communities/:code", .permission(.writeOversight), saveFacility),
            APIRoute(.post, "/v1/oversight/inspections", .permission(.writeOversight), recordInspection),
            APIRoute(.get, "/v1/oversight/institutions/:id/inspections", .authenticated, inspections),
            APIRoute(.post, "/v1/oversight/findings/:id/rectify", .permission(.writeOversight), rectify),
            APIRoute(.post, "/v1/oversight/findings/:id/reply", .authenticated, reply),
            APIRoute(.post, "/v1/oversight/institutions/:id/assessments", .permission(.writeOversight), assess),
            APIRoute(.get, "/v1/oversight/institutions/:id/assessments", .authenticated, assessments),
            APIRoute(.get, "/v1/oversight/violations", .public, violations),
            APIRoute(.post, "/v1/oversight/returns", .permission(.writeOversight), freeze),
            APIRoute(.get, "/v1/oversight/returns/:period", .permission(.readOversight), frozenReturn),
        ]
    }

    func day(_ request: Request, _ name: String) throws -> CalendarDate? {
        // Present but empty is not a date either: only an absent parameter means today.
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        guard let d = CalendarDate(iso: text) else {
            throw APIError.malformed(field: name, detail: "\(name) must be a date written 2026-12-31")
        }
        return d
    }

    @Sendable func indicators(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        guard let region = env.queryText(request, "region") else {
            throw APIError.malformed(field: "region", detail: "region is required: the city's or a county's code, such as 450900000000")
        }
        let at = try day(request, "at") ?? CalendarDate(date: clock.now())
        let list = try await oversight.indicators(region: region, at: at)
        return try JSONCoding.response(IndicatorsBody(region: RegionCode.normalise(region), at: at, indicators: list))
    }

    struct IndicatorsBody: Encodable {
        var region: String
        var at: CalendarDate
        var indicators: [Indicator]
    }

    @Sendable func profile(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await oversight.profile(institutionId: try env.id(context, "institution")))
    }

    @Sendable func saveProfile(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        var p = try await env.decode(InstitutionProfile.self, request)
        p.institutionId = try env.id(context, "institution")
        return try JSONCoding.response(try await oversight.saveProfile(p, by: try context.caller))
    }

    @Sendable func saveFacility(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        var f = try await env.decode(CommunityFacility.self, request)
        f.regionCode = context.parameters.get("code") ?? ""
        return try JSONCoding.response(try await oversight.saveFacility(f, by: try context.caller))
    }

    @Sendable func recordInspection(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let body = try await env.decode(NewInspection.self, request)
        return try JSONCoding.response(try await oversight.recordInspection(body, by: try context.caller), status: .created)
    }

    /// The bureau and auditors see every institution; an institution's own account only its own.
    func requireReader(_ context: CareRequestContext, institution id: Int64) async throws {
        let caller = try context.caller
        if caller.allows(.readOversight) { return }
        guard try await ownInstitution(caller) == id else { throw APIError.notFound("No institution has the id \(id).") }
    }

    func ownInstitution(_ caller: Principal) async throws -> Int64? {
        guard let account = caller.accountId else { return nil }
        return try await database.account(id: account).institutionId
    }

    @Sendable func inspections(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "institution")
        try await requireReader(context, institution: id)
        return try JSONCoding.response(["inspections": try await oversight.inspections(institutionId: id)])
    }

    @Sendable func rectify(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await oversight.rectify(findingId: try env.id(context, "finding"), by: try context.caller))
    }

    struct ReplyBody: Decodable { var reply: String }

    @Sendable func reply(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "finding")
        let body = try await env.decode(ReplyBody.self, request)
        let caller = try context.caller
        return try JSONCoding.response(
            try await oversight.reply(findingId: id, text: body.reply, institutionId: try await ownInstitution(caller), by: caller))
    }

    @Sendable func assess(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        var body = try await env.decode(NewAssessment.self, request)
        body.institutionId = try env.id(context, "institution")
        return try JSONCoding.response(try await oversight.assess(body, by: try context.caller), status: .created)
    }

    @Sendable func assessments(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "institution")
        try await requireReader(context, institution: id)
        return try JSONCoding.response(["assessments": try await oversight.assessments(institutionId: id)])
    }

    @Sendable func violations(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(["violations": try await oversight.publishedViolations()])
    }

    struct FreezeBody: Decodable {
        var period: String
        var region: String?
    }

    func period(_ text: String) throws -> ReturnPeriod {
        guard let p = ReturnPeriod(text) else {
            throw APIError.malformed(field: "period", detail: "period must be a quarter written 2026-Q4")
        }
        return p
    }

    @Sendable func freeze(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let body = try await env.decode(FreezeBody.self, request)
        let frozen = try await oversight.freeze(period: try period(body.period), region: body.region, by: try context.caller)
        return try JSONCoding.response(frozen, status: .created)
    }

    /// `?format=json` (the default), `csv` or `html`.
    @Sendable func frozenReturn(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let r = try await oversight.frozenReturn(try period(context.parameters.get("period") ?? ""))
        switch request.uri.queryParameters["format"].map(String.init) ?? "json" {
        case "json": return try JSONCoding.response(r)
        case "csv": return BillingController.text(ReturnDocuments.csv(r), type: "text/csv; charset=utf-8")
        case "html":
            let history = try await oversight.frozenReturns()
            return BillingController.text(ReturnDocuments.html(r, history: history), type: "text/html; charset=utf-8")
        default: throw APIError.malformed(field: "format", detail: "format must be one of: json, csv, html")
        }
    }
}
