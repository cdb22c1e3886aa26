import CareModel
import Foundation
internal import GRDB

extension CareDatabase {
    public func createAccount(_ new: NewAccount, by who: Principal) async throws -> Account {
        try new.validate()
        return try await pool.write { db in try self.insertAccount(db, new, by: who) }
    }

    func insertAccount(_ db: Database, _ new: NewAccount, by who: Principal) throws -> Account {
        if let i = new.institutionId { _ = try RegistryStore.institution(db, id: i) }
        let now = clock.now()
        do {
            try db.execute(
                sql: """
                    INSERT INTO account (name, role, institution_id, status, version, created_at, updated_at)
                    VALUES (?, ?, ?, 'active', 1, ?, ?)
                    """, arguments: [new.name, new.role.rawValue, new.institutionId, now, now])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError.duplicate(field: "name", reason: "an account named \(new.name) with role \(new.role.rawValue) exists")
        }
        let id = db.lastInsertedRowID
        try audit(db, who, "create", "account", String(id), fields: ["role:\(new.role.rawValue)"])
        return try Self.account(db, id: id)
    }

    public func account(id: Int64) async throws -> Account {
        try await pool.read { db in try Self.account(db, id: id) }
    }

    static func account(_ db: Database, id: Int64) throws -> Account {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM account WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound(entity: "account", id: String(id))
        }
        return Account(row: row)
    }

    public func updateAccount(id: Int64, _ patch: AccountPatch, by who: Principal) async throws -> Account {
        // After the commit, so no lookup can re-cache the account as it was.
        defer { tokenCache.clear() }
        return try await pool.write { db in
            var a = try Self.account(db, id: id)
            var fields: [String] = []
            if let n = patch.name, n != a.name {
                var v = Validator(); v.checkText(n, "name", maxLength: 100); try v.finish()
                a.name = n; fields.append("name")
            }
            if let r = patch.role, r != a.role { a.role = r; fields.append("role") }
            if let i = patch.institutionId, i != a.institutionId {
                _ = try RegistryStore.institution(db, id: i); a.institutionId = i; fields.append("institutionId")
            }
            if let s = patch.status, s != a.status { a.status = s; fields.append("status") }
            // Nobody locks themselves out: another admin changes an account's own role or status.
            if id == who.accountId, let field = fields.first(where: { $0 == "role" || $0 == "status" }) {
                throw StoreError.conflict(reason: "you cannot change the \(field) of your own account; ask another administrator")
            }
            guard !fields.isEmpty else { return a }
            a.version += 1
            a.updatedAt = clock.now()
            try db.execute(
                sql: """
                    UPDATE account SET name = ?, role = ?, institution_id = ?, status = ?, version = ?, updated_at = ? WHERE id = ?
                    """, arguments: [a.name, a.role.rawValue, a.institutionId, a.status.rawValue, a.version, a.updatedAt, id])
            try audit(db, who, "update", "account", String(id), fields: fields)
            return a
        }
    }

    /// Accounts by id; `nameContains` matches anywhere in the name.
    public func accounts(role: Role?, nameContains: String? = nil, page: PageRequest) async throws -> Page<Account> {
        try await pool.read { db in
            var q = SQLQuery("SELECT * FROM account")
            if let role { q.where("role = ?", role.rawValue) }
            if let nameContains { q.where("instr(name, ?) > 0", nameContains) }
            if let after = page.after.flatMap(Int64.init) { q.where("id > ?", after) }
            q.suffix("ORDER BY id LIMIT ?", page.limit + 1)
            return Page.from(try q.fetchAll(db).map(Account.init(row:)), limit: page.limit) { String($0.id) }
        }
    }

    // MARK: Tokens

    /// Issues a new token for an account. The returned text is the only copy: only its hash is kept.
    public func issueToken(accountId: Int64, by who: Principal) async throws -> IssuedToken {
        let (id, token) = Secrets.makeToken(random)
        return try await pool.write { db in
            let account = try Self.account(db, id: accountId)
            guard account.status == .active else {
                throw StoreError.conflict(reason: "account \(accountId) is inactive; reactivate it before issuing tokens")
            }
            return try self.insertToken(db, id: id, token: token, accountId: accountId, by: who)
        }
    }

    /// Creates the account named `name` with `role` if it does not exist, then issues it a token.
    /// What `eldercare token create --role R --name N` does.
    public func issueToken(role: Role, name: String, by who: Principal) async throws -> (Account, IssuedToken) {
        try NewAccount(name: name, role: role).validate()
        let (id, token) = Secrets.makeToken(random)
        return try await pool.write { db in
            let existing = try Row.fetchOne(
                db, sql: "SELECT * FROM account WHERE name = ? AND role = ?",
                arguments: [name, role.rawValue]
            ).map(Account.init(row:))
            let account = try existing ?? self.insertAccount(db, NewAccount(name: name, role: role), by: who)
            guard account.status == .active else {
                throw StoreError.conflict(reason: "account \(account.id) is inactive; reactivate it before issuing tokens")
            }
            return (account, try self.insertToken(db, id: id, token: token, accountId: account.id, by: who))
        }
    }

    private func insertToken(_ db: Database, id: String, token: String, accountId: Int64, by who: Principal) throws -> IssuedToken {
        let now = clock.now()
        try db.execute(
            sql: "INSERT INTO api_token (id, account_id, hash, created_at) VALUES (?, ?, ?, ?)",
            arguments: [id, accountId, Secrets.hash(token), now])
        try audit(db, who, "issue_token", "token", id, fields: ["account:\(accountId)"])
        return IssuedToken(info: TokenInfo(id: id, accountId: accountId, createdAt: now, revokedAt: nil), token: token)
    }

    public func revokeToken(id: String, by who: Principal) async throws -> TokenInfo {
        defer { tokenCache.clear() }
        return try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM api_token WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound(entity: "token", id: id)
            }
            var info = TokenInfo(row: row)
            guard info.revokedAt == nil else { return info }
            info.revokedAt = clock.now()
            try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE id = ?", arguments: [info.revokedAt, id])
            try audit(db, who, "revoke_token", "token", id)
            return info
        }
    }

    public func tokens(accountId: Int64) async throws -> [TokenInfo] {
        try await pool.read { db in
            _ = try Self.account(db, id: accountId)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM api_token WHERE account_id = ? ORDER BY created_at",
                arguments: [accountId]
            ).map(TokenInfo.init(row:))
        }
    }

    /// Who holds `token`, or nil when it is unknown, revoked, malformed or its account inactive.
    public func authenticate(token: String) async throws -> Principal? {
        guard let id = Secrets.tokenID(of: token) else { return nil }
        let hash = Secrets.hash(token)
        let now = clock.now()
        if let cached = tokenCache.value(for: hash, now: now) { return cached }
        let principal = try pointRead { db -> Principal? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT t.hash, t.revoked_at, a.* FROM api_token t JOIN account a ON a.id = t.account_id WHERE t.id = ?
                            """), arguments: [id])
            else { return nil }
            let stored: Data = row["hash"]
            let revoked: Date? = row["revoked_at"]
            let account = Account(row: row)
            guard Secrets.constantTimeEqual(stored, hash), revoked == nil, account.status == .active else { return nil }
            return account.principal
        }
        if let principal { tokenCache.remember(principal, for: hash, now: now) }
        return principal
    }
}
