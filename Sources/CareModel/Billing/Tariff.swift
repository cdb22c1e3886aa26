import Foundation

/// What a tariff's price is per.
public enum TariffUnit: String, Codable, Sendable, CaseIterable {
    case visit, hour, item, meal
}

/// A price for one service of one provider (or of every provider, when ``providerId`` is nil)
/// from a day on. A new price is a new tariff row; what was charged keeps the price it was
/// charged at.
///
/// ```json
/// {"code":"HS-CLEAN","providerId":7,"unit":"visit","priceFen":6000,"effectiveFrom":"2026-01-01","governmentGuided":true}
/// ```
public struct Tariff: Codable, Sendable, Hashable {
    public var id: Int64?
    /// The catalogue's tariff reference (`HS-CLEAN`, `MEAL`, `SHOP`).
    public var code: String
    /// Nil: the price for every provider without its own.
    public var providerId: Int64?
    public var unit: TariffUnit
    public var priceFen: Int64
    public var effectiveFrom: CalendarDate
    /// A government-guided price (public institutions) rather than one the provider set.
    public var governmentGuided: Bool

    public init(
        id: Int64? = nil, code: String, providerId: Int64? = nil, unit: TariffUnit, priceFen: Int64, effectiveFrom: CalendarDate,
        governmentGuided: Bool = false
    ) {
        self.id = id; self.code = code; self.providerId = providerId; self.unit = unit; self.priceFen = priceFen
        self.effectiveFrom = effectiveFrom; self.governmentGuided = governmentGuided
    }

    enum CodingKeys: String, CodingKey { case id, code, providerId, unit, priceFen, effectiveFrom, governmentGuided }

    /// `governmentGuided` may be left out (false).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(Int64.self, forKey: .id)
        code = try c.decode(String.self, forKey: .code)
        providerId = try c.decodeIfPresent(Int64.self, forKey: .providerId)
        unit = try c.decode(TariffUnit.self, forKey: .unit)
        priceFen = try c.decode(Int64.self, forKey: .priceFen)
        effectiveFrom = try c.decode(CalendarDate.self, forKey: .effectiveFrom)
        governmentGuided = try c.decodeIfPresent(Bool.self, forKey: .governmentGuided) ?? false
    }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        v.checkText(code, "code", maxLength: 40)
        v.check(priceFen >= 0 && priceFen <= 100_000_000, "priceFen", "must be from 0 to 100000000 fen")
        if let providerId { v.check(providerId > 0, "providerId", "must be a provider's id") }
        try v.finish()
    }

    /// The price of one use: per hour, the checked-in minutes (the booked ones when none were
    /// checked), by ``Rounding``; per visit, item or meal, the price itself.
    public func price(minutes: Int?) -> Int64 {
        switch unit {
        case .visit, .item, .meal: priceFen
        case .hour: Rounding.share(priceFen, Int64(max(0, minutes ?? 60)), 60)
        }
    }

    /// The tariff that prices `code` for `provider` on `day`: the provider's own before the
    /// general one, and of those the one that took effect last on or before that day.
    public static func pick(_ tariffs: [Tariff], code: String, provider: Int64, on day: CalendarDate) -> Tariff? {
        let candidates = tariffs.filter {
            $0.code == code && $0.effectiveFrom <= day && ($0.providerId == nil || $0.providerId == provider)
        }
        return candidates.max { a, b in
            let ra = a.providerId == nil ? 0 : 1, rb = b.providerId == nil ? 0 : 1
            return (ra, a.effectiveFrom) < (rb, b.effectiveFrom)
        }
    }
}
