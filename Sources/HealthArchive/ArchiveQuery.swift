public import CareModel
import CareStore
public import Foundation

/// A FHIR search of the archive, parsed and checked: what `GET /fhir/R4/Observation?…` asks.
///
/// Supported: `_id`, `patient` (or `subject`), `identifier` (Patient), `code`, `date`,
/// `_lastUpdated`, `_sort`, `_count`, `_include=<Type>:patient`, `_revinclude=<Type>:patient`
/// (Patient searches) and the server's own `_cursor`. Anything else is refused with the
/// parameter's name rather than ignored: a client must never read a filtered result as complete.
public struct ArchiveQuery: Sendable, Hashable {
    public var type: FHIRResourceType
    /// The elders whose records are searched (`patient=Patient/42,43`).
    public var elderIds: [Int64] = []
    public var ids: [String] = []
    /// `identifier=system|value` (or a bare value): a Patient by national ID or archive number.
    public var identifiers: [FHIRIdentifier] = []
    /// Any of these codes: `system|code`, or a bare code matching any system.
    public var codes: [String] = []
    public var date: [DateBound] = []
    public var lastUpdated: [DateBound] = []
    public var sort: Sort = .init(key: .lastUpdated, descending: true)
    public var count: Int = 50
    /// Also return each match's Patient.
    public var includePatient = false
    /// Patient searches: also return these types of record about each matched patient.
    public var revinclude: [FHIRResourceType] = []
    /// Where the previous page ended.
    public var after: Position?

    public struct Sort: Sendable, Hashable {
        public enum Key: String, Sendable { case date, lastUpdated = "_lastUpdated" }
        public var key: Key
        public var descending: Bool
    }

    /// A page boundary: the sort value and the row of the last match returned.
    public struct Position: Sendable, Hashable {
        public var value: Int64
        public var row: Int64
    }

    /// `ge2024-01-01`: a comparison against the start or end of a date's precision.
    public struct DateBound: Sendable, Hashable {
        public enum Comparison: String, Sendable { case eq, gt, ge, lt, le }
        public var comparison: Comparison
        /// The range the written date covers: a day for `2024-01-01` (China time), a second for a time.
        public var start: Date
        public var end: Date

        /// The SQL condition on a millisecond column.
        func condition(_ column: String) -> (String, [Int64]) {
            switch comparison {
            case .eq: ("\(column) >= ? AND \(column) < ?", [start.millis, end.millis])
            case .gt: ("\(column) >= ?", [end.millis])
            case .ge: ("\(column) >= ?", [start.millis])
            case .lt: ("\(column) < ?", [start.millis])
            case .le: ("\(column) < ?", [end.millis])
            }
        }
    }

    public static let maximumCount = 1000

    public init(type: FHIRResourceType) { self.type = type }

    /// Parses a search's parameters, in order; repeated parameters all apply (AND).
    public static func parse(_ type: FHIRResourceType, _ parameters: [(String, String)]) throws(ArchiveRefusal) -> ArchiveQuery {
        var query = ArchiveQuery(type: type)
        for (name, value) in parameters {
            func refuse(_ why: String) -> ArchiveRefusal {
                ArchiveRefusal(.invalid, code: "invalid", expression: name, "\(name)=\(value): \(why)")
            }
            switch name {
            case "_id":
                query.ids += value.split(separator: ",").map(String.init)
            case "patient", "subject":
                guard type != .patient else { throw refuse("Patient searches take _id or identifier") }
                for part in value.split(separator: ",") {
                    let text = part.hasPrefix("Patient/") ? part.dropFirst("Patient/".count) : part
                    guard let id = Int64(text), id > 0 else { throw refuse("expected Patient/{id} or an id") }
                    query.elderIds.append(id)
                }
            case "identifier":
                guard type == .patient else { throw refuse("identifier is searched on Patient") }
                let parts = value.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
                query.identifiers.append(
                    parts.count == 2
                        ? FHIRIdentifier(system: String(parts[0]), value: String(parts[1]))
                        : FHIRIdentifier(system: "", value: value))
            case "code":
                guard type != .patient else { throw refuse("Patient has no code") }
                query.codes += value.split(separator: ",").map(String.init)
            case "date":
                guard type != .patient else { throw refuse("Patient has no clinical date; use _lastUpdated") }
                query.date.append(try bound(value, name))
            case "_lastUpdated":
                query.lastUpdated.append(try bound(value, name))
            case "_sort":
                let descending = value.hasPrefix("-")
                guard let key = Sort.Key(rawValue: descending ? String(value.dropFirst()) : value) else {
                    throw refuse("sort by date or _lastUpdated (prefix - for newest first)")
                }
                query.sort = Sort(key: key, descending: descending)
            case "_count":
                guard let n = Int(value), (1...maximumCount).contains(n) else { throw refuse("a whole number from 1 to \(maximumCount)") }
                query.count = n
            case "_include":
                guard value == "\(type.rawValue):\(type.patientElement ?? "-")" else {
                    throw refuse("the archive includes the patient only: _include=\(type.rawValue):\(type.patientElement ?? "subject")")
                }
                query.includePatient = true
            case "_revinclude":
                let parts = value.split(separator: ":")
                guard type == .patient, parts.count == 2, let other = FHIRResourceType(rawValue: String(parts[0])), other != .patient,
                    parts[1] == other.patientElement ?? ""
                else { throw refuse("Patient searches take _revinclude=<Type>:patient (or :subject), e.g. Observation:subject") }
                query.revinclude.append(other)
            case "_cursor":
                let parts = (Cursor.decode(value) ?? "").split(separator: ":")
                guard parts.count == 2, let v = Int64(parts[0]), let row = Int64(parts[1]) else {
                    throw refuse("not a cursor this server issued; follow the Bundle's next link")
                }
                query.after = Position(value: v, row: row)
            case "_format":
                guard value.contains("json") else { throw refuse("this server speaks JSON only") }
            default:
                throw ArchiveRefusal(
                    .invalid, code: "not-supported", expression: name,
                    "\(name) is not a search parameter of \(type.rawValue) here; see /fhir/R4/metadata for what is supported")
            }
        }
        if type != .patient, query.elderIds.isEmpty, query.ids.isEmpty {
            // Every read of health data is audited per elder, and a search across the whole city is nobody's need.
            throw ArchiveRefusal(
                .invalid, code: "required", expression: "patient", "a search of \(type.rawValue) needs patient= (or _id=)")
        }
        if type == .patient, query.ids.isEmpty, query.identifiers.isEmpty {
            throw ArchiveRefusal(.invalid, code: "required", expression: "identifier", "a Patient search needs identifier= or _id=")
        }
        return query
    }

    /// `ge2024-01-01`, `lt2024-06-01T08:00:00+08:00`, `2024` (eq).
    static func bound(_ value: String, _ name: String) throws(ArchiveRefusal) -> DateBound {
        var text = Substring(value)
        var comparison = DateBound.Comparison.eq
        if text.count > 2, let c = DateBound.Comparison(rawValue: String(text.prefix(2))) {
            comparison = c
            text = text.dropFirst(2)
        } else if let first = text.first, first.isLetter {
            throw ArchiveRefusal(
                .invalid, code: "not-supported", expression: name, "\(name)=\(value): supported prefixes are eq, gt, ge, lt and le")
        }
        guard let range = FHIRDate.range(of: String(text)) else {
            throw ArchiveRefusal(
                .invalid, code: "invalid", expression: name,
                "\(name)=\(value): expected a FHIR date or dateTime (2024, 2024-03, 2024-03-05, 2024-03-05T08:00:00+08:00)")
        }
        return DateBound(comparison: comparison, start: range.lowerBound, end: range.upperBound)
    }

    /// The cursor for a page that ended at `position`.
    public static func cursor(_ position: Position) -> String { Cursor.encode("\(position.value):\(position.row)") }
}
