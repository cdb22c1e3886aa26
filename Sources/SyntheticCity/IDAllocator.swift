/// Hands out the three-digit sequence codes of identity numbers so that no two synthetic elders ever
/// share a number, however many millions are made.
///
/// A number is region (the district) + birth date + sequence + check character, so it is unique when
/// each (district, birth day) pair never hands out the same sequence twice. One `UInt16` counter per
/// (district, day, sex) is kept in a flat array (about 1 MB for the whole city); odd sequences
/// (1…999, 500 of them) are men's, even ones (2…998, 499) women's. When a day has used all its codes
/// of one sex, the birth date moves by a day (the day before first, then the day after, and so on).
struct IDAllocator: Sendable {
    /// The earliest and latest birth days (days since 1970-01-01) an elder may have.
    let firstDay: Int
    let lastDay: Int
    private let dayCount: Int
    private let districtCount: Int
    private var used: [UInt16]

    init(districtCount: Int, firstDay: Int, lastDay: Int) {
        precondition(lastDay >= firstDay && districtCount > 0)
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.dayCount = lastDay - firstDay + 1
        self.districtCount = districtCount
        self.used = [UInt16](repeating: 0, count: districtCount * dayCount * 2)
    }

    /// How many sequence codes one (district, day) has for each sex.
    static func capacity(female: Bool) -> Int { female ? 499 : 500 }

    /// A fresh sequence code for someone of the given sex born in `district` on `day` (or, when that
    /// day is full, on the nearest day that is not).
    /// - Returns: the birth day actually used and the sequence code (odd for men, even for women).
    @inline(__always)
    mutating func allocate(district: Int, day: Int, female: Bool) -> (day: Int, sequence: Int) {
        let capacity = Self.capacity(female: female)
        let base = min(max(day, firstDay), lastDay)
        var candidate = base
        var step = 0
        while true {
            if candidate >= firstDay, candidate <= lastDay {
                let offset = candidate - firstDay
                let index = ((district * dayCount + offset) << 1) | (female ? 1 : 0)
                let k = Int(used[index])
                if k < capacity {
                    used[index] = UInt16(k + 1)
                    // Scatter the codes: a fixed bijection of 0..<capacity, different for each day.
                    let slot =
                        female
                        ? (k * 211 + offset * 31 + district * 7) % 499
                        : (k * 353 + offset * 31 + district * 7) % 500
                    return (candidate, female ? 2 + 2 * slot : 1 + 2 * slot)
                }
            }
            step += 1
            precondition(step <= 2 * dayCount, "the synthetic city has run out of identity numbers")
            candidate = base + (step & 1 == 1 ? -(step + 1) / 2 : step / 2)
        }
    }
}

/// Builds identity-number strings without Foundation formatting. Produces exactly what
/// `NationalID.make(regionCode:birthDate:sequence:)` produces, several times faster.
enum IDNumber {
    /// - Parameters:
    ///   - region: the six-digit district code as a number, e.g. `450902`.
    ///   - sequence: 0…999.
    static func make(region: Int, year: Int, month: Int, day: Int, sequence: Int) -> String {
        String(unsafeUninitializedCapacity: 18) { buf in
            var r = region
            for i in stride(from: 5, through: 0, by: -1) {
                buf[i] = UInt8(truncatingIfNeeded: 48 + r % 10)
                r /= 10
            }
            var y = year
            for i in stride(from: 9, through: 6, by: -1) {
                buf[i] = UInt8(truncatingIfNeeded: 48 + y % 10)
                y /= 10
            }
            buf[10] = UInt8(truncatingIfNeeded: 48 + month / 10)
            buf[11] = UInt8(truncatingIfNeeded: 48 + month % 10)
            buf[12] = UInt8(truncatingIfNeeded: 48 + day / 10)
            buf[13] = UInt8(truncatingIfNeeded: 48 + day % 10)
            buf[14] = UInt8(truncatingIfNeeded: 48 + sequence / 100 % 10)
            buf[15] = UInt8(truncatingIfNeeded: 48 + sequence / 10 % 10)
            buf[16] = UInt8(truncatingIfNeeded: 48 + sequence % 10)
            @inline(__always) func d(_ i: Int) -> Int { Int(buf[i]) - 48 }
            // GB 11643 weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, ISO 7064 MOD 11-2.
            var sum = 7 * d(0) + 9 * d(1) + 10 * d(2) + 5 * d(3) + 8 * d(4) + 4 * d(5)
            sum += 2 * d(6) + 1 * d(7) + 6 * d(8) + 3 * d(9) + 7 * d(10) + 9 * d(11)
            sum += 10 * d(12) + 5 * d(13) + 8 * d(14) + 4 * d(15) + 2 * d(16)
            let m = sum % 11
            // "10X98765432"[m]
            buf[17] = m == 0 ? 49 : m == 1 ? 48 : m == 2 ? 88 : UInt8(truncatingIfNeeded: 48 + 12 - m)
            return 18
        }
    }
}
