import CareModel
import CareStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id (the caller's `X-Request-Id` when it is sane, else a fresh one),
/// echoes it on the response, turns every error into problem+json, and logs one line per
/// request. Paths are logged without their query strings, which may hold names or phone numbers.
struct RequestEnvelopeMiddleware: RouterMiddleware {
    typealias Context = CareRequestContext
    let bodyLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let incoming = request.headers[.requestID], Self.isSane(incoming) {
            context.logger[metadataKey: "hb.request.id"] = .string(incoming)
        }
        let id = context.id
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            var problem = Problem.from(error, bodyLimit: bodyLimit)
            problem.instance = request.uri.path
            problem.requestId = id
            // SQLite's code and message say which constraint or failure it was; GRDB's own
            // description is never logged, since it can carry the statement's arguments.
            if let fault = DatabaseFault(error) {
                context.logger[metadataKey: "sqlite.code"] = "\(fault.code)"
                context.logger[metadataKey: "sqlite.message"] = .string(fault.message)
            }
            if problem.type == "urn:eldercare:problem:internal" {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            }
            // The FHIR face answers every error as an OperationOutcome, as FHIR clients expect.
            response = request.uri.path.hasPrefix(FHIRController.base) ? FHIRResponse.error(error, problem: problem) : problem.response()
        }
        response.headers[.requestID] = id
        let elapsed = ContinuousClock.now - started
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "status": .string(String(response.status.code)), "ms": .string(elapsed.millisecondsText),
            ])
        return response
    }

    static func isSane(_ id: String) -> Bool {
        (1...64).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

/// Finds who is calling from `Authorization: Bearer …`. Never refuses by itself: each route
/// states the access it needs (see ``CareRequestContext/check(_:)``), so public routes such as
/// `/health` answer even when a probe sends a stale token.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = CareRequestContext
    let database: CareDatabase

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer",
                let principal = try await database.authenticate(token: String(parts[1]))
            {
                context.principal = principal
                context.logger[metadataKey: "caller"] = .string(principal.name)
            }
        }
        return try await next(request, context)
    }
}

/// Refuses registry routes with 503 until migrations have run, so nothing reads a half-built schema.
struct ReadinessMiddleware: RouterMiddleware {
    typealias Context = CareRequestContext
    let readiness: Readiness

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/v1/") || request.uri.path.hasPrefix("/fhir/"), !readiness.isReady {
            throw APIError.notReady("The server is starting: database migrations are still running. Retry in a moment.")
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}
