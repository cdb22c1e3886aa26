import CareModel
import CareStore
import Foundation
internal import GRDB

/// One grading of an institution, as recorded: the scorecard and the grade it earned.
public struct Assessment: Codable, Sendable, Hashable {
    public var id: Int64
    public var institutionId: Int64
    public var assessedOn: CalendarDate
    public var assessor: String
    public var scores: [String: Double]
    public var grade: GradeResult
    public var recordedAt: Date
}

/// A scorecard as the assessor sends it.
public struct NewAssessment: Codable, Sendable, Hashable {
    public var institutionId: Int64
    public var assessedOn: CalendarDate
    public var assessor: String
    /// A score of 0 … 100 for every ``InspectionDomain``, keyed by its name.
    public var scores: [String: Double]

    public init(institutionId: Int64, assessedOn: CalendarDate, assessor: String, scores: [String: Double]) {
        self.institutionId = institutionId; self.assessedOn = assessedOn; self.assessor = assessor; self.scores = scores
    }

    func domainScores() throws(ValidationFailure) -> [InspectionDomain: Double] {
        var v = Validator()
        v.checkText(assessor, "assessor", maxLength: 100)
        for key in scores.keys where InspectionDomain(rawValue: key) == nil {
            v.check(
                false, "scores.\(key)",
                "is not a domain; the domains are \(InspectionDomain.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try v.finish()
        var out: [InspectionDomain: Double] = [:]
        for (k, s) in scores { if let d = InspectionDomain(rawValue: k) { out[d] = s } }
        try Grading.validate(out)
        return out
    }
}

extension OversightStore {
    /// Grades an institution from a scorecard and appends it to its history; a later assessment
    /// is a new row, never a change to an old one (the table refuses UPDATE and DELETE).
    public func assess(_ new: NewAssessment, by who: Principal) async throws -> Assessment {
        let scores: [InspectionDomain: Double]
        do { scores = try new.domainScores() } catch { throw StoreError.invalid(error) }
        let grade = Grading.grade(scores)
        let now = self.now
        return try await database.write { db in
            _ = try RegistryStore.institution(db, id: new.institutionId)
            let json = String(decoding: try JSONEncoder.sorted.encode(new.scores), as: UTF8.self)
            try db.execute(
                sql: """
                    INSERT INTO oversight_assessment (institution_id, assessed_on, assessor, scores, level, total, limited_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    new.institutionId, new.assessedOn.description, new.assessor, json, grade.level, grade.total, grade.limitedBy,
                    SQLText.timeText(now),
                ])
            let id = db.lastInsertedRowID
            try self.database.audit(db, who, "create", "oversight_assessment", String(id))
            return Assessment(
                id: id, institutionId: new.institutionId, assessedOn: new.assessedOn, assessor: new.assessor, scores: new.scores,
                grade: grade, recordedAt: now)
        }
    }

    /// An institution's assessments, newest first.
    public func assessments(institutionId: Int64) async throws -> [Assessment] {
        try await database.read { db in
            _ = try RegistryStore.institution(db, id: institutionId)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM oversight_assessment WHERE institution_id = ? ORDER BY id DESC", arguments: [institutionId]
            ).map { row in
                Assessment(
                    id: row["id"], institutionId: institutionId, assessedOn: CalendarDate(iso: row["assessed_on"])!,
                    assessor: row["assessor"],
                    scores: (try? JSONDecoder().decode([String: Double].self, from: Data((row["scores"] as String).utf8))) ?? [:],
                    grade: GradeResult(level: row["level"], total: row["total"], limitedBy: row["limited_by"]),
                    recordedAt: row["created_at"])
            }
        }
    }
}

extension JSONEncoder {
    /// Sorted keys and ISO dates: a frozen figure is stored byte for byte the same every time.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }
}
