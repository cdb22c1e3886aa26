import Billing
import CareModel
import CareStore
import Foundation

/// The demo city's prices and subsidies, so what the simulated workers deliver is charged:
/// a general price for every tariff of the standard catalogue, and for every district the same
/// entitlements (Docs/billing.md's worked example). Shared by `seed` and `demo`; it does nothing
/// when tariffs already exist.
struct BillingSeeder {
    struct Report {
        var tariffs = 0
        var counties = 0
    }

    /// Demo prices in fen; rehabilitation nursing is priced per hour.
    static let prices: [String: (TariffUnit, Int64)] = [
        "HS-CLEAN": (.visit, 6_000), "HS-LAUNDRY": (.visit, 3_000), "MEAL": (.meal, 1_200), "PC-BATH": (.visit, 8_000),
        "NURSE-REHAB": (.hour, 10_000), "COMPANION": (.visit, 5_000), "REPAIR": (.visit, 4_000), "SHOP": (.visit, 1_000),
        "HEALTH-HOME": (.visit, 3_000),
    ]

    func seed(_ database: CareDatabase) async throws -> Report {
        let billing = BillingStore(database)
        guard try await billing.tariffs().isEmpty else { return Report() }
        var report = Report()
        let from = CalendarDate(year: 2020, month: 1, day: 1)!
        for code in Set(ServiceCatalogue.standard.services.map(\.tariff)).sorted() {
            let (unit, price) = Self.prices[code] ?? (.visit, 5_000)
            _ = try await billing.addTariff(Tariff(code: code, unit: unit, priceFen: price, effectiveFrom: from), by: .commandLine)
            report.tariffs += 1
        }
        let districts = try await database.registry.regions(RegionFilter(level: .district), page: PageRequest(limit: 500)).items
        for county in Set(districts.map { String($0.code.prefix(6)) }).sorted() {
            _ = try await billing.addEntitlement(
                Entitlement(
                    county: county, effectiveFrom: from,
                    vouchers: [
                        VoucherRule(category: .sanwu, monthlyFen: 40_000, maxShareBasisPoints: 10_000),
                        VoucherRule(category: .wubao, monthlyFen: 40_000, maxShareBasisPoints: 10_000),
                        VoucherRule(category: .dibao, monthlyFen: 20_000, maxShareBasisPoints: 5_000),
                        VoucherRule(category: .poorDisabled, monthlyFen: 20_000, maxShareBasisPoints: 5_000),
                        VoucherRule(category: .lowIncome, monthlyFen: 10_000, maxShareBasisPoints: 5_000),
                        VoucherRule(category: .semiDisabled, monthlyFen: 10_000, maxShareBasisPoints: 5_000),
                    ],
                    allowance: AllowanceBands(age80to89Fen: 5_000, age90to99Fen: 10_000, age100PlusFen: 50_000),
                    placementSubsidyFen: 80_000), by: .commandLine)
            report.counties += 1
        }
        return report
    }
}
