import Foundation

/// What an inspection looks at.
public enum InspectionDomain: String, Codable, Sendable, CaseIterable {
    case fireSafety = "fire_safety"
    case foodSafety = "food_safety"
    case hygiene
    case careQuality = "care_quality"
    /// The compulsory safety clauses of GB 38600 (养老机构服务安全基本规范).
    case safetyClauses = "gb38600"
}

/// How bad a finding is.
public enum FindingSeverity: String, Codable, Sendable, CaseIterable {
    /// No harm possible beyond the minimal.
    case minor
    /// Harm possible or happened, not yet serious.
    case major
    /// Serious harm, or a safety clause broken: the operating subsidy stops at once.
    case serious
}

/// How far a finding reaches in the home.
public enum FindingScope: String, Codable, Sendable, CaseIterable {
    case isolated, pattern, widespread
}

/// Where a finding stands.
public enum FindingStatus: String, Codable, Sendable, CaseIterable {
    case open
    /// Past its deadline without rectification.
    case overdue
    case rectified
}

/// One finding as the inspector writes it.
public struct NewFinding: Codable, Sendable, Hashable {
    public var domain: InspectionDomain
    public var severity: FindingSeverity
    public var scope: FindingScope
    /// The clause broken (a GB 38600 clause number, a fire code article), if any.
    public var clause: String?
    /// What was found, in words fit for publication: no resident is named.
    public var description: String

    public init(domain: InspectionDomain, severity: FindingSeverity, scope: FindingScope, clause: String? = nil, description: String) {
        self.domain = domain; self.severity = severity; self.scope = scope; self.clause = clause; self.description = description
    }
}

/// An inspection as the bureau records it.
public struct NewInspection: Codable, Sendable, Hashable {
    public var institutionId: Int64
    public var inspectedOn: CalendarDate
    public var inspector: String
    public var findings: [NewFinding]

    public init(institutionId: Int64, inspectedOn: CalendarDate, inspector: String, findings: [NewFinding]) {
        self.institutionId = institutionId; self.inspectedOn = inspectedOn; self.inspector = inspector; self.findings = findings
    }

    public func validate(today: CalendarDate) throws(ValidationFailure) {
        var v = Validator()
        v.checkText(inspector, "inspector", maxLength: 100)
        v.check(inspectedOn <= today, "inspectedOn", "must not be in the future (today is \(today))")
        v.check(findings.count <= 200, "findings", "must be at most 200 per inspection")
        for (i, f) in findings.enumerated() {
            v.checkText(f.description, "findings[\(i)].description", maxLength: 1000)
            v.checkText(f.clause, "findings[\(i)].clause", required: false, maxLength: 50)
        }
        try v.finish()
    }
}

/// 责令限期整改: how long an institution has to put a finding right, and what follows if it does not.
public enum RectificationRule {
    /// Days to rectify: serious findings at once (a week, three days if widespread), major within a
    /// month, minor within two.
    public static func days(_ severity: FindingSeverity, _ scope: FindingScope) -> Int {
        switch severity {
        case .serious: scope == .widespread ? 3 : 7
        case .major: scope == .widespread ? 15 : 30
        case .minor: 60
        }
    }

    /// The deadline: the end of the last day to rectify, local time.
    public static func deadline(inspectedOn: CalendarDate, _ severity: FindingSeverity, _ scope: FindingScope) -> Date {
        LocalTime.midnight(CalendarDate(daysSinceEpoch: inspectedOn.daysSinceEpoch + days(severity, scope) + 1))
    }

    /// The reminder, three days before the deadline (or at once when the deadline is nearer).
    public static let reminderBefore: TimeInterval = 3 * 86_400
    /// The notice period between a suspension and publication, in which the institution may reply.
    public static let noticePeriod: TimeInterval = 15 * 86_400

    /// Whether a finding stops the operating subsidy the moment it is recorded.
    public static func suspendsAtOnce(_ severity: FindingSeverity) -> Bool { severity == .serious }
}

/// An institution's grade (等级): one to five, as the GB/T 37276 assessment awards it.
public struct GradeResult: Codable, Sendable, Hashable {
    /// 1 … 5; nil when the safety prerequisite is not met and no grade can be given.
    public var level: Int?
    public var total: Double
    /// Why the level is not higher: the first domain under its minimum or the total under its threshold.
    public var limitedBy: String?

    public init(level: Int?, total: Double, limitedBy: String?) {
        self.level = level; self.total = total; self.limitedBy = limitedBy
    }
}

/// Grades from a scorecard: a score of 0 … 100 per domain.
public enum Grading {
    /// The total each level needs (the mean of the domains), from five down to one.
    public static let totals: [Int: Double] = [5: 90, 4: 80, 3: 70, 2: 60, 1: 0]
    /// The least every domain must score at each level: a good average never hides a weak domain.
    public static let minimums: [Int: Double] = [5: 80, 4: 70, 3: 60, 2: 50, 1: 0]
    /// Below this in the safety clauses there is no grade at all: safety is a prerequisite, not a score to average away.
    public static let safetyPrerequisite = 60.0

    public static func validate(_ scores: [InspectionDomain: Double]) throws(ValidationFailure) {
        var v = Validator()
        for d in InspectionDomain.allCases {
            let s = scores[d]
            v.check(s != nil, "scores.\(d.rawValue)", "is required: every domain is scored")
            if let s { v.check(s >= 0 && s <= 100, "scores.\(d.rawValue)", "must be between 0 and 100") }
        }
        try v.finish()
    }

    public static func grade(_ scores: [InspectionDomain: Double]) -> GradeResult {
        let values = InspectionDomain.allCases.map { scores[$0] ?? 0 }
        let total = Indicator.rounded(values.reduce(0, +) / Double(values.count))
        if (scores[.safetyClauses] ?? 0) < safetyPrerequisite {
            return GradeResult(level: nil, total: total, limitedBy: InspectionDomain.safetyClauses.rawValue)
        }
        var limit: String?
        for level in stride(from: 5, through: 1, by: -1) {
            if total < totals[level]! {
                limit = limit ?? "total"
                continue
            }
            if let weak = InspectionDomain.allCases.first(where: { (scores[$0] ?? 0) < minimums[level]! }) {
                limit = limit ?? weak.rawValue
                continue
            }
            return GradeResult(level: level, total: total, limitedBy: level == 5 ? nil : limit)
        }
        return GradeResult(level: 1, total: total, limitedBy: limit)
    }
}

/// A quarter of the statistics return, written `2026-Q4`.
public struct ReturnPeriod: Hashable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let quarter: Int

    public init?(_ text: String) {
        // Exactly `YYYY-Qn`: no sign, no doubled dash, so the document's pattern is the whole rule.
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[0].allSatisfy(\.isASCIIDigit), let y = Int(parts[0]),
            (2000...2200).contains(y), parts[1].count == 2, parts[1].first == "Q",
            let q = Int(parts[1].dropFirst()), (1...4).contains(q)
        else { return nil }
        year = y; quarter = q
    }

    public var description: String { "\(year)-Q\(quarter)" }
    /// The last day of the quarter: the figures are as of this date.
    public var lastDay: CalendarDate {
        let month = quarter * 3
        return CalendarDate(year: year, month: month, day: CalendarDate.daysIn(month: month, year: year))!
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let p = ReturnPeriod(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a period is written 2026-Q4"))
        }
        self = p
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
