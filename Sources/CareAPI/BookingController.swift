import Bookings
import CareModel
import CareStore
import Foundation
import HTTPTypes
import Hummingbird

/// Home-service bookings: the catalogue, availability, booking (idempotent, race-proof),
/// rescheduling, cancelling and assigning.
struct BookingController: Sendable {
    let env: APIEnvironment
    let bookings: BookingStore
    let clock: CareClock

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/v1/services", .permission(.readBookings), services),
            APIRoute(.get, "/v1/availability", .permission(.readBookings), availability),
            APIRoute(.post, "/v1/bookings", .permission(.writeBookings), create),
            APIRoute(.get, "/v1/bookings", .permission(.readBookings), list),
            APIRoute(.get, "/v1/bookings/:id", .permission(.readBookings), get),
            APIRoute(.post, "/v1/bookings/:id/reschedule", .permission(.writeBookings), reschedule),
            APIRoute(.post, "/v1/bookings/:id/cancel", .permission(.writeBookings), cancel),
            APIRoute(.post, "/v1/bookings/:id/assign", .permission(.writeBookings), assign),
            APIRoute(.get, "/v1/service-requests", .permission(.readBookings), serviceRequests),
            APIRoute(.get, "/v1/service-requests/:id", .permission(.readBookings), serviceRequest),
            APIRoute(.post, "/v1/service-requests/:id/decline", .permission(.writeBookings), declineServiceRequest),
        ]
    }

    /// The green-key worklist: `GET /v1/service-requests?status=new`. A booking answers one by
    /// naming it (`serviceRequestId` in `POST /v1/bookings`).
    @Sendable func serviceRequests(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let status = try env.query(request, "status", as: HomeServiceRequestStatus.self)
        return try JSONCoding.response(
            try await bookings.serviceRequests(
                status: status, call: try env.queryInt(request, "call"), by: try context.caller, page: try env.pageRequest(request)))
    }

    @Sendable func serviceRequest(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await bookings.serviceRequest(id: try env.id(context, "service request"), by: try context.caller))
    }

    @Sendable func declineServiceRequest(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "service request")
        let body = try await env.decode(CancelBody.self, request)
        return try JSONCoding.response(try await bookings.declineServiceRequest(id, reason: body.reason, by: try context.caller))
    }

    @Sendable func services(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(["services": bookings.catalogue.services])
    }

    /// `GET /v1/availability?service=cleaning&elder=1024&from=2026-12-08&to=2026-12-10`
    @Sendable func availability(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        guard let service = env.queryText(request, "service") else {
            throw APIError.malformed(field: "service", detail: "service is required")
        }
        guard let elder = try env.queryInt(request, "elder") else { throw APIError.malformed(field: "elder", detail: "elder is required") }
        let from = try Self.dateQuery(env, request, "from") ?? clock.now()
        let to = try Self.dateQuery(env, request, "to") ?? from.addingTimeInterval(7 * 86_400)
        let slots = try await bookings.availability(service: service, elderId: elder, from: from, to: to, by: try context.caller)
        return JSONCoding.response(json: AvailableSlot.responseJSON(slots))
    }

    /// `POST /v1/bookings` with an optional `Idempotency-Key`: a retry gets the first answer again.
    @Sendable func create(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let body = try await env.decode(NewBooking.self, request)
        var key: String?
        if let text = request.headers[HTTPField.Name("Idempotency-Key")!] {
            guard !text.isEmpty, text.count <= 200 else {
                throw APIError.malformed(field: "Idempotency-Key", detail: "Idempotency-Key must be 1 to 200 characters")
            }
            key = text
        }
        let (result, replayed) = try await bookings.create(body, idempotencyKey: key, by: try context.caller)
        var headers = HTTPFields()
        if replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return try JSONCoding.response(result, status: .created, headers: headers)
    }

    @Sendable func list(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let filter = BookingFilter(
            elderId: try env.queryInt(request, "elder"), workerId: try env.queryInt(request, "worker"),
            providerId: try env.queryInt(request, "provider"), status: try env.query(request, "status", as: BookingStatus.self),
            from: try Self.dateQuery(env, request, "from"), to: try Self.dateQuery(env, request, "to"))
        return try JSONCoding.response(try await bookings.bookings(filter, by: try context.caller, page: try env.pageRequest(request)))
    }

    @Sendable func get(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let b = try await bookings.booking(id: try env.id(context, "booking"), by: try context.caller)
        return try JSONCoding.response(b, headers: .etag(b.version))
    }

    struct RescheduleBody: Decodable { var start: Date }
    struct CancelBody: Decodable { var reason: String }
    struct AssignBody: Decodable { var workerId: Int64 }

    @Sendable func reschedule(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "booking")
        let body = try await env.decode(RescheduleBody.self, request)
        let b = try await bookings.reschedule(id, to: body.start, expectedVersion: try env.expectedVersion(request), by: try context.caller)
        return try JSONCoding.response(b, headers: .etag(b.version))
    }

    @Sendable func cancel(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "booking")
        let body = try await env.decode(CancelBody.self, request)
        let b = try await bookings.cancel(
            id, reason: body.reason, expectedVersion: try env.expectedVersion(request), by: try context.caller)
        return try JSONCoding.response(b, headers: .etag(b.version))
    }

    @Sendable func assign(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "booking")
        let body = try await env.decode(AssignBody.self, request)
        let b = try await bookings.assign(
            id, worker: body.workerId, expectedVersion: try env.expectedVersion(request), by: try context.caller)
        return try JSONCoding.response(b, headers: .etag(b.version))
    }

    /// A bare date is local midnight, the care centre's day.
    static func dateQuery(_ env: APIEnvironment, _ request: Request, _ name: String) throws -> Date? {
        guard let text = env.queryText(request, name) else { return nil }
        if let date = Timestamp.parse(text) { return date }
        if let day = CalendarDate(iso: text) { return LocalTime.midnight(day) }
        throw APIError.malformed(field: name, detail: "\(name) must be a date (2026-11-01) or an ISO-8601 time (2026-11-01T00:00:00+08:00)")
    }
}

/// Providers and their workers: certificates, leave, and elders' preferences.
struct WorkerController: Sendable {
    let env: APIEnvironment
    let bookings: BookingStore

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/v1/providers", .permission(.readBookings), providers),
            APIRoute(.put, "/v1/providers/:id", .permission(.writeRegistry), saveProvider),
            APIRoute(.post, "/v1/workers", .permission(.manageWorkers), createWorker),
            APIRoute(.get, "/v1/workers", .permission(.readBookings), workers),
            APIRoute(.get, "/v1/workers/:id", .permission(.readBookings), worker),
            APIRoute(.post, "/v1/workers/:id/certificates", .permission(.manageWorkers), addCertificate),
            APIRoute(.post, "/v1/workers/:id/leave", .permission(.manageWorkers), addLeave),
            APIRoute(.put, "/v1/elders/:id/worker-preferences", .permission(.writeBookings), setPreference),
            APIRoute(.get, "/v1/volunteers/hours", .permission(.readBookings), volunteerHours),
        ]
    }

    @Sendable func providers(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(["providers": try await bookings.providers()])
    }

    struct ProviderBody: Decodable {
        var regions: [String]
        var contractNumber: String
        var contractUntil: CalendarDate
        var status: RecordStatus?
    }

    @Sendable func saveProvider(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "institution")
        let body = try await env.decode(ProviderBody.self, request)
        let saved = try await bookings.saveProvider(
            ServiceProvider(
                institutionId: id, regions: body.regions, contractNumber: body.contractNumber, contractUntil: body.contractUntil,
                status: body.status ?? .active), by: try context.caller)
        return try JSONCoding.response(saved)
    }

    @Sendable func createWorker(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let body = try await env.decode(NewServiceWorker.self, request)
        return try JSONCoding.response(try await bookings.createWorker(body, by: try context.caller), status: .created)
    }

    @Sendable func workers(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(
            try await bookings.workers(
                provider: try env.queryInt(request, "provider"), by: try context.caller, page: try env.pageRequest(request)))
    }

    @Sendable func worker(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let w = try await bookings.worker(id: try env.id(context, "worker"), by: try context.caller)
        return try JSONCoding.response(w, headers: .etag(w.version))
    }

    @Sendable func addCertificate(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "worker")
        let body = try await env.decode(Certificate.self, request)
        return try JSONCoding.response(try await bookings.addCertificate(body, toWorker: id, by: try context.caller), status: .created)
    }

    struct LeaveBody: Decodable {
        var start: Date
        var end: Date
        var reason: String
    }

    @Sendable func addLeave(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "worker")
        let body = try await env.decode(LeaveBody.self, request)
        let leave = WorkerLeave(workerId: id, start: body.start, end: body.end, reason: body.reason)
        return try JSONCoding.response(try await bookings.addLeave(leave, by: try context.caller), status: .created)
    }

    /// `GET /v1/volunteers/hours?from=2026-11-01&to=2026-12-01`: time-bank credit per volunteer.
    @Sendable func volunteerHours(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let to = try BookingController.dateQuery(env, request, "to") ?? Date()
        let from = try BookingController.dateQuery(env, request, "from") ?? to.addingTimeInterval(-30 * 86_400)
        guard from < to else { throw APIError.malformed(field: "from", detail: "from must be before to") }
        return try JSONCoding.response(["volunteers": try await bookings.volunteerHours(from: from, to: to, by: try context.caller)])
    }

    struct PreferenceBody: Decodable, NullableFields {
        static let nullableFields: Set<String> = ["preference"]
        var workerId: Int64
        /// `preferred`, `refused`, or null to clear.
        var preference: WorkerPreference?
    }

    @Sendable func setPreference(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let elder = try env.id(context, "elder")
        let body = try await env.decode(PreferenceBody.self, request)
        try await bookings.setPreference(elderId: elder, workerId: body.workerId, body.preference, by: try context.caller)
        return Response(status: .noContent)
    }
}

/// Visits: check-in and check-out from the worker's phone, no-shows, corrections and feedback.
struct VisitController: Sendable {
    let env: APIEnvironment
    let bookings: BookingStore

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/v1/visits/:id", .permission(.readBookings), get),
            APIRoute(.post, "/v1/visits/:id/on-the-way", .permission(.performVisits), onTheWay),
            APIRoute(.post, "/v1/visits/:id/check-in", .permission(.performVisits), checkIn),
            APIRoute(.post, "/v1/visits/:id/check-out", .permission(.performVisits), checkOut),
            APIRoute(.post, "/v1/visits/:id/no-show", .permission(.performVisits), noShow),
            APIRoute(.post, "/v1/visits/:id/correction", .permission(.writeBookings), correct),
            APIRoute(.post, "/v1/visits/:id/feedback", .permission(.writeBookings), feedback),
        ]
    }

    @Sendable func get(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await bookings.visit(try env.id(context, "visit"), by: try context.caller))
    }

    @Sendable func onTheWay(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await bookings.onTheWay(try env.id(context, "visit"), by: try context.caller))
    }

    @Sendable func checkIn(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "visit")
        let body = try await env.decode(VisitCheck.self, request)
        return try JSONCoding.response(try await bookings.checkIn(id, body, by: try context.caller))
    }

    @Sendable func checkOut(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "visit")
        let body = try await env.decode(VisitCheck.self, request)
        return try JSONCoding.response(try await bookings.checkOut(id, body, by: try context.caller))
    }

    @Sendable func noShow(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "visit")
        let body = try await env.decode(VisitCheck.self, request)
        return try JSONCoding.response(try await bookings.recordNoShow(id, body, by: try context.caller))
    }

    @Sendable func correct(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "visit")
        let body = try await env.decode(VisitCorrectionRequest.self, request)
        return try JSONCoding.response(try await bookings.correct(id, body, by: try context.caller))
    }

    @Sendable func feedback(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "visit")
        let body = try await env.decode(VisitFeedback.self, request)
        return try JSONCoding.response(try await bookings.feedback(id, body, by: try context.caller))
    }
}
