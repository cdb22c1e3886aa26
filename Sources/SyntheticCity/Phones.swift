/// Phone numbers and small numbers as text, built digit by digit (no Foundation formatting).
enum Phones {
    /// Three-digit prefixes of mainland mobile numbers (China Mobile, Unicom and Telecom), the kinds
    /// elders and their families carry.
    static let mobilePrefixes: [UInt16] = [
        130, 131, 132, 133, 134, 135, 136, 137, 138, 139,
        150, 151, 152, 153, 155, 156, 157, 158, 159,
        173, 176, 177, 178,
        180, 181, 182, 183, 184, 185, 186, 187, 188, 189,
        191, 198, 199,
    ]

    /// An 11-digit mobile number such as `13878512345`.
    @inline(__always)
    static func mobile(_ random: inout RandomSource) -> String {
        let prefix = Int(mobilePrefixes[random.below(mobilePrefixes.count)])
        var rest = random.below(100_000_000)
        return String(unsafeUninitializedCapacity: 11) { buf in
            buf[0] = UInt8(truncatingIfNeeded: 48 + prefix / 100)
            buf[1] = UInt8(truncatingIfNeeded: 48 + prefix / 10 % 10)
            buf[2] = UInt8(truncatingIfNeeded: 48 + prefix % 10)
            for i in stride(from: 10, through: 3, by: -1) {
                buf[i] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                rest /= 10
            }
            return 11
        }
    }

    /// A Yulin landline: `0775-` and seven digits starting with `localPrefix`, e.g. `0775-2821234`.
    static func landline(localPrefix: String, _ random: inout RandomSource) -> String {
        var text = YulinGeography.areaCode + "-" + localPrefix
        let remaining = 7 - localPrefix.utf8.count
        for _ in 0..<remaining { text += decimal(random.below(10)) }
        return text
    }

    /// `0…999` as decimal text, precomputed (each is a small string, so appending it never allocates).
    static let smallNumbers: [String] = (0..<1000).map { String($0) }

    /// `n` in decimal: from the table when small.
    @inline(__always)
    static func decimal(_ n: Int) -> String {
        n >= 0 && n < 1000 ? smallNumbers[n] : String(n)
    }
}
