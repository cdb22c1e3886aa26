import CareModel
import CareStore
import Foundation
import HTTPTypes
import HealthArchive
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The sync engine for agencies (Docs/sync-protocol.md): pull the feed of the agency's scope
/// after a cursor (NDJSON, or a FHIR `history` Bundle), push `batch`/`transaction` Bundles
/// based on known versions, see and settle conflicts, and prove convergence by checksum.
struct SyncController {
    let env: APIEnvironment
    let archive: HealthArchive

    /// Feed pages are larger than the API's lists: an agency's first sync reads its whole scope.
    static let defaultLimit = 1000
    static let maximumLimit = 10_000
    /// The longest a long-poll waits before answering with an empty page.
    static let maximumWait = 60

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/v1/sync/changes", .permission(.syncHealth), changes),
            APIRoute(.get, "/v1/sync/export", .permission(.syncHealth), export),
            APIRoute(.post, "/v1/sync/push", .permission(.syncHealth), push),
            APIRoute(.get, "/v1/sync/checksum", .permission(.syncHealth), checksum),
            APIRoute(.get, "/v1/sync/status", .permission(.syncHealth), status),
            APIRoute(.get, "/v1/sync/conflicts", .permission(.syncHealth), conflicts),
            APIRoute(.post, "/v1/sync/conflicts/:id/resolve", .permission(.syncHealth), resolve),
        ]
    }

    @Sendable func changes(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        var limit = Self.defaultLimit
        if let text = env.queryValue(request, "limit") {
            guard let n = Int(text), (1...Self.maximumLimit).contains(n) else {
                throw APIError.malformed(field: "limit", detail: "limit must be a whole number from 1 to \(Self.maximumLimit)")
            }
            limit = n
        }
        var wait = 0
        if let text = env.queryValue(request, "wait") {
            guard let n = Int(text), (0...Self.maximumWait).contains(n) else {
                throw APIError.malformed(field: "wait", detail: "wait must be a whole number of seconds from 0 to \(Self.maximumWait)")
            }
            wait = n
        }
        let page = try await archive.syncChanges(
            since: env.queryText(request, "since"), limit: limit, wait: .seconds(wait), acting: try env.queryInt(request, "agency"),
            by: try context.caller)
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Sync-Next")!] = page.next.description
        if request.headers[.accept]?.contains("application/fhir+json") == true {
            return FHIRResponse.json(
                historyBundle(
                    page, base: "http://\(request.head.authority ?? "localhost")\(FHIRController.base)",
                    next: "http://\(request.head.authority ?? "localhost")/v1/sync/changes?since=\(page.next)"), headers: headers)
        }
        var buffer = ByteBuffer()
        for change in page.changes {
            buffer.writeString(change.line)
            buffer.writeString("\n")
        }
        buffer.writeString(page.trailer)
        buffer.writeString("\n")
        headers[.contentType] = "application/x-ndjson"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// The page as a FHIR `history` Bundle: a version is a PUT (a POST for a first version), a
    /// deletion a DELETE; an elder leaving the scope is a DELETE of their Patient, which an agency
    /// applies by purging that elder's archive. The next cursor is the `next` link.
    func historyBundle(_ page: SyncPage, base: String, next: String) -> String {
        var text = #"{"resourceType":"Bundle","type":"history","link":[{"relation":"next","url":"#
        text += FHIRJSON.string(next).text + "}],\"entry\":["
        var first = true
        for change in page.changes where change.op != .enter {
            if !first { text += "," }
            first = false
            let reference = change.op == .leave ? "Patient/\(change.elderId)" : "\(change.type?.rawValue ?? "")/\(change.id ?? "")"
            text += #"{"fullUrl":"# + FHIRJSON.string("\(base)/\(reference)").text
            if let json = change.json, !json.isEmpty { text += #","resource":"# + json }
            let method = change.op == .create ? "POST" : change.op == .delete || change.op == .leave ? "DELETE" : "PUT"
            let url = change.op == .create ? (change.type?.rawValue ?? "") : reference
            text += #","request":{"method":""# + method + #"","url":"# + FHIRJSON.string(url).text + "}"
            let status = change.op == .create ? "201" : change.op == .delete || change.op == .leave ? "204" : "200"
            text += #","response":{"status":""# + status + "\""
            if let version = change.version { text += #","etag":"# + FHIRJSON.string("W/\"\(version)\"").text }
            text += "}}"
        }
        return text + "]}"
    }

    /// The agency's whole scope as NDJSON, streamed elder by elder (constant memory however large
    /// the scope), ending with the cursor from which the feed continues.
    @Sendable func export(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let principal = try context.caller
        let export = try await archive.syncExportStart(
            types: env.queryText(request, "_type"), since: env.queryText(request, "_since"), acting: try env.queryInt(request, "agency"),
            by: principal)
        let archive = self.archive
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        headers[HTTPField.Name("X-Sync-Next")!] = String(export.position)
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var after: Int64 = 0
                while true {
                    let chunk = try await archive.syncExportChunk(export, afterElder: after, by: principal)
                    var buffer = ByteBuffer()
                    for change in chunk.changes {
                        buffer.writeString(change.line)
                        buffer.writeString("\n")
                    }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                    guard let last = chunk.lastElder else { break }
                    after = last
                }
                try await writer.write(ByteBuffer(string: SyncPage(changes: [], next: .log(export.position), more: false).trailer + "\n"))
                try await writer.finish(nil)
            })
    }

    @Sendable func push(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        // A pushed Bundle is FHIR: every refusal is an OperationOutcome, like the FHIR face's.
        do {
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: env.bodyLimit)
            } catch is NIOTooManyBytesError {
                throw ArchiveRefusal(.invalid, code: "too-long", "the Bundle is larger than \(env.bodyLimit) bytes: push it in parts")
            }
            let pushId = request.headers[HTTPField.Name("X-Push-Id")!]
            let answer = try await archive.syncPush(
                Data(buffer.readableBytesView), pushId: pushId, acting: try env.queryInt(request, "agency"), by: try context.caller)
            var headers = HTTPFields()
            if answer.replayed { headers[HTTPField.Name("X-Push-Replayed")!] = "true" }
            return FHIRResponse.json(answer.json, status: .init(code: answer.status), headers: headers)
        } catch {
            return FHIRResponse.error(error, problem: Problem.from(error, bodyLimit: env.bodyLimit))
        }
    }

    @Sendable func checksum(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(
            try await archive.syncChecksum(
                at: env.queryText(request, "at"), acting: try env.queryInt(request, "agency"), by: try context.caller))
    }

    @Sendable func status(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await archive.syncStatus(acting: try env.queryInt(request, "agency"), by: try context.caller))
    }

    @Sendable func conflicts(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let status = env.queryValue(request, "status")
        if let status, !["open", "resolved"].contains(status) {
            throw APIError.malformed(field: "status", detail: "status must be one of: open, resolved")
        }
        let page = try await archive.syncConflicts(
            status: status, page: try env.pageRequest(request), acting: try env.queryInt(request, "agency"),
            by: try context.caller)
        return try JSONCoding.response(page)
    }

    @Sendable func resolve(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let id = try env.id(context, "conflict")
        let buffer = try await request.body.collect(upTo: env.bodyLimit)
        let body: FHIRJSON
        do {
            body = try FHIRJSON.parse(Data(buffer.readableBytesView))
        } catch {
            throw APIError.malformed(field: "body", detail: error.summary)
        }
        guard let choice = body["choice"]?.string else {
            throw APIError.malformed(field: "choice", detail: "choice must be platform, agency or merged")
        }
        let resolved = try await archive.syncResolve(conflictId: id, choice: choice, resource: body["resource"], by: try context.caller)
        return try JSONCoding.response(resolved)
    }
}

/// Drops sync feed rows older than the longest offline window, once an hour. Sleeps in short
/// steps so that a shutdown never waits for the hour.
struct SyncFeedPruner: Service {
    let archive: HealthArchive
    let clock: CareClock
    let keepDays: Int
    let logger: Logger
    let isReady: @Sendable () -> Bool

    func run() async throws {
        var due = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if isReady(), ContinuousClock.now >= due {
                do {
                    let removed = try await archive.store.pruneFeed(olderThan: clock.now().addingTimeInterval(-Double(keepDays) * 86_400))
                    if removed > 0 { logger.info("sync feed pruned", metadata: ["rows": "\(removed)", "keptDays": "\(keepDays)"]) }
                } catch {
                    logger.error("sync feed pruning failed", metadata: ["error": "\(error)"])
                }
                due = ContinuousClock.now + .seconds(3600)
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}
