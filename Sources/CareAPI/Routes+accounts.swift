import CareModel
import CareStore
import Hummingbird

extension APIEnvironment {
    var accountRoutes: [APIRoute] {
        [
            APIRoute(.post, "/v1/accounts", .permission(.manageAccounts)) { request, context in
                let who = try context.caller
                let account = try await database.createAccount(try await decode(NewAccount.self, request), by: who)
                return try JSONCoding.response(account, status: .created)
            },
            APIRoute(.get, "/v1/accounts", .permission(.readAccounts)) { request, context in
                let role = try query(request, "role", as: Role.self)
                return try JSONCoding.response(try await database.accounts(role: role, nameContains: queryText(request, "q"),
                                                                            page: try pageRequest(request)))
            },
            APIRoute(.get, "/v1/accounts/:id", .permission(.readAccounts)) { _, context in
                return try JSONCoding.response(try await database.account(id: try id(context, "account")))
            },
            APIRoute(.patch, "/v1/accounts/:id", .permission(.manageAccounts)) { request, context in
                let who = try context.caller
                let patch = try await decode(AccountPatch.self, request)
                return try JSONCoding.response(try await database.updateAccount(id: try id(context, "account"), patch, by: who))
            },
            APIRoute(.get, "/v1/accounts/:id/tokens", .permission(.readAccounts)) { _, context in
                return try JSONCoding.response(try await database.tokens(accountId: try id(context, "account")))
            },
            APIRoute(.post, "/v1/accounts/:id/tokens", .permission(.manageAccounts)) { _, context in
                let who = try context.caller
                let issued = try await database.issueToken(accountId: try id(context, "account"), by: who)
                return try JSONCoding.response(issued, status: .created)
            },
            APIRoute(.delete, "/v1/tokens/:tokenId", .permission(.manageAccounts)) { _, context in
                let who = try context.caller
                return try JSONCoding.response(try await database.revokeToken(id: context.parameters.get("tokenId") ?? "", by: who))
            },
            APIRoute(.get, "/v1/me", .authenticated) { _, context in
                // Any valid token: lets a client check who it is and what it may do.
                let who = try context.caller
                return try JSONCoding.response(WhoAmI(principal: who))
            },
            APIRoute(.get, "/v1/audit", .permission(.readAudit)) { request, context in
                let filter = AuditFilter(entity: queryText(request, "entity"), entityId: queryText(request, "entityId"),
                                         actorAccountId: try queryInt(request, "actorAccountId"))
                return try JSONCoding.response(try await database.auditLog(filter, page: try pageRequest(request)))
            },
        ]
    }
}

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
