import CareModel
import CareStore
import Foundation
internal import GRDB

/// The sync feed: its rows, each agency's scope over time, pulls, checksums and status.
extension ArchiveStore {
    /// The sync engine's migrations, registered after every other store's.
    public static let syncMigrations = SyncSchema.migrations

    // MARK: - Writing the feed, inside the change's transaction

    /// Appends one feed row for a version of a resource and returns its position. One insert:
    /// a device's vitals pay nothing more for the feed.
    func logChange(
        _ db: Database, _ op: String, elderId: Int64, rid: Int64?, type: FHIRResourceType, id: String, version: Int, at now: Date
    ) throws -> Int64 {
        try db.cachedStatement(
            sql: "INSERT INTO health_change (at_ms, op, elder_id, rid, type, id, version) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).run {
            $0.add(now.millis); $0.add(op); $0.add(elderId); $0.add(rid); $0.add(type.rawValue); $0.add(id); $0.add(version)
        }
        database.noteChangeForWaiters()
        return db.lastInsertedRowID
    }

    func logScope(_ db: Database, _ op: String, elderId: Int64, institutionId: Int64, at now: Date) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO health_change (at_ms, op, elder_id, institution_id) VALUES (?, ?, ?, ?)",
            arguments: [now.millis, op, elderId, institutionId])
        database.noteChangeForWaiters()
        return db.lastInsertedRowID
    }

    // MARK: - Agencies and their scopes

    /// The agency an account acts for, or the refusal: sync is for agency accounts of a health
    /// centre or hospital, and for administrators naming the agency they act for.
    public func agency(of principal: Principal, acting institutionId: Int64? = nil) async throws -> SyncAgency {
        switch principal.role {
        case .agency:
            let found = try await database.read { db in
                try principal.accountId.flatMap { id in
                    try Row.fetchOne(
                        db,
                        sql:
                            "SELECT i.id, i.name, i.kind, i.region_code FROM account a JOIN institution i ON i.id = a.institution_id WHERE a.id = ?",
                        arguments: [id])
                }.flatMap(Self.agency(row:))
            }
            guard let found else {
                throw ArchiveRefusal(
                    .unprocessable, code: "business-rule",
                    "this agency account is not linked to a health centre or hospital; ask an administrator to set its institution")
            }
            return found
        case .admin:
            guard let institutionId else {
                throw ArchiveRefusal(
                    .unprocessable, code: "required", expression: "agency",
                    "an administrator names the agency to act for (?agency= its institution id)")
            }
            let found = try await database.read { db in
                try Row.fetchOne(db, sql: "SELECT id, name, kind, region_code FROM institution WHERE id = ?", arguments: [institutionId])
                    .flatMap(Self.agency(row:))
            }
            guard let found else {
                throw ArchiveRefusal(.notFound, code: "not-found", "institution \(institutionId) is not a health centre or hospital")
            }
            return found
        default:
            throw ArchiveRefusal(
                .forbidden, code: "forbidden",
                "sync is for agency accounts (health centres, hospitals), not the \(principal.role.rawValue) role")
        }
    }

    static func agency(row: Row) -> SyncAgency? {
        guard let kind = InstitutionKind(rawValue: row["kind"]), kind == .communityHealthCentre || kind == .hospital else { return nil }
        return SyncAgency(institutionId: row["id"], name: row["name"], kind: kind, regionCode: row["region_code"])
    }

    /// The elders an agency may hold now, by the rules of ``ArchiveAccess``: consenting elders
    /// with an archive, enrolled with it or (a health centre) living in its area.
    func scopeNow(_ db: Database, _ agency: SyncAgency) throws -> Set<Int64> {
        let inArea = agency.kind == .communityHealthCentre
        return Set(
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT e.id FROM elder e JOIN health_archive a ON a.elder_id = e.id
                    WHERE e.consent_share_health = 1
                      AND (e.id IN (SELECT elder_id FROM health_enrolment WHERE institution_id = ?) OR (? AND e.region_code LIKE ?))
                    """, arguments: [agency.institutionId, inArea, RegionCode.prefix(of: agency.regionCode) + "%"]))
    }

    func members(_ db: Database, institutionId: Int64) throws -> Set<Int64> {
        Set(
            try Int64.fetchAll(
                db, sql: "SELECT elder_id FROM sync_membership WHERE institution_id = ? AND left_seq IS NULL", arguments: [institutionId]))
    }

    /// Brings the agency's recorded scope up to what it is now, writing an `enter` or `leave`
    /// row for each elder that came or went. The registry (moves, consent) changes elders
    /// without knowing the archive, so this runs before every pull, and on enrolments in their
    /// own transaction.
    func reconcile(_ db: Database, _ agency: SyncAgency) throws {
        let now = try scopeNow(db, agency), recorded = try members(db, institutionId: agency.institutionId)
        guard now != recorded else { return }
        let at = database.clock.now()
        for elder in now.subtracting(recorded).sorted() {
            let seq = try logScope(db, "enter", elderId: elder, institutionId: agency.institutionId, at: at)
            try db.execute(
                sql: "INSERT INTO sync_membership (institution_id, elder_id, entered_seq) VALUES (?, ?, ?)",
                arguments: [agency.institutionId, elder, seq])
        }
        for elder in recorded.subtracting(now).sorted() {
            let entered =
                try Int64.fetchOne(
                    db, sql: "SELECT entered_seq FROM sync_membership WHERE institution_id = ? AND elder_id = ? AND left_seq IS NULL",
                    arguments: [agency.institutionId, elder]) ?? 0
            let changedAt = try String.fetchOne(db, sql: "SELECT updated_at FROM elder WHERE id = ?", arguments: [elder])
                .flatMap(SQLText.date(fromTimeText:))
            let seq = try logScope(db, "leave", elderId: elder, institutionId: agency.institutionId, at: at)
            // Hiding more than needed only hides changes the agency is about to purge; but what a
            // pull already handed out stays handed out, so that checksums stay true to the feed.
            let delivered =
                try Int64.fetchOne(db, sql: "SELECT value FROM sync_meta WHERE key = ?", arguments: ["delivered:\(agency.institutionId)"])
                ?? 0
            let cut = max(
                entered + 1, delivered + 1, try changedAt.map { try Self.firstPosition(db, atOrAfter: $0.millis, upTo: seq) } ?? seq)
            try db.execute(
                sql: "UPDATE sync_membership SET left_seq = ?, cut_seq = ? WHERE institution_id = ? AND elder_id = ? AND left_seq IS NULL",
                arguments: [seq, min(cut, seq), agency.institutionId, elder])
        }
    }

    /// The first feed position written at or after a time, found by bisection (positions and
    /// their times grow together under the one writer), or `upTo` when none is earlier.
    static func firstPosition(_ db: Database, atOrAfter millis: Int64, upTo last: Int64) throws -> Int64 {
        var low = try floor(db) + 1, high = last
        while low < high {
            let mid = low + (high - low) / 2
            let at = try Int64.fetchOne(db.cachedStatement(sql: "SELECT at_ms FROM health_change WHERE seq = ?"), arguments: [mid])
            if let at, at < millis { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// ``reconcile(_:_:)`` for an institution by id (enrolments), when it is an agency.
    func reconcile(_ db: Database, institutionId: Int64) throws {
        guard
            let agency = try Row.fetchOne(
                db, sql: "SELECT id, name, kind, region_code FROM institution WHERE id = ?", arguments: [institutionId]
            ).flatMap(Self.agency(row:))
        else { return }
        try reconcile(db, agency)
    }

    /// Records scope changes the registry made since the last look; a write only when there are any.
    public func reconcileScope(of agency: SyncAgency) async throws {
        let changed = try await database.read { db in try self.scopeNow(db, agency) != self.members(db, institutionId: agency.institutionId)
        }
        if changed { try await database.write { db in try self.reconcile(db, agency) } }
    }

    // MARK: - Pulling

    /// The agency's feed after `cursor`: at most `limit` rows of the log (an `enter` brings the
    /// elder's whole archive as it was at that position), or during a first sync, the scope as
    /// it was when the sync began, elder by elder. Read in one transaction, so a page is
    /// consistent however many writes go on.
    /// With `record` false the pull is not yet recorded (a long-poll waiting for a change
    /// records only the page it answers with, see ``recordPull(_:after:_:by:)``); with
    /// `reconcile` false the scope is taken as last recorded (a long-poll woken again).
    public func changes(
        for agency: SyncAgency, after cursor: SyncCursor, limit: Int, by principal: Principal, record: Bool = true,
        reconcile: Bool = true
    ) async throws -> SyncPage {
        if reconcile { try await reconcileScope(of: agency) }
        let page = try await database.read { db -> SyncPage in
            let head = try Self.head(db)
            let floor = try Self.floor(db)
            switch cursor {
            case .log(let since):
                try Self.check(since, floor: floor, head: head)
                return try self.logPage(db, agency, since: since, head: head, limit: limit)
            case .snapshot(let at, let after):
                let at = at == 0 ? head : at
                try Self.check(at, floor: floor, head: head)
                return try self.snapshotPage(db, agency, at: at, afterElder: after, head: head, limit: limit)
            }
        }
        if record { try await recordPull(agency, after: cursor, page, by: principal) }
        return page
    }

    /// Records a pull: the cursor the system asked from (what it confirmed holding), the last
    /// position handed out, and an audit entry per elder whose records left the platform.
    public func recordPull(_ agency: SyncAgency, after cursor: SyncCursor, _ page: SyncPage, by principal: Principal) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO sync_agency (institution_id, account_id, cursor, last_pull_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (institution_id, account_id) DO UPDATE SET cursor = excluded.cursor, last_pull_at = excluded.last_pull_at
                    """,
                arguments: [agency.institutionId, principal.accountId ?? 0, cursor.position, SQLText.time(self.database.clock.now())])
            try db.execute(
                sql: "INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
                arguments: ["delivered:\(agency.institutionId)", page.next.delivered])
            // Health data left the platform: recorded per elder, like any read.
            var seen = Set<Int64>()
            for change in page.changes where change.op != .leave && seen.insert(change.elderId).inserted {
                try self.database.audit(
                    db, principal, "sync_pull", "Patient", String(change.elderId), elderId: change.elderId,
                    reason: "sync scope of \(agency.name)")
            }
        }
    }

    /// The feed's last position.
    static func head(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'health_change'") ?? 0
    }

    /// The first position still kept: an older cursor cannot be continued.
    static func floor(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM sync_meta WHERE key = 'floor'") ?? 0
    }

    static func check(_ position: Int64, floor: Int64, head: Int64) throws {
        if position < floor {
            throw ArchiveRefusal(
                .gone, code: "expired",
                "the feed no longer holds changes after position \(position) (kept from \(floor) on, for the longest offline window): re-sync from scratch with since=0 and purge your copy"
            )
        }
        if position > head {
            throw ArchiveRefusal(
                .invalid, code: "value",
                "position \(position) is ahead of the feed (last \(head)): this cursor is not from this server; re-sync from scratch with since=0"
            )
        }
    }

    /// The rows of the feed an agency sees: its own scope events, and changes to elders while
    /// they were in its scope.
    static let feedFilter = """
        (c.institution_id = :agency OR (c.institution_id IS NULL AND EXISTS (
            SELECT 1 FROM sync_membership m WHERE m.institution_id = :agency AND m.elder_id = c.elder_id
            AND m.entered_seq < c.seq AND (m.left_seq IS NULL OR m.cut_seq > c.seq))))
        """

    func logPage(_ db: Database, _ agency: SyncAgency, since: Int64, head: Int64, limit: Int) throws -> SyncPage {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT c.seq, c.op, c.elder_id, c.rid, c.type, c.id, c.version FROM health_change c
                WHERE c.seq > :since AND c.seq <= :head AND \(Self.feedFilter) ORDER BY c.seq LIMIT :limit
                """, arguments: ["since": since, "head": head, "agency": agency.institutionId, "limit": limit])
        var changes: [SyncChange] = []
        for row in rows {
            let seq: Int64 = row["seq"], elder: Int64 = row["elder_id"]
            guard let op = SyncChange.Op(rawValue: row["op"]) else { continue }
            switch op {
            case .enter:
                changes.append(SyncChange(seq: seq, op: .enter, elderId: elder))
                changes += try snapshot(db, elderId: elder, asOf: seq)
            case .leave, .snapshot:
                changes.append(SyncChange(seq: seq, op: op, elderId: elder))
            case .create, .update, .delete:
                let version: Int = row["version"], rid: Int64 = row["rid"]
                let json = op == .delete ? nil : try content(db, rid: rid, version: version)
                changes.append(
                    SyncChange(
                        seq: seq, op: op, elderId: elder, type: FHIRResourceType(rawValue: row["type"]), id: row["id"], version: version,
                        json: json))
            }
        }
        let full = rows.count == limit
        return SyncPage(changes: changes, next: .log(full ? rows.last!["seq"] : head), more: full)
    }

    func snapshotPage(_ db: Database, _ agency: SyncAgency, at: Int64, afterElder: Int64, head: Int64, limit: Int) throws -> SyncPage {
        let elders = try members(db, institutionId: agency.institutionId, at: at, afterElder: afterElder, limit: limit + 1)
        var changes: [SyncChange] = []
        var last = afterElder
        for member in elders.prefix(limit) {
            changes.append(SyncChange(seq: at, op: .enter, elderId: member.elder))
            changes += try snapshot(db, elderId: member.elder, asOf: member.asOf).map {
                var c = $0; c.seq = at; return c
            }
            last = member.elder
            if changes.count >= limit { break }
        }
        if last != elders.last?.elder ?? afterElder {
            return SyncPage(changes: changes, next: .snapshot(at: at, afterElder: last), more: true)
        }
        return SyncPage(changes: changes, next: .log(at), more: at < head)
    }

    /// An elder's archive as it was at a position: each resource's latest version no later.
    func snapshot(_ db: Database, elderId: Int64, asOf seq: Int64) throws -> [SyncChange] {
        try versions(db, elderId: elderId, asOf: seq).map {
            SyncChange(seq: seq, op: .snapshot, elderId: elderId, type: $0.type, id: $0.id, version: $0.version, json: $0.json)
        }
    }

    /// The live versions of an elder's resources at a feed position (tombstones left out).
    func versions(
        _ db: Database, elderId: Int64, asOf seq: Int64
    ) throws -> [SnapshotVersion] {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT rid, type, id, version, updated_ms, deleted, json, change_seq FROM health_resource WHERE elder_id = ?
                    ORDER BY type != 'Patient', rid
                    """), arguments: [elderId])
        var out: [SnapshotVersion] = []
        for row in rows {
            guard let type = FHIRResourceType(rawValue: row["type"]) else { continue }
            var version: Int = row["version"], deleted: Bool = row["deleted"], json: String = row["json"]
            var updated: Int64 = row["updated_ms"]
            if (row["change_seq"] as Int64) > seq {
                guard
                    let old = try Row.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT version, updated_ms, deleted, json FROM health_resource_version WHERE rid = ? AND change_seq <= ?
                                ORDER BY version DESC LIMIT 1
                                """), arguments: [row["rid"] as Int64, seq])
                else { continue }  // made after the position
                version = old["version"]; deleted = old["deleted"]; json = old["json"]; updated = old["updated_ms"]
            }
            if !deleted { out.append(SnapshotVersion(type: type, id: row["id"], version: version, updatedMs: updated, json: json)) }
        }
        return out
    }

    /// One chunk of a bulk export: the live resources of the next `limit` elders in the agency's
    /// scope at `position`, as they were then, optionally only some types and only those changed
    /// since a time. Each chunk is its own read, so memory stays one chunk's whatever the scope:
    /// it ends after the elder that takes it to `rows` records (elders followed for years hold
    /// hundreds each, and 200 of them held a server's memory at 100,000 records at once).
    public func exportChunk(
        for agency: SyncAgency, at position: Int64, afterElder: Int64, limit: Int, rows: Int = 5_000, types: Set<FHIRResourceType>?,
        since: Date?
    ) async throws -> (changes: [SyncChange], lastElder: Int64?) {
        try await database.read { db in
            let elders = try self.members(db, institutionId: agency.institutionId, at: position, afterElder: afterElder, limit: limit)
            var changes: [SyncChange] = []
            for member in elders {
                let elder = member.elder
                for v in try self.versions(db, elderId: elder, asOf: member.asOf) {
                    if let types, !types.contains(v.type) { continue }
                    if let since, v.updatedMs < since.millis { continue }
                    changes.append(
                        SyncChange(seq: position, op: .snapshot, elderId: elder, type: v.type, id: v.id, version: v.version, json: v.json))
                }
                if changes.count >= rows, elder != elders.last?.elder { return (changes, elder) }
            }
            return (changes, elders.count == limit ? elders.last?.elder : nil)
        }
    }

    /// The feed's last position now, after bringing the agency's scope up to date.
    public func head(for agency: SyncAgency) async throws -> Int64 {
        try await reconcileScope(of: agency)
        return try await database.read { db in try Self.head(db) }
    }

    /// The served JSON of one version, current or old.
    func content(_ db: Database, rid: Int64, version: Int) throws -> String? {
        if let json = try String.fetchOne(
            db.cachedStatement(sql: "SELECT json FROM health_resource WHERE rid = ? AND version = ?"), arguments: [rid, version])
        {
            return json
        }
        return try String.fetchOne(
            db.cachedStatement(sql: "SELECT json FROM health_resource_version WHERE rid = ? AND version = ?"), arguments: [rid, version])
    }

    /// The elders in an agency's scope at a position, each with the position its archive is to
    /// be read at: the position itself, or for an elder whose changes are already hidden (the
    /// registry took them out, the leave line is still to come) the last one before that.
    func members(
        _ db: Database, institutionId: Int64, at seq: Int64, afterElder: Int64 = 0, limit: Int = Int.max
    ) throws -> [(
        elder: Int64, asOf: Int64
    )] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT elder_id, cut_seq FROM sync_membership WHERE institution_id = ? AND elder_id > ? AND entered_seq <= ?
                AND (left_seq IS NULL OR left_seq > ?) ORDER BY elder_id LIMIT ?
                """, arguments: [institutionId, afterElder, seq, seq, limit]
        ).map { row in
            let cut: Int64? = row["cut_seq"]
            return (row["elder_id"], cut.map { $0 <= seq ? $0 - 1 : seq } ?? seq)
        }
    }

    // MARK: - Integrity

    /// The count and digest of what the agency should hold at a position (the feed's last when
    /// nil): the live version of every resource of every elder then in its scope.
    public func checksum(for agency: SyncAgency, at position: Int64?) async throws -> SyncChecksum {
        try await database.read { db in
            let head = try Self.head(db)
            let at = position ?? head
            if at > head {
                throw ArchiveRefusal(.invalid, code: "value", "position \(at) is ahead of the feed (last \(head))")
            }
            var digest = SyncDigest()
            let elders = try self.members(db, institutionId: agency.institutionId, at: at)
            for member in elders {
                for v in try self.versions(db, elderId: member.elder, asOf: member.asOf) {
                    digest.add(type: v.type.rawValue, id: v.id, version: v.version)
                }
            }
            return SyncChecksum(at: String(at), elders: elders.count, count: digest.count, digest: digest.hex)
        }
    }

    /// Where the calling system of the agency stands: its last pull's cursor, what is waiting
    /// for it, the agency's open conflicts and its own last refused push.
    public func status(for agency: SyncAgency, by principal: Principal) async throws -> SyncStatus {
        try await database.read { db in
            let head = try Self.head(db)
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM sync_agency WHERE institution_id = ? AND account_id = ?",
                arguments: [agency.institutionId, principal.accountId ?? 0])
            let cursor: Int64? = row?["cursor"]
            var pending = 0
            if let cursor {
                pending =
                    try Int.fetchOne(
                        db,
                        sql: "SELECT count(*) FROM (SELECT 1 FROM health_change c WHERE c.seq > :since AND \(Self.feedFilter) LIMIT 10000)",
                        arguments: ["since": cursor, "agency": agency.institutionId]) ?? 0
            } else {
                pending = try self.members(db, institutionId: agency.institutionId).count
            }
            let open =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM sync_conflict WHERE institution_id = ? AND status = 'open'",
                    arguments: [agency.institutionId]) ?? 0
            return SyncStatus(
                agency: agency.name, cursor: cursor.map(String.init), head: head, pending: pending, openConflicts: open,
                lastPullAt: row?["last_pull_at"], lastPushAt: row?["last_push_at"], lastError: row?["last_error"],
                lastErrorAt: row?["last_error_at"], inSync: cursor != nil && pending == 0 && open == 0)
        }
    }

    // MARK: - Retention

    /// Drops feed rows older than `cutoff` (the configured longest offline window ago), keeping
    /// the last one so positions never restart; a cursor older than what is kept is then told
    /// to re-sync from scratch. Returns how many rows went.
    @discardableResult
    public func pruneFeed(olderThan cutoff: Date) async throws -> Int {
        try await database.write { db in
            let head = try Self.head(db)
            // By bisection rather than a scan of the whole feed; the last row always stays.
            let last = try Self.firstPosition(db, atOrAfter: cutoff.millis, upTo: head) - 1
            guard last > (try Self.floor(db)) else { return 0 }
            try db.execute(sql: "DELETE FROM health_change WHERE seq <= ?", arguments: [last])
            let removed = db.changesCount
            try db.execute(
                sql: "INSERT INTO sync_meta (key, value) VALUES ('floor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [last])
            return removed
        }
    }
}

extension SyncCursor {
    /// The last position whose changes a page handed out.
    var delivered: Int64 {
        switch self {
        case .log(let n): n
        case .snapshot(let at, _): at
        }
    }

    /// What the agency holds: for a first sync in progress, nothing yet (0).
    var position: Int64 {
        switch self {
        case .log(let n): n
        case .snapshot: 0
        }
    }
}

/// One live version of a resource at a feed position.
struct SnapshotVersion {
    var type: FHIRResourceType
    var id: String
    var version: Int
    var updatedMs: Int64
    var json: String
}
