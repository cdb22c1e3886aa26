import Foundation

/// Whom the government buys services for, as billing reads it: the registry's subsidy categories
/// and care level, or what billing staff set on the elder's billing profile.
public enum BillingCategory: String, Codable, Sendable, CaseIterable {
    /// 三无.
    case sanwu
    /// 五保.
    case wubao
    /// 低保.
    case dibao
    case lowIncome = "low_income"
    /// Poor and disabled (贫困失能).
    case poorDisabled = "poor_disabled"
    /// Semi-disabled (半失能).
    case semiDisabled = "semi_disabled"

    /// The categories the registry's record implies.
    public static func of(_ categories: [SubsidyCategory], careLevel: CareLevel) -> [BillingCategory] {
        var out: [BillingCategory] = []
        for c in categories {
            switch c {
            case .sanwu: out.append(.sanwu)
            case .wubao: out.append(.wubao)
            case .dibao: out.append(.dibao)
            case .lowIncome: out.append(.lowIncome)
            case .disabled: out.append(.poorDisabled)
            case .highAge: break
            }
        }
        if careLevel == .semiDisabled { out.append(.semiDisabled) }
        return out
    }
}

/// What a subsidy category receives each month as a service voucher (服务券).
public struct VoucherRule: Codable, Sendable, Hashable {
    public var category: BillingCategory
    /// The voucher's value each month.
    public var monthlyFen: Int64
    /// The largest share of a price the voucher may pay, in basis points (5 000 = half; 10 000 = all).
    public var maxShareBasisPoints: Int

    public init(category: BillingCategory, monthlyFen: Int64, maxShareBasisPoints: Int) {
        self.category = category; self.monthlyFen = monthlyFen; self.maxShareBasisPoints = maxShareBasisPoints
    }
}

/// Long-term-care insurance paying first: its rate of a price, and its monthly cap per elder.
public struct InsuranceRule: Codable, Sendable, Hashable {
    public var rateBasisPoints: Int
    /// Nil: no cap.
    public var monthlyCapFen: Int64?

    public init(rateBasisPoints: Int, monthlyCapFen: Int64? = nil) {
        self.rateBasisPoints = rateBasisPoints; self.monthlyCapFen = monthlyCapFen
    }
}

/// The high-age allowance (高龄津贴) per month, by age band.
public struct AllowanceBands: Codable, Sendable, Hashable {
    public var age80to89Fen: Int64
    public var age90to99Fen: Int64
    public var age100PlusFen: Int64

    public init(age80to89Fen: Int64, age90to99Fen: Int64, age100PlusFen: Int64) {
        self.age80to89Fen = age80to89Fen; self.age90to99Fen = age90to99Fen; self.age100PlusFen = age100PlusFen
    }

    public static let none = AllowanceBands(age80to89Fen: 0, age90to99Fen: 0, age100PlusFen: 0)

    /// The monthly allowance at `age` (whole years).
    public func amount(age: Int) -> Int64 {
        switch age {
        case 100...: age100PlusFen
        case 90...: age90to99Fen
        case 80...: age80to89Fen
        default: 0
        }
    }
}

/// What a county (district) pays for, from a day on. The latest one in effect applies.
///
/// ```json
/// {"county":"450902","effectiveFrom":"2026-01-01","vouchers":[{"category":"dibao","monthlyFen":20000,"maxShareBasisPoints":5000}],
///  "allowance":{"age80to89Fen":5000,"age90to99Fen":10000,"age100PlusFen":50000},"carryOver":false,
///  "insurance":{"rateBasisPoints":7000},"placementSubsidyFen":80000}
/// ```
public struct Entitlement: Codable, Sendable, Hashable {
    public var id: Int64?
    /// The county's six-digit code (`450902`, Yuzhou).
    public var county: String
    public var effectiveFrom: CalendarDate
    public var vouchers: [VoucherRule]
    public var allowance: AllowanceBands
    /// Whether a month's unused voucher value is added to the next month's (by default it is not).
    public var carryOver: Bool
    /// Nil: long-term-care insurance does not pay here.
    public var insurance: InsuranceRule?
    /// What the county pays an institution each month per government-supported elder it houses.
    public var placementSubsidyFen: Int64

    public init(
        id: Int64? = nil, county: String, effectiveFrom: CalendarDate, vouchers: [VoucherRule], allowance: AllowanceBands = .none,
        carryOver: Bool = false, insurance: InsuranceRule? = nil, placementSubsidyFen: Int64 = 0
    ) {
        self.id = id; self.county = county; self.effectiveFrom = effectiveFrom; self.vouchers = vouchers; self.allowance = allowance
        self.carryOver = carryOver; self.insurance = insurance; self.placementSubsidyFen = placementSubsidyFen
    }

    enum CodingKeys: String, CodingKey {
        case id, county, effectiveFrom, vouchers, allowance, carryOver, insurance, placementSubsidyFen
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(Int64.self, forKey: .id)
        county = try c.decode(String.self, forKey: .county)
        effectiveFrom = try c.decode(CalendarDate.self, forKey: .effectiveFrom)
        vouchers = try c.decodeIfPresent([VoucherRule].self, forKey: .vouchers) ?? []
        allowance = try c.decodeIfPresent(AllowanceBands.self, forKey: .allowance) ?? .none
        carryOver = try c.decodeIfPresent(Bool.self, forKey: .carryOver) ?? false
        insurance = try c.decodeIfPresent(InsuranceRule.self, forKey: .insurance)
        placementSubsidyFen = try c.decodeIfPresent(Int64.self, forKey: .placementSubsidyFen) ?? 0
    }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        v.check(county.count == 6 && county.allSatisfy(\.isASCIIDigit), "county", "must be a six-digit county code such as 450902")
        for (i, r) in vouchers.enumerated() {
            v.check(r.monthlyFen >= 0 && r.monthlyFen <= 10_000_000, "vouchers[\(i)].monthlyFen", "must be from 0 to 10000000 fen")
            v.check((0...10_000).contains(r.maxShareBasisPoints), "vouchers[\(i)].maxShareBasisPoints", "must be from 0 to 10000")
        }
        v.check(Set(vouchers.map(\.category)).count == vouchers.count, "vouchers", "must name each category once")
        for (name, fen) in [
            ("age80to89Fen", allowance.age80to89Fen), ("age90to99Fen", allowance.age90to99Fen), ("age100PlusFen", allowance.age100PlusFen),
        ] {
            v.check(fen >= 0 && fen <= 10_000_000, "allowance." + name, "must be from 0 to 10000000 fen")
        }
        if let insurance {
            v.check((0...10_000).contains(insurance.rateBasisPoints), "insurance.rateBasisPoints", "must be from 0 to 10000")
            v.check((insurance.monthlyCapFen ?? 0) >= 0, "insurance.monthlyCapFen", "must not be negative")
        }
        v.check(placementSubsidyFen >= 0 && placementSubsidyFen <= 10_000_000, "placementSubsidyFen", "must be from 0 to 10000000 fen")
        try v.finish()
    }

    /// The voucher of the most generous category the elder has (largest share, then value).
    public func voucher(for categories: [BillingCategory]) -> VoucherRule? {
        vouchers.filter { categories.contains($0.category) }.max { a, b in
            (a.maxShareBasisPoints, a.monthlyFen) < (b.maxShareBasisPoints, b.monthlyFen)
        }
    }

    /// The entitlement of `county` in effect on `day`.
    public static func pick(_ all: [Entitlement], county: String, on day: CalendarDate) -> Entitlement? {
        all.filter { $0.county == county && $0.effectiveFrom <= day }.max { $0.effectiveFrom < $1.effectiveFrom }
    }
}
