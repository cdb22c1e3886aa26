import Foundation

/// One field that failed a rule, with the reason in words an API user can act on.
///
/// `field` is a JSON pointer-like path into the request body, such as `nationalId` or
/// `contacts[1].phone`.
public struct FieldIssue: Hashable, Sendable, Codable {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// Input that parsed but broke a rule of the domain. The API answers it with 422.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var issues: [FieldIssue]

    public init(_ issues: [FieldIssue]) { self.issues = issues }
    public init(field: String, reason: String) { self.issues = [FieldIssue(field: field, reason: reason)] }

    /// One sentence naming every field, for the CLI and for problem `detail`.
    public var summary: String {
        issues.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
    }
}

/// Collects issues while a value is checked, then throws them all at once, so a client
/// fixes every field in one round trip.
public struct Validator: Sendable {
    public private(set) var issues: [FieldIssue] = []

    public init() {}

    public mutating func add(_ field: String, _ reason: String) {
        issues.append(FieldIssue(field: field, reason: reason))
    }

    /// Adds an issue when `condition` is false.
    public mutating func check(_ condition: Bool, _ field: String, _ reason: @autoclosure () -> String) {
        if !condition { add(field, reason()) }
    }

    public mutating func checkText(_ text: String?, _ field: String, required: Bool = true, maxLength: Int = 200) {
        guard let text else {
            if required { add(field, "is required") }
            return
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            add(field, "must not be empty")
        } else if text.unicodeScalars.count > maxLength {
            // Counted in code points, as JSON Schema's maxLength counts them, so the document's limit is exact.
            add(field, "must be at most \(maxLength) characters")
        }
    }

    public mutating func checkPhone(_ phone: String?, _ field: String, required: Bool = true) {
        guard let phone else {
            if required { add(field, "is required") }
            return
        }
        check(
            PhoneNumber.isValid(phone), field,
            "must be a mainland mobile number (11 digits starting with 1) or a landline such as 0775-2821234")
    }

    public mutating func checkCoordinates(latitude: Double?, longitude: Double?, prefix: String = "") {
        switch (latitude, longitude) {
        case (nil, nil): return
        case (let lat?, let lon?):
            check(lat.isFinite && (-90...90).contains(lat), prefix + "latitude", "must be between -90 and 90")
            check(lon.isFinite && (-180...180).contains(lon), prefix + "longitude", "must be between -180 and 180")
        case (nil, _): add(prefix + "latitude", "is required when longitude is given")
        case (_, nil): add(prefix + "longitude", "is required when latitude is given")
        }
    }

    public func finish() throws(ValidationFailure) {
        if !issues.isEmpty { throw ValidationFailure(issues) }
    }
}

/// Phone numbers as Chinese elders and families have them.
public enum PhoneNumber {
    /// An 11-digit mobile number (`13812345678`, optionally `+86`), a landline with area code
    /// (`0775-2821234`), or a short service number (`120`, `12349`).
    public static func isValid(_ text: String) -> Bool {
        var digits = text.replacingOccurrences(of: " ", with: "")
        if digits.hasPrefix("+86") { digits.removeFirst(3) }
        let bytes = Array(digits.utf8)
        func allDigits(_ s: ArraySlice<UInt8>) -> Bool { !s.isEmpty && s.allSatisfy { $0 >= 48 && $0 <= 57 } }
        if bytes.count == 11, bytes[0] == UInt8(ascii: "1"), allDigits(bytes[...]) { return true }
        if let dash = bytes.firstIndex(of: UInt8(ascii: "-")) {
            let area = bytes[..<dash], local = bytes[(dash + 1)...]
            return area.first == UInt8(ascii: "0") && (3...4).contains(area.count) && allDigits(area)
                && (7...8).contains(local.count) && allDigits(local)
        }
        return (3...5).contains(bytes.count) && allDigits(bytes[...])
    }

    /// The form written to logs: the last four digits only.
    public static func masked(_ text: String) -> String {
        text.count <= 4 ? "****" : String(repeating: "*", count: text.count - 4) + text.suffix(4)
    }
}
