import Foundation

/// The administrative level of a region, from the city down to the village.
public enum RegionLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case city, district, street, community

    /// How many leading digits of a 12-digit statistical division code this level decides:
    /// `450900000000` (Yulin) → `4509`; `450902000000` (Yuzhou) → `450902`;
    /// `450902001000` → `450902001`; a community uses all twelve.
    public var significantDigits: Int {
        switch self {
        case .city: 4
        case .district: 6
        case .street: 9
        case .community: 12
        }
    }

    public var child: RegionLevel? {
        switch self {
        case .city: .district
        case .district: .street
        case .street: .community
        case .community: nil
        }
    }

    public static func < (a: RegionLevel, b: RegionLevel) -> Bool {
        a.significantDigits < b.significantDigits
    }
}

/// A node of the region tree, identified by its 12-digit statistical division code
/// (国家统计局统计用区划代码). The code's own digits say where it sits, so "everything in
/// Fumian" is every code starting with `450903`.
public struct Region: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var level: RegionLevel
    public var parentCode: String?

    public init(code: String, name: String, level: RegionLevel, parentCode: String?) {
        self.code = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
    }

    /// The prefix every descendant's code shares.
    public var descendantPrefix: String { RegionCode.prefix(of: code) }
}

/// Rules for 12-digit region codes.
public enum RegionCode {
    /// Accepts 6-digit county codes too, by padding them with zeros (`450902` → `450902000000`).
    public static func normalise(_ text: String) -> String {
        text.count == 6 && text.allSatisfy(\.isASCIIDigit) ? text + "000000" : text
    }

    public static func isWellFormed(_ code: String) -> Bool {
        code.count == 12 && code.allSatisfy(\.isASCIIDigit)
    }

    /// The level a code's digits imply: trailing zero groups mark the higher levels.
    public static func level(of code: String) -> RegionLevel? {
        guard isWellFormed(code) else { return nil }
        let c = Array(code)
        if c[9...] != ["0", "0", "0"] { return .community }
        if c[6..<9] != ["0", "0", "0"] { return .street }
        if c[4..<6] != ["0", "0"] { return .district }
        return .city
    }

    /// The prefix shared by `code` and all its descendants.
    public static func prefix(of code: String) -> String {
        guard let level = level(of: code) else { return code }
        return String(code.prefix(level.significantDigits))
    }

    /// Whether `child` lies under `ancestor` (or is it).
    public static func isWithin(_ child: String, _ ancestor: String) -> Bool {
        child.hasPrefix(prefix(of: ancestor))
    }
}

/// What a client sends to create a region.
public struct NewRegion: Codable, Sendable {
    public var code: String
    public var name: String
    public var parentCode: String?

    public init(code: String, name: String, parentCode: String?) {
        self.code = code
        self.name = name
        self.parentCode = parentCode
    }

    /// Checks the code's form and that it sits one level under its parent.
    public func validated() throws(ValidationFailure) -> Region {
        var v = Validator()
        let code = RegionCode.normalise(self.code)
        v.checkText(name, "name", maxLength: 100)
        guard let level = RegionCode.level(of: code) else {
            v.add("code", "must be a 12-digit statistical division code such as 450902001000")
            try v.finish()
            fatalError("unreachable")
        }
        let parent = parentCode.map(RegionCode.normalise)
        if let parent {
            if let parentLevel = RegionCode.level(of: parent) {
                v.check(
                    parentLevel.child == level, "parentCode",
                    "is a \(parentLevel.rawValue), but code \(code) is a \(level.rawValue)")
                v.check(
                    RegionCode.isWithin(code, parent) && code != parent, "code",
                    "must start with its parent's prefix \(RegionCode.prefix(of: parent))")
            } else {
                v.add("parentCode", "must be a 12-digit statistical division code")
            }
        } else {
            v.check(level == .city, "parentCode", "is required for a \(level.rawValue)")
        }
        try v.finish()
        return Region(code: code, name: name.trimmingCharacters(in: .whitespaces), level: level, parentCode: parent)
    }
}

/// A change to a region's name (its code and place in the tree never change).
public struct RegionPatch: Codable, Sendable {
    public var name: String?
    public init(name: String?) { self.name = name }
}
