import Foundation

/// A resident identity card number under GB 11643-1999: six digits of region, eight of birth date,
/// three of sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
///
/// ```swift
/// let id = try NationalID(validating: "11010519491231002X")
/// id.birthDate   // 1949-12-31
/// id.sex         // .female
/// id.masked      // "110105********002X"
/// ```
public struct NationalID: Hashable, Sendable, CustomStringConvertible {
    /// The full 18-character number. Never log it; use ``masked``.
    public let value: String

    /// Why a string is not a valid identity number, as a sentence an operator can act on.
    public enum Problem: Error, Equatable, Sendable {
        case wrongLength(Int)
        case notDigits
        case impossibleBirthDate(String)
        case birthDateInFuture(String)
        case wrongCheckCharacter(expected: Character, found: Character)

        public var reason: String {
            switch self {
            case .wrongLength(let n): "must be 18 characters, found \(n)"
            case .notDigits: "the first 17 characters must be digits and the last a digit or X"
            case .impossibleBirthDate(let d): "its birth date \(d) does not exist"
            case .birthDateInFuture(let d): "its birth date \(d) lies in the future"
            case .wrongCheckCharacter(let e, let f): "its check character is \(f) but should be \(e)"
            }
        }
    }

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters: [Character] = Array("10X98765432")

    /// Validates `text` (a lowercase `x` is accepted and normalised) against the standard.
    /// - Parameter today: the date birth dates are compared against; injected so tests control it.
    public init(validating text: String, today: Date = Date()) throws(Problem) {
        let upper = text.uppercased()
        let chars = Array(upper.utf8)
        guard chars.count == 18 else { throw .wrongLength(upper.count) }
        var digits = [Int]()
        digits.reserveCapacity(17)
        for c in chars.prefix(17) {
            guard c >= 48, c <= 57 else { throw .notDigits }
            digits.append(Int(c) - 48)
        }
        guard (chars[17] >= 48 && chars[17] <= 57) || chars[17] == UInt8(ascii: "X") else { throw .notDigits }
        let birthText = String(upper.dropFirst(6).prefix(8))
        guard let birth = CalendarDate(compact: birthText) else {
            throw .impossibleBirthDate(birthText)
        }
        if birth > CalendarDate(date: today) { throw .birthDateInFuture(birth.description) }
        let expected = Self.checkCharacter(forFirst17: digits)
        let found = Character(UnicodeScalar(chars[17]))
        guard expected == found else { throw .wrongCheckCharacter(expected: expected, found: found) }
        self.value = upper
    }

    /// The check character for 17 leading digits.
    public static func checkCharacter(forFirst17 digits: [Int]) -> Character {
        var sum = 0
        for i in 0..<17 { sum += digits[i] * weights[i] }
        return checkCharacters[sum % 11]
    }

    /// Builds a valid number from its parts (used by the synthetic city and tests).
    /// - Parameters:
    ///   - regionCode: the six-digit administrative code, e.g. `450902` for Yuzhou.
    ///   - sequence: 0...999; its parity decides the sex (odd = male).
    public static func make(regionCode: String, birthDate: CalendarDate, sequence: Int) -> NationalID {
        let seq = String(sequence % 1000)
        let padded = String(repeating: "0", count: 3 - seq.count) + seq
        let body = regionCode.prefix(6) + birthDate.compact + padded
        let digits = body.utf8.map { Int($0) - 48 }
        let value = String(body) + String(checkCharacter(forFirst17: digits))
        return NationalID(unchecked: value)
    }

    init(unchecked value: String) { self.value = value }

    /// The birth date encoded in digits 7–14.
    public var birthDate: CalendarDate { CalendarDate(compact: String(value.dropFirst(6).prefix(8)))! }

    /// The sex encoded in digit 17: odd for male, even for female.
    public var sex: Sex {
        let d = Int(Array(value.utf8)[16]) - 48
        return d % 2 == 1 ? .male : .female
    }

    /// The six-digit region of first registration.
    public var regionCode: String { String(value.prefix(6)) }

    /// The form shown to roles without need of the full number and written to logs:
    /// first six and last four characters, the rest as `*`.
    public var masked: String { Self.mask(value) }

    /// Masks any identity-number-like string; safe on malformed input.
    public static func mask(_ text: String) -> String {
        guard text.count > 10 else { return String(repeating: "*", count: text.count) }
        return text.prefix(6) + String(repeating: "*", count: text.count - 10) + text.suffix(4)
    }

    public var description: String { masked }
}
