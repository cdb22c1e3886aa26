import CareModel
import CareStore
import Foundation
internal import GRDB

extension ArchiveStore {
    // MARK: - Health consultations

    /// Logs a question and routes it to the community health centre whose area holds the
    /// elder's home (the nearest one up the region tree).
    public func ask(_ new: NewConsultation, by principal: Principal) async throws -> Consultation {
        try new.validate()
        return try await database.write { db in
            guard let region = try String.fetchOne(db, sql: "SELECT region_code FROM elder WHERE id = ?", arguments: [new.elderId]) else {
                throw StoreError.invalid(ValidationFailure(field: "elderId", reason: "there is no elder \(new.elderId)"))
            }
            let centres = try Row.fetchAll(
                db, sql: "SELECT id, region_code FROM institution WHERE kind = ? AND status = 'active'",
                arguments: [InstitutionKind.communityHealthCentre.rawValue])
            let centre =
                centres.filter { RegionCode.isWithin(region, $0["region_code"]) }
                .max { RegionCode.prefix(of: $0["region_code"]).count < RegionCode.prefix(of: $1["region_code"]).count }
            let now = self.database.clock.now()
            try db.execute(
                sql: """
                    INSERT INTO health_consultation (elder_id, institution_id, channel, question, asked_by, asked_at, status)
                    VALUES (?, ?, ?, ?, ?, ?, 'open')
                    """,
                arguments: [
                    new.elderId, centre?["id"] as Int64?, (new.channel ?? .api).rawValue, new.question, principal.name, SQLText.time(now),
                ])
            let id = db.lastInsertedRowID
            try self.database.audit(db, principal, "create", "consultation", String(id), elderId: new.elderId, reason: "consultation asked")
            return try self.consultation(db, id: id)
        }
    }

    /// Records the answer, and the exchange as an Encounter in the elder's archive, together.
    public func answer(
        _ id: Int64, _ answer: ConsultationAnswer, by writer: ArchiveWriter, institutionId: Int64?
    ) async throws
        -> Consultation
    {
        try answer.validate()
        return try await database.write { db in
            let asked = try self.consultation(db, id: id)
            guard asked.status == .open else {
                throw StoreError.conflict(reason: "consultation \(id) was already answered by \(asked.answeredBy ?? "someone")")
            }
            if writer.principal.role != .admin, asked.institutionId != institutionId {
                throw ArchiveAccess.forbidden("consultation \(id) was routed to another health centre")
            }
            let now = self.database.clock.now()
            let encounter = FHIRBuild.consultation(
                patientId: String(asked.elderId), question: asked.question, answer: answer.answer, clinician: writer.principal.name,
                at: asked.askedAt, answeredAt: now)
            let resource = try self.validator.validate(encounter, expecting: .encounter)
            try self.ensureArchive(db, elderId: asked.elderId)
            let stored = try self.insert(db, resource, elderId: asked.elderId, by: writer.label, sourceKey: "consultation:\(id)", at: now)
            try self.audit(db, writer, "create", stored)
            try db.execute(
                sql: """
                    UPDATE health_consultation SET answer = ?, answered_by = ?, answered_at = ?, encounter_id = ?, status = 'answered'
                    WHERE id = ?
                    """, arguments: [answer.answer, writer.principal.name, SQLText.time(now), stored.id, id])
            return try self.consultation(db, id: id)
        }
    }

    public func consultation(id: Int64) async throws -> Consultation {
        try await database.read { db in try self.consultation(db, id: id) }
    }

    /// Consultations newest first: a health centre's queue (`institutionId`), or an elder's.
    public func consultations(
        institutionId: Int64?, elderId: Int64?, status: Consultation.Status?, page: PageRequest
    ) async throws
        -> Page<Consultation>
    {
        try await database.read { db in
            var q = SQLQuery("SELECT * FROM health_consultation")
            if let institutionId { q.where("institution_id = ?", institutionId) }
            if let elderId { q.where("elder_id = ?", elderId) }
            if let status { q.where("status = ?", status.rawValue) }
            if let after = page.after.flatMap(Int64.init) { q.where("id < ?", after) }
            q.suffix("ORDER BY id DESC LIMIT ?", page.limit + 1)
            return Page.from(try q.fetchAll(db).map(Consultation.init(row:)), limit: page.limit) { String($0.id) }
        }
    }

    /// The institution an account speaks for, if any.
    public func institution(ofAccount accountId: Int64?) async throws -> Int64? {
        guard let accountId else { return nil }
        return try await database.read { db in
            try Int64.fetchOne(db, sql: "SELECT institution_id FROM account WHERE id = ?", arguments: [accountId])
        }
    }

    func consultation(_ db: Database, id: Int64) throws -> Consultation {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM health_consultation WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound(entity: "consultation", id: String(id))
        }
        return Consultation(row: row)
    }
}

extension Consultation {
    init(row: Row) {
        self.init(
            id: row["id"], elderId: row["elder_id"], institutionId: row["institution_id"],
            channel: Channel(rawValue: row["channel"]) ?? .api, question: row["question"], askedBy: row["asked_by"],
            askedAt: row["asked_at"], answer: row["answer"], answeredBy: row["answered_by"], answeredAt: row["answered_at"],
            encounter: (row["encounter_id"] as String?).map { "Encounter/\($0)" }, status: Status(rawValue: row["status"]) ?? .open)
    }
}
