import CareModel
import Testing

/// A small seeded generator (SplitMix64), so a failing case is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("The payer split")
struct PayerSplitTests {
    @Test func insuranceFirstThenVoucherThenElder() {
        // 100 yuan: insurance 70 % = 70 yuan; voucher at most half of the 30 left = 15; elder 15.
        let s = PayerSplit.split(
            priceFen: 10_000, insurance: InsuranceRule(rateBasisPoints: 7_000), insuranceRemainingFen: nil,
            voucher: VoucherRule(category: .dibao, monthlyFen: 20_000, maxShareBasisPoints: 5_000), voucherRemainingFen: 20_000)
        #expect(s == PayerSplit(insuranceFen: 7_000, voucherFen: 1_500, elderFen: 1_500))
    }

    @Test func theVoucherIsCappedByWhatIsLeftOfTheMonth() {
        let s = PayerSplit.split(
            priceFen: 6_000, insurance: nil, insuranceRemainingFen: nil,
            voucher: VoucherRule(category: .sanwu, monthlyFen: 50_000, maxShareBasisPoints: 10_000), voucherRemainingFen: 1_234)
        #expect(s == PayerSplit(insuranceFen: 0, voucherFen: 1_234, elderFen: 4_766))
    }

    @Test func sharesRoundDownAndTheElderTakesTheRest() {
        // 33.33 % of 1 fen … of 101 fen is 33.6633 fen: the fund pays 33, the elder 68.
        let s = PayerSplit.split(
            priceFen: 101, insurance: nil, insuranceRemainingFen: nil,
            voucher: VoucherRule(category: .dibao, monthlyFen: 10_000, maxShareBasisPoints: 3_333), voucherRemainingFen: 10_000)
        #expect(s == PayerSplit(insuranceFen: 0, voucherFen: 33, elderFen: 68))
        #expect(Rounding.share(7_000, 45, 60) == 5_250)
        #expect(Rounding.share(100, 1, 3) == 33)
    }

    @Test func goodsAndFeesAreNeverSubsidised() {
        let s = PayerSplit.split(
            priceFen: 8_000, insurance: InsuranceRule(rateBasisPoints: 10_000), insuranceRemainingFen: nil,
            voucher: VoucherRule(category: .wubao, monthlyFen: 50_000, maxShareBasisPoints: 10_000), voucherRemainingFen: 50_000,
            subsidised: false)
        #expect(s == PayerSplit(insuranceFen: 0, voucherFen: 0, elderFen: 8_000))
    }

    /// Whatever the prices, rules and order of events: the legs add up to the price, none is
    /// negative, the insurance keeps to its rate and cap, the voucher to its share and to the
    /// month's balance, and a month's vouchers never pay more than were granted.
    @Test(arguments: [1, 2, 3, 42, 2026] as [UInt64])
    func propertiesHoldForRandomMonths(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        for _ in 0..<2_000 {
            let insurance: InsuranceRule? =
                Bool.random(using: &g)
                ? InsuranceRule(
                    rateBasisPoints: Int.random(in: 0...10_000, using: &g),
                    monthlyCapFen: Bool.random(using: &g) ? Int64.random(in: 0...100_000, using: &g) : nil) : nil
            let voucher: VoucherRule? =
                Bool.random(using: &g)
                ? VoucherRule(
                    category: BillingCategory.allCases.randomElement(using: &g)!, monthlyFen: Int64.random(in: 0...80_000, using: &g),
                    maxShareBasisPoints: Int.random(in: 0...10_000, using: &g)) : nil
            var voucherLeft = voucher?.monthlyFen ?? 0
            var insuranceLeft = insurance?.monthlyCapFen
            var voucherUsed: Int64 = 0
            for _ in 0..<Int.random(in: 1...40, using: &g) {
                let price = Int64.random(in: 0...Int64.random(in: 1...2_000_000, using: &g), using: &g)
                let subsidised = Int.random(in: 0..<5, using: &g) != 0
                let s = PayerSplit.split(
                    priceFen: price, insurance: insurance, insuranceRemainingFen: insuranceLeft, voucher: voucher,
                    voucherRemainingFen: voucherLeft, subsidised: subsidised)
                #expect(s.totalFen == price)
                #expect(s.insuranceFen >= 0 && s.voucherFen >= 0 && s.elderFen >= 0)
                if let insurance {
                    #expect(s.insuranceFen * 10_000 <= price * Int64(insurance.rateBasisPoints))
                    if let left = insuranceLeft { #expect(s.insuranceFen <= left) }
                } else {
                    #expect(s.insuranceFen == 0)
                }
                if let voucher {
                    #expect(s.voucherFen * 10_000 <= (price - s.insuranceFen) * Int64(voucher.maxShareBasisPoints))
                    #expect(s.voucherFen <= voucherLeft)
                } else {
                    #expect(s.voucherFen == 0)
                }
                if !subsidised { #expect(s.elderFen == price) }
                voucherLeft -= s.voucherFen
                voucherUsed += s.voucherFen
                insuranceLeft = insuranceLeft.map { $0 - s.insuranceFen }
                #expect(voucherLeft >= 0)
                #expect((insuranceLeft ?? 0) >= 0)
            }
            #expect(voucherUsed <= voucher?.monthlyFen ?? 0)
        }
    }

    @Test func allowanceBands() {
        let bands = AllowanceBands(age80to89Fen: 5_000, age90to99Fen: 10_000, age100PlusFen: 50_000)
        #expect(bands.amount(age: 79) == 0)
        #expect(bands.amount(age: 80) == 5_000)
        #expect(bands.amount(age: 89) == 5_000)
        #expect(bands.amount(age: 90) == 10_000)
        #expect(bands.amount(age: 100) == 50_000)
        #expect(bands.amount(age: 107) == 50_000)
    }

    @Test func theProvidersOwnPriceInEffectThatDayWins() {
        let d = { (s: String) in CalendarDate(iso: s)! }
        let tariffs = [
            Tariff(id: 1, code: "HS-CLEAN", unit: .visit, priceFen: 5_000, effectiveFrom: d("2026-01-01")),
            Tariff(id: 2, code: "HS-CLEAN", providerId: 7, unit: .visit, priceFen: 6_000, effectiveFrom: d("2026-01-01")),
            Tariff(id: 3, code: "HS-CLEAN", providerId: 7, unit: .visit, priceFen: 6_500, effectiveFrom: d("2026-11-01")),
        ]
        #expect(Tariff.pick(tariffs, code: "HS-CLEAN", provider: 7, on: d("2026-10-31"))?.id == 2)
        #expect(Tariff.pick(tariffs, code: "HS-CLEAN", provider: 7, on: d("2026-11-01"))?.id == 3)
        #expect(Tariff.pick(tariffs, code: "HS-CLEAN", provider: 8, on: d("2026-11-01"))?.id == 1)
        #expect(Tariff.pick(tariffs, code: "HS-CLEAN", provider: 7, on: d("2025-12-31")) == nil)
        #expect(Tariff(code: "X", unit: .hour, priceFen: 4_000, effectiveFrom: d("2026-01-01")).price(minutes: 90) == 6_000)
    }

    @Test func theMostGenerousCategoryApplies() {
        let e = Entitlement(
            county: "450902", effectiveFrom: CalendarDate(iso: "2026-01-01")!,
            vouchers: [
                VoucherRule(category: .dibao, monthlyFen: 20_000, maxShareBasisPoints: 5_000),
                VoucherRule(category: .sanwu, monthlyFen: 40_000, maxShareBasisPoints: 10_000),
            ])
        #expect(e.voucher(for: [.dibao])?.category == .dibao)
        #expect(e.voucher(for: [.dibao, .sanwu])?.category == .sanwu)
        #expect(e.voucher(for: [.lowIncome]) == nil)
    }
}
