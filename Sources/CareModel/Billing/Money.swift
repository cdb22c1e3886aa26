import Foundation

/// An amount of renminbi in fen (1 yuan = 100 fen). Integer fen everywhere, never a
/// floating-point yuan, so every sum is exact and the ledger balances to the fen.
public struct Money: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var fen: Int64

    public init(fen: Int64) { self.fen = fen }
    public init(yuan: Int64) { self.fen = yuan * 100 }

    public static let zero = Money(fen: 0)

    public static func + (a: Money, b: Money) -> Money { Money(fen: a.fen + b.fen) }
    public static func - (a: Money, b: Money) -> Money { Money(fen: a.fen - b.fen) }
    public static func += (a: inout Money, b: Money) { a.fen += b.fen }
    public static func -= (a: inout Money, b: Money) { a.fen -= b.fen }
    public static prefix func - (a: Money) -> Money { Money(fen: -a.fen) }
    public static func < (a: Money, b: Money) -> Bool { a.fen < b.fen }

    /// `12.30` (yuan with two decimals, a minus sign when negative), as statements print it.
    public var yuanText: String {
        let sign = fen < 0 ? "-" : ""
        let a = fen.magnitude
        let cents = a % 100
        return sign + String(a / 100) + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    /// `¥12.30`.
    public var description: String { "¥" + yuanText }

    public init(from decoder: any Decoder) throws { fen = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(fen)
    }
}

/// The one rounding rule of billing: a share of an amount (a rate in basis points, or a part of
/// an hour) is rounded DOWN to the whole fen. Every payer's leg that is a share is computed
/// here, and the elder's leg is whatever is left, so the legs always add up to the price and no
/// fund ever pays a fraction it did not owe.
public enum Rounding {
    /// `amount × numerator / denominator`, rounded down; amounts and factors are never negative.
    public static func share(_ amount: Int64, _ numerator: Int64, _ denominator: Int64) -> Int64 {
        precondition(amount >= 0 && numerator >= 0 && denominator > 0, "shares are of non-negative amounts")
        let (high, low) = amount.multipliedFullWidth(by: numerator)
        let (q, _) = denominator.dividingFullWidth((high, low))
        return q
    }

    /// `amount × basisPoints / 10 000`, rounded down (10 000 basis points = 100 %).
    public static func basisPoints(_ amount: Int64, _ bp: Int) -> Int64 { share(amount, Int64(bp), 10_000) }
}

/// A calendar month of billing, `2026-10`, in the care centre's time.
public struct BillingMonth: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (2000...2200).contains(year), (1...12).contains(month) else { return nil }
        self.year = year; self.month = month
    }

    /// `2026-10`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let y = Int(parts[0]), let m = Int(parts[1])
        else {
            return nil
        }
        self.init(year: y, month: m)
    }

    /// The month a calendar day falls in.
    public init(_ day: CalendarDate) { self.year = day.year; self.month = day.month }
    /// The month a moment falls in, in local time.
    public init(date: Date) { self.init(CalendarDate(date: date)) }

    public var description: String { String(year) + "-" + (month < 10 ? "0" : "") + String(month) }
    public var next: BillingMonth { month == 12 ? BillingMonth(year: year + 1, month: 1)! : BillingMonth(year: year, month: month + 1)! }
    public var previous: BillingMonth {
        month == 1 ? BillingMonth(year: year - 1, month: 12)! : BillingMonth(year: year, month: month - 1)!
    }
    public var firstDay: CalendarDate { CalendarDate(year: year, month: month, day: 1)! }
    public var lastDay: CalendarDate { CalendarDate(year: year, month: month, day: CalendarDate.daysIn(month: month, year: year))! }

    public static func < (a: BillingMonth, b: BillingMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let m = BillingMonth(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a month is written 2026-10"))
        }
        self = m
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
