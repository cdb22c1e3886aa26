/// How Yulin's older population is shaped: ages, sex ratio, who lives alone, who needs care.
/// All figures are rough, chosen to look like a real prefecture-level city in southern China.
enum Demography {
    static let youngestAge = 60
    static let oldestAge = 105

    /// Share of each age bracket among people aged 60 and over, with how fast numbers fall from one
    /// year of age to the next inside the bracket.
    static let brackets: [(ages: ClosedRange<Int>, share: Double, yearlyRatio: Double)] = [
        (60...69, 0.55, 0.97),
        (70...79, 0.30, 0.94),
        (80...89, 0.13, 0.86),
        (90...105, 0.02, 0.78),
    ]

    /// Relative weight of each age `youngestAge...oldestAge` (index 0 is 60).
    static func ageWeights() -> [Double] {
        var weights: [Double] = []
        for bracket in brackets {
            let raw = bracket.ages.map { pow(bracket.yearlyRatio, $0 - bracket.ages.lowerBound) }
            let sum = raw.reduce(0, +)
            weights += raw.map { $0 / sum * bracket.share }
        }
        return weights
    }

    /// Share of men at a given age: women outlive men, so it falls from about half at 60 to about
    /// a third at 90.
    static func maleShare(age: Int) -> Double {
        max(0.25, 0.505 - 0.0057 * Double(age - youngestAge))
    }

    /// Chance of living alone (about 20% overall, rising with age).
    static func aloneShare(age: Int) -> Double {
        min(0.40, 0.14 + 0.006 * Double(age - youngestAge))
    }

    /// Chance of living with a spouse (about 45% overall); widowhood comes earlier for women.
    static func spouseShare(age: Int, female: Bool) -> Double {
        let base = max(0.04, 0.58 - 0.012 * Double(age - youngestAge))
        return base * (female ? 0.87 : 1.15)
    }

    /// Chances of being semi-disabled (半失能) and disabled (失能).
    static func careShares(age: Int) -> (semi: Double, disabled: Double) {
        switch age {
        case ..<70: (0.05, 0.02)
        case ..<80: (0.12, 0.04)
        case ..<90: (0.25, 0.10)
        default: (0.40, 0.22)
        }
    }
}

/// `pow` for the small, positive integer exponents used above, without Foundation.
private func pow(_ base: Double, _ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<exponent { result *= base }
    return result
}
