import Foundation

/// Someone (or some organisation) that signs in with API tokens: a staff member, a
/// provider or an agency.
public struct Account: Codable, Hashable, Sendable, Identifiable {
    public var id: Int64
    public var name: String
    public var role: Role
    /// For provider and agency accounts: the institution they speak for.
    public var institutionId: Int64?
    public var status: RecordStatus
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, name: String, role: Role, institutionId: Int64?, status: RecordStatus, version: Int,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id; self.name = name; self.role = role; self.institutionId = institutionId
        self.status = status; self.version = version; self.createdAt = createdAt; self.updatedAt = updatedAt
    }

    public var principal: Principal { Principal(accountId: id, name: name, role: role) }
}

public struct NewAccount: Codable, Sendable {
    public var name: String
    public var role: Role
    public var institutionId: Int64?

    public init(name: String, role: Role, institutionId: Int64? = nil) {
        self.name = name; self.role = role; self.institutionId = institutionId
    }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        v.checkText(name, "name", maxLength: 100)
        try v.finish()
    }
}

public struct AccountPatch: Codable, Sendable {
    public var name: String?
    public var role: Role?
    public var institutionId: Int64?
    /// `inactive` stops every token of the account at once.
    public var status: RecordStatus?

    public init(name: String? = nil, role: Role? = nil, institutionId: Int64? = nil, status: RecordStatus? = nil) {
        self.name = name; self.role = role; self.institutionId = institutionId; self.status = status
    }
}

/// What is shown of an API token after it is issued: never the secret part.
public struct TokenInfo: Codable, Hashable, Sendable {
    /// The public prefix, e.g. `ec_k3j9x2qa`: enough to find and revoke the token.
    public var id: String
    public var accountId: Int64
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, accountId: Int64, createdAt: Date, revokedAt: Date?) {
        self.id = id; self.accountId = accountId; self.createdAt = createdAt; self.revokedAt = revokedAt
    }
}

/// A freshly issued token: the only time its full text exists outside the caller.
public struct IssuedToken: Codable, Sendable {
    public var info: TokenInfo
    public var token: String
    public init(info: TokenInfo, token: String) { self.info = info; self.token = token }
}

/// One entry of the append-only audit log.
public struct AuditEntry: Codable, Hashable, Sendable, Identifiable {
    public var id: Int64
    public var at: Date
    public var actorName: String
    public var actorAccountId: Int64?
    public var actorRole: Role
    /// `create`, `update`, `delete`, `deactivate`, `issue_token`, `revoke_token`, …
    public var action: String
    /// `elder`, `contact`, `device`, `region`, `institution`, `account`, `token`.
    public var entity: String
    public var entityId: String
    /// The names of the fields that changed; values are left out so the log holds no personal data.
    public var fields: [String]
    /// The elder whose record this concerns (every read and write of health data names one).
    public var elderId: Int64?
    /// Why the record was opened: `agency scope`, `call 42` (an operator breaking the glass) …
    public var reason: String?

    public init(
        id: Int64, at: Date, actorName: String, actorAccountId: Int64?, actorRole: Role, action: String,
        entity: String, entityId: String, fields: [String], elderId: Int64? = nil, reason: String? = nil
    ) {
        self.id = id; self.at = at; self.actorName = actorName; self.actorAccountId = actorAccountId
        self.actorRole = actorRole; self.action = action; self.entity = entity; self.entityId = entityId
        self.fields = fields; self.elderId = elderId; self.reason = reason
    }
}
