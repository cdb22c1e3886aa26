import Billing
import CareModel
import CareStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Service billing: tariffs and entitlements, charges and their corrections, payments and
/// receipts, statements, settlements, county reports, month close and verification.
struct BillingController: Sendable {
    let env: APIEnvironment
    let billing: BillingStore
    /// The payment provider's callback, when one is configured.
    let callback: (any PaymentCallback)?
    let clock: CareClock

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/v1/billing/tariffs", .permission(.readBilling), tariffs),
            APIRoute(.post, "/v1/billing/tariffs", .permission(.manageBilling), addTariff),
            APIRoute(.get, "/v1/billing/entitlements", .permission(.readBilling), entitlements),
            APIRoute(.post, "/v1/billing/entitlements", .permission(.manageBilling), addEntitlement),
            APIRoute(.get, "/v1/billing/profiles/:elderId", .permission(.readBilling), profile),
            APIRoute(.put, "/v1/billing/profiles/:elderId", .permission(.manageBilling), saveProfile),
            APIRoute(.post, "/v1/billing/charges/run", .permission(.manageBilling), runCharges),
            APIRoute(.get, "/v1/billing/charges", .permission(.readBilling), charges),
            APIRoute(.get, "/v1/billing/charges/:id", .permission(.readBilling), charge),
            APIRoute(.post, "/v1/billing/charges/:id/reverse", .permission(.manageBilling), reverse),
            APIRoute(.post, "/v1/billing/charges/:id/credit-notes", .permission(.manageBilling), creditNote),
            APIRoute(.post, "/v1/billing/payments", .permission(.recordPayments), recordPayment),
            APIRoute(.get, "/v1/billing/payments/:id", .permission(.readBilling), payment),
            APIRoute(.post, "/v1/billing/payment-callbacks", .public, paymentCallback),
            APIRoute(.get, "/v1/billing/elders/:elderId/balance", .permission(.readBilling), balance),
            APIRoute(.get, "/v1/billing/elders/:elderId/statement", .permission(.readBilling), statement),
            APIRoute(.get, "/v1/billing/providers/:id/settlement", .permission(.readSettlements), settlement),
            APIRoute(.get, "/v1/billing/counties/:code/report", .permission(.readBilling), countyReport),
            APIRoute(.get, "/v1/billing/periods", .permission(.readBilling), periods),
            APIRoute(.post, "/v1/billing/periods/close", .permission(.manageBilling), close),
            APIRoute(.get, "/v1/billing/verify", .permission(.readBilling), verify),
        ]
    }

    @Sendable func tariffs(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(["tariffs": try await billing.tariffs()])
    }

    @Sendable func addTariff(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let t = try await env.decode(Tariff.self, request)
        return try JSONCoding.response(try await billing.addTariff(t, by: try context.caller), status: .created)
    }

    @Sendable func entitlements(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(["entitlements": try await billing.entitlements()])
    }

    @Sendable func addEntitlement(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let e = try await env.decode(Entitlement.self, request)
        return try JSONCoding.response(try await billing.addEntitlement(e, by: try context.caller), status: .created)
    }

    @Sendable func profile(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await billing.profile(elderId: try env.id(context, "elder", "elderId")))
    }

    struct ProfileBody: Decodable, NullableFields {
        static let nullableFields: Set<String> = ["categories", "placementInstitutionId"]
        var categories: [BillingCategory]?
        var ltcInsured: Bool?
        var placementInstitutionId: Int64?
    }

    @Sendable func saveProfile(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let elder = try env.id(context, "elder", "elderId")
        let body = try await env.decode(ProfileBody.self, request)
        let saved = try await billing.saveProfile(
            BillingProfile(
                elderId: elder, categories: body.categories, ltcInsured: body.ltcInsured ?? false,
                placementInstitutionId: body.placementInstitutionId), by: try context.caller)
        return try JSONCoding.response(saved)
    }

    @Sendable func runCharges(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await billing.runCharges())
    }

    @Sendable func charges(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let list = try await billing.charges(
            elderId: try env.queryInt(request, "elder"), providerId: try env.queryInt(request, "provider"),
            month: try Self.month(env, request, required: false))
        return try JSONCoding.response(["charges": list])
    }

    @Sendable func charge(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await billing.charge(id: try env.id(context, "charge")))
    }

    struct ReverseBody: Decodable { var reason: String }
    struct CreditBody: Decodable {
        var amountFen: Int64
        var reason: String
    }

    static func reason(_ text: String) throws -> String {
        var v = Validator()
        v.checkText(text, "reason", maxLength: 300)
        try v.finish()
        return text
    }

    @Sendable func reverse(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "charge")
        let body = try await env.decode(ReverseBody.self, request)
        let tx = try await billing.reverse(chargeId: id, reason: try Self.reason(body.reason), by: try context.caller)
        return try JSONCoding.response(tx, status: .created)
    }

    @Sendable func creditNote(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "charge")
        let body = try await env.decode(CreditBody.self, request)
        let tx = try await billing.creditNote(
            chargeId: id, amountFen: body.amountFen, reason: try Self.reason(body.reason), by: try context.caller)
        return try JSONCoding.response(tx, status: .created)
    }

    @Sendable func recordPayment(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let body = try await env.decode(NewPayment.self, request)
        return try JSONCoding.response(try await billing.recordPayment(body, by: try context.caller), status: .created)
    }

    @Sendable func payment(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let p = try await billing.payment(id: try env.id(context, "payment"))
        switch try Self.format(env, request) {
        case .html:
            let statement = try await billing.statement(elderId: p.elderId, month: p.month)
            return Self.text(BillingDocuments.html(p, elderName: statement.elderName), type: "text/html; charset=utf-8")
        default: return try JSONCoding.response(p)
        }
    }

    /// A payment provider's signed callback: no token; the signature is the proof.
    @Sendable func paymentCallback(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        guard let callback else {
            throw APIError.notReady("No payment provider's callback is configured on this server.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: env.bodyLimit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: env.bodyLimit)
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let payment = try callback.payment(headers: headers, body: Array(buffer.readableBytesView), now: clock.now())
        let who = Principal(accountId: nil, name: "payment-callback", role: .admin)
        return try JSONCoding.response(try await billing.recordPayment(payment, by: who), status: .created)
    }

    @Sendable func balance(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await billing.balance(elderId: try env.id(context, "elder", "elderId")))
    }

    @Sendable func statement(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let elder = try env.id(context, "elder", "elderId")
        let month = try Self.month(env, request, required: true)!
        let format = try Self.format(env, request)
        let s = try await billing.statement(elderId: elder, month: month)
        switch format {
        case .json: return try JSONCoding.response(s)
        case .csv: return Self.text(BillingDocuments.csv(s), type: "text/csv; charset=utf-8")
        case .html: return Self.text(BillingDocuments.html(s), type: "text/html; charset=utf-8")
        }
    }

    @Sendable func settlement(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let provider = try env.id(context, "provider")
        // A provider reads its own settlement only; another's is as if it did not exist.
        let caller = try context.caller
        if caller.role == .provider {
            let own = try await caller.accountId.asyncMap { try await billing.database.account(id: $0).institutionId }
            guard own == provider else { throw APIError.notFound("No provider has the id \(provider).") }
        }
        let month = try Self.month(env, request, required: true)!
        let format = try Self.format(env, request)
        let s = try await billing.settlement(providerId: provider, month: month)
        switch format {
        case .json: return try JSONCoding.response(s)
        case .csv: return Self.text(BillingDocuments.csv(s), type: "text/csv; charset=utf-8")
        case .html: return Self.text(BillingDocuments.html(s), type: "text/html; charset=utf-8")
        }
    }

    @Sendable func countyReport(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        guard code.count >= 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw APIError.notFound("No county has the code \(code); use its six-digit code, such as 450902.")
        }
        let month = try Self.month(env, request, required: true)!
        let format = try Self.format(env, request)
        let r = try await billing.countyReport(county: String(code.prefix(6)), month: month)
        switch format {
        case .json: return try JSONCoding.response(r)
        case .csv: return Self.text(BillingDocuments.csv(r), type: "text/csv; charset=utf-8")
        case .html: return Self.text(BillingDocuments.html(r), type: "text/html; charset=utf-8")
        }
    }

    @Sendable func periods(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(["closed": try await billing.periods()])
    }

    struct CloseBody: Decodable { var month: BillingMonth }

    @Sendable func close(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let body = try await env.decode(CloseBody.self, request)
        return try JSONCoding.response(try await billing.close(month: body.month, by: try context.caller))
    }

    @Sendable func verify(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let v = try await billing.verify()
        return try JSONCoding.response(VerifyAnswer(ok: v.ok, verification: v))
    }

    struct VerifyAnswer: Encodable {
        var ok: Bool
        var verification: BillingVerification
    }

    enum Format: String, CaseIterable { case json, csv, html }

    static func format(_ env: APIEnvironment, _ request: Request) throws -> Format {
        try env.query(request, "format", as: Format.self) ?? .json
    }

    static func month(_ env: APIEnvironment, _ request: Request, required: Bool) throws -> BillingMonth? {
        guard let text = env.queryValue(request, "month") else {
            if required { throw APIError.malformed(field: "month", detail: "month is required, written 2026-10") }
            return nil
        }
        guard let m = BillingMonth(text) else { throw APIError.malformed(field: "month", detail: "month must be written 2026-10") }
        return m
    }

    static func text(_ body: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension Optional {
    fileprivate func asyncMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// A tariff without a provider is the price for every provider without its own.
extension Tariff: NullableFields {
    static let nullableFields: Set<String> = ["providerId"]
}
