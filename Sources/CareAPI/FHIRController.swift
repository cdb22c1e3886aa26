import CareModel
import Foundation
import HTTPTypes
import HealthArchive
import Hummingbird
import NIOCore

/// The health archive's FHIR R4 face at `/fhir/R4`: read, vread, history, create (conditional
/// with `If-None-Exist`), update with `If-Match`, delete, search with paging, and
/// `Patient/{id}/$everything`. A route needs `read_health` or `write_health`; which elders the
/// caller may see is then the archive's decision (``ArchiveAccess``), answered as an
/// OperationOutcome like every error here.
struct FHIRController {
    let env: APIEnvironment
    let archive: HealthArchive

    static let base = "/fhir/R4"

    var routes: [APIRoute] {
        let b = Self.base
        return [
            APIRoute(.get, b + "/metadata", .public, metadata),
            APIRoute(.get, b + "/Patient/:id/$everything", .permission(.readHealth), everything),
            APIRoute(.get, b + "/:type", .permission(.readHealth), search),
            APIRoute(.post, b + "/:type", .permission(.writeHealth), create),
            APIRoute(.get, b + "/:type/:id", .permission(.readHealth), read),
            APIRoute(.put, b + "/:type/:id", .permission(.writeHealth), update),
            APIRoute(.delete, b + "/:type/:id", .permission(.writeHealth), delete),
            APIRoute(.get, b + "/:type/:id/_history", .permission(.readHealth), history),
            APIRoute(.get, b + "/:type/:id/_history/:version", .permission(.readHealth), vread),
        ]
    }

    @Sendable func metadata(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        FHIRResponse.json(CapabilityStatement.text)
    }

    @Sendable func read(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let stored = try await archive.read(try type(context), id: try id(context), by: try context.caller)
        return FHIRResponse.resource(stored)
    }

    @Sendable func vread(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        guard let version = context.parameters.get("version").flatMap(Int.init) else {
            throw ArchiveRefusal(.notFound, code: "not-found", "a version is a whole number (…/_history/3)")
        }
        let stored = try await archive.read(try type(context), id: try id(context), version: version, by: try context.caller)
        return FHIRResponse.resource(stored)
    }

    @Sendable func history(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let versions = try await archive.history(try type(context), id: try id(context), by: try context.caller)
        return FHIRResponse.history(versions, base: base(request))
    }

    @Sendable func search(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let type = try type(context)
        let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let page = try await archive.search(type, parameters, by: try context.caller)
        let base = base(request)
        let selfLink = base + "/" + type.rawValue + query(parameters)
        let nextLink = page.next.map { position in
            base + "/" + type.rawValue + query(parameters.filter { $0.0 != "_cursor" } + [("_cursor", ArchiveQuery.cursor(position))])
        }
        return FHIRResponse.searchset(page, base: base, selfLink: selfLink, nextLink: nextLink)
    }

    @Sendable func everything(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        guard let elderId = context.parameters.get("id").flatMap(Int64.init) else {
            throw ArchiveRefusal(.notFound, code: "not-found", "Patient/\(context.parameters.get("id") ?? "") does not exist")
        }
        let all = try await archive.everything(elderId: elderId, by: try context.caller)
        return FHIRResponse.everything(all, base: base(request), selfLink: base(request) + "/Patient/\(elderId)/$everything")
    }

    @Sendable func create(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let type = try type(context)
        let json = try await body(request)
        var conditions: [(String, String)]?
        if let header = request.headers[.ifNoneExist] {
            conditions = URLComponents(string: "?" + header)?.queryItems?.map { ($0.name, $0.value ?? "") } ?? []
        }
        let (stored, created) = try await archive.create(json, as: type, ifNoneExist: conditions, by: try context.caller)
        return FHIRResponse.resource(stored, status: created ? .created : .ok, base: base(request))
    }

    @Sendable func update(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let json = try await body(request)
        let stored = try await archive.update(
            json, as: try type(context), id: try id(context), ifMatch: try env.expectedVersion(request), by: try context.caller)
        return FHIRResponse.resource(stored)
    }

    @Sendable func delete(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let stored = try await archive.delete(try type(context), id: try id(context), by: try context.caller)
        return Response(status: .noContent, headers: FHIRResponse.versionHeaders(stored))
    }

    // MARK: - Reading requests

    func type(_ context: CareRequestContext) throws -> FHIRResourceType {
        let name = context.parameters.get("type") ?? ""
        guard let type = FHIRResourceType(rawValue: name) else {
            let known = FHIRResourceType.allCases.map(\.rawValue).joined(separator: ", ")
            throw ArchiveRefusal(.notFound, code: "not-supported", "\(name) is not a resource type of this archive (it keeps \(known))")
        }
        return type
    }

    func id(_ context: CareRequestContext) throws -> String {
        let id = context.parameters.get("id") ?? ""
        guard (1...64).contains(id.count), id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
            throw ArchiveRefusal(.notFound, code: "not-found", "\(id) is not a FHIR id")
        }
        return id
    }

    func body(_ request: Request) async throws -> FHIRJSON {
        if let contentType = request.headers[.contentType]?.lowercased(),
            !contentType.hasPrefix("application/fhir+json") && !contentType.hasPrefix("application/json")
        {
            throw ArchiveRefusal(
                .invalid, code: "not-supported",
                "send resources as application/fhir+json (this server speaks JSON only), not \(contentType)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: env.bodyLimit)
        } catch is NIOTooManyBytesError {
            throw ArchiveRefusal(.invalid, code: "too-long", "the body is larger than \(env.bodyLimit) bytes")
        }
        return try FHIRJSON.parse(Data(buffer.readableBytesView))
    }

    /// The archive's base URL as the caller reached it, for `fullUrl` and links.
    func base(_ request: Request) -> String {
        "http://\(request.head.authority ?? "localhost")\(Self.base)"
    }

    func query(_ parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+")
        return "?"
            + parameters.map { name, value in
                name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
            }.joined(separator: "&")
    }
}

extension HTTPField.Name {
    static let ifNoneExist = HTTPField.Name("If-None-Exist")!
}
