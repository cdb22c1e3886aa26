import CareModel
import CareStore
import Foundation
internal import GRDB

/// A finding as it stands.
public struct Finding: Codable, Sendable, Hashable {
    public var id: Int64
    public var inspectionId: Int64
    public var institutionId: Int64
    public var domain: InspectionDomain
    public var severity: FindingSeverity
    public var scope: FindingScope
    public var clause: String?
    public var description: String
    public var status: FindingStatus
    public var deadline: Date
    /// When the finding stopped the institution's operating subsidy, if it did.
    public var subsidySuspendedAt: Date?
    /// When it goes (or went) on the public list.
    public var publishAfter: Date?
    public var publishedAt: Date?
    /// The institution's reply, shown beside the finding when it is published.
    public var reply: String?
    public var rectifiedAt: Date?
}

public struct InspectionRecord: Codable, Sendable, Hashable {
    public var id: Int64
    public var institutionId: Int64
    public var inspectedOn: CalendarDate
    public var inspector: String
    public var findings: [Finding]
}

/// A published violation (向社会公布): the institution and what was found, nothing about any resident.
public struct PublishedViolation: Codable, Sendable, Hashable {
    public var findingId: Int64
    public var institutionId: Int64
    public var institution: String
    public var domain: InspectionDomain
    public var severity: FindingSeverity
    public var clause: String?
    public var description: String
    public var inspectedOn: CalendarDate
    public var deadline: Date
    public var status: FindingStatus
    public var reply: String?
    public var publishedAt: Date
}

/// What one pass of the rectification sweeper did.
public struct SweepResult: Sendable, Hashable {
    public var reminded: [Int64] = []
    public var overdue: [Int64] = []
    public var published: [Int64] = []
    public var isEmpty: Bool { reminded.isEmpty && overdue.isEmpty && published.isEmpty }
}

extension OversightStore {
    /// Who the sweeper's audit entries name.
    static let sweeper = Principal(accountId: nil, name: "eldercare-oversight", role: .admin)

    /// Records an inspection and its findings: each finding's deadline follows from its severity
    /// and scope; a serious finding suspends the operating subsidy at once and starts the notice
    /// period before publication. One transaction.
    public func recordInspection(_ new: NewInspection, by who: Principal) async throws -> InspectionRecord {
        let now = self.now
        do { try new.validate(today: CalendarDate(date: now)) } catch { throw StoreError.invalid(error) }
        return try await database.write { db in
            _ = try RegistryStore.institution(db, id: new.institutionId)
            try db.execute(
                sql: "INSERT INTO oversight_inspection (institution_id, inspected_on, inspector, created_at) VALUES (?, ?, ?, ?)",
                arguments: [new.institutionId, new.inspectedOn.description, new.inspector, SQLText.timeText(now)])
            let inspectionId = db.lastInsertedRowID
            try self.database.audit(db, who, "create", "oversight_inspection", String(inspectionId))
            for f in new.findings {
                let deadline = RectificationRule.deadline(inspectedOn: new.inspectedOn, f.severity, f.scope)
                let suspends = RectificationRule.suspendsAtOnce(f.severity)
                try db.execute(
                    sql: """
                        INSERT INTO oversight_finding (inspection_id, institution_id, domain, severity, scope, clause, description,
                            deadline_ms, remind_ms, suspended_at, publish_ms, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        inspectionId, new.institutionId, f.domain.rawValue, f.severity.rawValue, f.scope.rawValue, f.clause,
                        f.description, deadline.millis, deadline.addingTimeInterval(-RectificationRule.reminderBefore).millis,
                        suspends ? SQLText.timeText(now) : nil,
                        suspends ? now.addingTimeInterval(RectificationRule.noticePeriod).millis : nil, SQLText.timeText(now),
                    ])
                let findingId = db.lastInsertedRowID
                if suspends {
                    try self.suspendSubsidy(db, institutionId: new.institutionId, findingId: findingId, reason: "serious", now: now)
                }
            }
            return try self.inspection(db, id: inspectionId)
        }
    }

    /// The change billing reads: the operating subsidy stops from now because of a finding.
    func suspendSubsidy(_ db: Database, institutionId: Int64, findingId: Int64, reason: String, now: Date) throws {
        try database.appendChange(
            db, entity: "oversight", id: institutionId, change: "operating_subsidy_suspended",
            payload: SQLText.object([
                "institutionId": String(institutionId), "findingId": String(findingId), "reason": reason,
                "from": SQLText.timeText(now),
            ]), at: SQLText.timeText(now))
    }

    /// Marks a finding rectified. The subsidy resumes when no other finding still holds it; a
    /// finding that was overdue but not serious comes off the publication queue if not yet published.
    public func rectify(findingId: Int64, by who: Principal) async throws -> Finding {
        let now = self.now
        return try await database.write { db in
            var f = try self.finding(db, id: findingId)
            guard f.status != .rectified else {
                throw StoreError.conflict(reason: "finding \(findingId) was already rectified; nothing changed")
            }
            try db.execute(
                sql: """
                    UPDATE oversight_finding SET status = 'rectified', rectified_at = ?, remind_ms = NULL,
                        publish_ms = CASE WHEN severity = 'serious' OR published_at IS NOT NULL THEN publish_ms ELSE NULL END
                    WHERE id = ?
                    """, arguments: [SQLText.timeText(now), findingId])
            try self.database.audit(db, who, "rectify", "oversight_finding", String(findingId))
            if f.subsidySuspendedAt != nil {
                let stillHeld =
                    try Bool.fetchOne(
                        db,
                        sql: """
                            SELECT 1 FROM oversight_finding WHERE institution_id = ? AND suspended_at IS NOT NULL AND status != 'rectified' LIMIT 1
                            """, arguments: [f.institutionId]) ?? false
                if !stillHeld {
                    try self.database.appendChange(
                        db, entity: "oversight", id: f.institutionId, change: "operating_subsidy_restored",
                        payload: SQLText.object([
                            "institutionId": String(f.institutionId), "findingId": String(findingId), "from": SQLText.timeText(now),
                        ]), at: SQLText.timeText(now))
                }
            }
            f = try self.finding(db, id: findingId)
            return f
        }
    }

    /// The institution's reply to a finding, shown beside it if it is published. Only the
    /// institution the finding is about may reply; to anyone else the finding does not exist.
    public func reply(findingId: Int64, text: String, institutionId: Int64?, by who: Principal) async throws -> Finding {
        var v = Validator()
        v.checkText(text, "reply", maxLength: 2000)
        do { try v.finish() } catch { throw StoreError.invalid(error) }
        return try await database.write { db in
            let f = try self.finding(db, id: findingId)
            guard institutionId == f.institutionId else { throw StoreError.notFound(entity: "finding", id: String(findingId)) }
            try db.execute(sql: "UPDATE oversight_finding SET reply = ? WHERE id = ?", arguments: [text, findingId])
            try self.database.audit(db, who, "reply", "oversight_finding", String(findingId))
            return try self.finding(db, id: findingId)
        }
    }

    public func inspections(institutionId: Int64) async throws -> [InspectionRecord] {
        try await database.read { db in
            _ = try RegistryStore.institution(db, id: institutionId)
            return try Int64.fetchAll(
                db, sql: "SELECT id FROM oversight_inspection WHERE institution_id = ? ORDER BY id DESC", arguments: [institutionId]
            ).map { try self.inspection(db, id: $0) }
        }
    }

    func inspection(_ db: Database, id: Int64) throws -> InspectionRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM oversight_inspection WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound(entity: "inspection", id: String(id))
        }
        let findings = try Row.fetchAll(db, sql: "SELECT * FROM oversight_finding WHERE inspection_id = ? ORDER BY id", arguments: [id])
            .map(Self.findingFrom)
        return InspectionRecord(
            id: id, institutionId: row["institution_id"], inspectedOn: CalendarDate(iso: row["inspected_on"])!,
            inspector: row["inspector"], findings: findings)
    }

    func finding(_ db: Database, id: Int64) throws -> Finding {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM oversight_finding WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound(entity: "finding", id: String(id))
        }
        return Self.findingFrom(row)
    }

    static func date(ms: Int64?) -> Date? { ms.map { Date(timeIntervalSince1970: Double($0) / 1000) } }

    static func findingFrom(_ row: Row) -> Finding {
        Finding(
            id: row["id"], inspectionId: row["inspection_id"], institutionId: row["institution_id"],
            domain: InspectionDomain(rawValue: row["domain"])!, severity: FindingSeverity(rawValue: row["severity"])!,
            scope: FindingScope(rawValue: row["scope"])!, clause: row["clause"], description: row["description"],
            status: FindingStatus(rawValue: row["status"])!, deadline: date(ms: row["deadline_ms"])!,
            subsidySuspendedAt: row["suspended_at"], publishAfter: date(ms: row["publish_ms"]), publishedAt: row["published_at"],
            reply: row["reply"], rectifiedAt: row["rectified_at"])
    }

    // MARK: - Deadlines

    /// How many reminders, deadlines and publications are due at `now`: a cheap read, so most
    /// passes need no write transaction.
    public func dueCount(now: Date) async throws -> Int {
        let ms = now.millis
        return try await database.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT (SELECT count(*) FROM oversight_finding WHERE remind_ms IS NOT NULL AND remind_ms <= ?)
                         + (SELECT count(*) FROM oversight_finding WHERE status = 'open' AND deadline_ms <= ?)
                         + (SELECT count(*) FROM oversight_finding WHERE published_at IS NULL AND publish_ms IS NOT NULL AND publish_ms <= ?)
                    """, arguments: [ms, ms, ms]) ?? 0
        }
    }

    /// One pass over what is due: reminders to the institution before its deadline; a deadline
    /// passed without rectification makes the finding overdue, suspends the operating subsidy and
    /// starts the notice period; a notice period over publishes the finding. Each step clears its
    /// own column in the same transaction, so no step happens twice and a restart loses none.
    public func sweep(now: Date, limit: Int = 200) async throws -> SweepResult {
        let ms = now.millis, stamp = SQLText.timeText(now)
        return try await database.write { db in
            var result = SweepResult()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT f.*, i.name AS institution_name FROM oversight_finding f JOIN institution i ON i.id = f.institution_id
                    WHERE f.remind_ms IS NOT NULL AND f.remind_ms <= ? LIMIT ?
                    """, arguments: [ms, limit])
            {
                let f = Self.findingFrom(row)
                try self.notify(db, f, institution: row["institution_name"], stage: "reminder", now: now)
                try db.execute(sql: "UPDATE oversight_finding SET remind_ms = NULL WHERE id = ?", arguments: [f.id])
                result.reminded.append(f.id)
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT f.*, i.name AS institution_name FROM oversight_finding f JOIN institution i ON i.id = f.institution_id
                    WHERE f.status = 'open' AND f.deadline_ms <= ? LIMIT ?
                    """, arguments: [ms, limit])
            {
                var f = Self.findingFrom(row)
                let suspendNow = f.subsidySuspendedAt == nil
                try db.execute(
                    sql: """
                        UPDATE oversight_finding SET status = 'overdue', remind_ms = NULL,
                            suspended_at = coalesce(suspended_at, ?), publish_ms = coalesce(publish_ms, ?)
                        WHERE id = ?
                        """, arguments: [stamp, now.addingTimeInterval(RectificationRule.noticePeriod).millis, f.id])
                if suspendNow { try self.suspendSubsidy(db, institutionId: f.institutionId, findingId: f.id, reason: "overdue", now: now) }
                f.status = .overdue
                try self.notify(db, f, institution: row["institution_name"], stage: "overdue", now: now)
                try self.database.audit(db, Self.sweeper, "overdue", "oversight_finding", String(f.id))
                result.overdue.append(f.id)
            }
            for id in try Int64.fetchAll(
                db,
                sql: "SELECT id FROM oversight_finding WHERE published_at IS NULL AND publish_ms IS NOT NULL AND publish_ms <= ? LIMIT ?",
                arguments: [ms, limit])
            {
                try db.execute(sql: "UPDATE oversight_finding SET published_at = ? WHERE id = ?", arguments: [stamp, id])
                try self.database.audit(db, Self.sweeper, "publish", "oversight_finding", String(id))
                result.published.append(id)
            }
            return result
        }
    }

    /// Tells the institution through the outbox; keyed by finding and stage, so it is sent once.
    func notify(_ db: Database, _ f: Finding, institution: String, stage: String, now: Date) throws {
        try database.enqueue(
            db,
            OutboxEntry(
                topic: .rectificationDue, key: "finding:\(f.id):\(stage)", elderId: nil,
                payload: [
                    "institutionId": String(f.institutionId), "institution": institution, "findingId": String(f.id),
                    "domain": f.domain.rawValue, "stage": stage,
                    "deadline": CalendarDate(date: f.deadline.addingTimeInterval(-1)).description,
                ]), at: SQLText.time(now))
    }

    /// The public list: published findings, newest first, with the institution's reply.
    public func publishedViolations(limit: Int = 500) async throws -> [PublishedViolation] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT f.*, i.name AS institution_name, n.inspected_on FROM oversight_finding f
                    JOIN institution i ON i.id = f.institution_id JOIN oversight_inspection n ON n.id = f.inspection_id
                    WHERE f.published_at IS NOT NULL ORDER BY f.published_at DESC, f.id DESC LIMIT ?
                    """, arguments: [limit]
            ).map { row in
                let f = Self.findingFrom(row)
                return PublishedViolation(
                    findingId: f.id, institutionId: f.institutionId, institution: row["institution_name"], domain: f.domain,
                    severity: f.severity, clause: f.clause, description: f.description,
                    inspectedOn: CalendarDate(iso: row["inspected_on"])!, deadline: f.deadline, status: f.status, reply: f.reply,
                    publishedAt: f.publishedAt!)
            }
        }
    }
}
