import CareModel
import CareStore
import Hummingbird

/// Accounts and their tokens, who the caller is, and the audit log.
struct AccountController: Sendable {
    let env: APIEnvironment
    /// Accounts, tokens and the audit log live in the shared core.
    let database: CareDatabase

    var routes: [APIRoute] {
        [
            APIRoute(.post, "/v1/accounts", .permission(.manageAccounts), create),
            APIRoute(.get, "/v1/accounts", .permission(.readAccounts), list),
            APIRoute(.get, "/v1/accounts/:id", .permission(.readAccounts), get),
            APIRoute(.patch, "/v1/accounts/:id", .permission(.manageAccounts), update),
            APIRoute(.get, "/v1/accounts/:id/tokens", .permission(.readAccounts), tokens),
            APIRoute(.post, "/v1/accounts/:id/tokens", .permission(.manageAccounts), issueToken),
            APIRoute(.delete, "/v1/tokens/:tokenId", .permission(.manageAccounts), revokeToken),
            // Any valid token: lets a client check who it is and what it may do.
            APIRoute(.get, "/v1/me", .authenticated, me),
            APIRoute(.get, "/v1/audit", .permission(.readAudit), audit),
        ]
    }

    @Sendable func create(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let account = try await database.createAccount(try await env.decode(NewAccount.self, request), by: who)
        return try JSONCoding.response(account, status: .created)
    }

    @Sendable func list(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let role = try env.query(request, "role", as: Role.self)
        return try JSONCoding.response(
            try await database.accounts(
                role: role, nameContains: env.queryText(request, "q"),
                page: try env.pageRequest(request)))
    }

    @Sendable func get(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await database.account(id: try env.id(context, "account")))
    }

    @Sendable func update(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let patch = try await env.decode(AccountPatch.self, request)
        return try JSONCoding.response(try await database.updateAccount(id: try env.id(context, "account"), patch, by: who))
    }

    @Sendable func tokens(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await database.tokens(accountId: try env.id(context, "account")))
    }

    @Sendable func issueToken(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let issued = try await database.issueToken(accountId: try env.id(context, "account"), by: who)
        return try JSONCoding.response(issued, status: .created)
    }

    @Sendable func revokeToken(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        return try JSONCoding.response(try await database.revokeToken(id: context.parameters.get("tokenId") ?? "", by: who))
    }

    @Sendable func me(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(WhoAmI(principal: try context.caller))
    }

    @Sendable func audit(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let filter = AuditFilter(
            entity: env.queryText(request, "entity"), entityId: env.queryText(request, "entityId"),
            actorAccountId: try env.queryInt(request, "actorAccountId"), elderId: try env.queryInt(request, "elder"))
        return try JSONCoding.response(try await database.auditLog(filter, page: try env.pageRequest(request)))
    }
}

/// The body of `GET /v1/me`.
struct WhoAmI: Encodable {
    var accountId: Int64?
    var name: String
    var role: Role
    var permissions: [Permission]

    init(principal: Principal) {
        accountId = principal.accountId
        name = principal.name
        role = principal.role
        permissions = Permission.allCases.filter(principal.allows)
    }
}
