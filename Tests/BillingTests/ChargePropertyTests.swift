import CareModel
import CareStore
import Foundation
import GRDB
import Testing

@testable import Billing

/// Random months of events through the store, with a seeded generator: whatever the prices,
/// entitlements, insurance and order of events, every charge's legs add up to its price, no leg
/// is negative, no elder's voucher or insurance use goes over its grant or cap, goods and fees
/// are never subsidised, and `verify` finds nothing wrong.
@Suite("Charges over random months")
struct ChargePropertyTests {
    @Test(arguments: [7, 11, 2026] as [UInt64])
    func invariantsHold(seed: UInt64) async throws {
        var g = SeededGenerator(seed: seed)
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let provider = try await h.addProvider()
        let from = BillingHarness.day("2026-01-01")
        for (code, unit) in [("HS-CLEAN", TariffUnit.visit), ("NURSE", .hour), ("MEAL", .meal), ("SHOP", .visit)] {
            _ = try await h.billing.addTariff(
                Tariff(code: code, unit: unit, priceFen: Int64.random(in: 0...20_000, using: &g), effectiveFrom: from), by: .commandLine)
            // A price change mid-month: charges before it keep the old price.
            _ = try await h.billing.addTariff(
                Tariff(
                    code: code, providerId: provider, unit: unit, priceFen: Int64.random(in: 0...20_000, using: &g),
                    effectiveFrom: BillingHarness.day("2026-10-15")), by: .commandLine)
        }
        let cap = Bool.random(using: &g) ? Int64.random(in: 0...30_000, using: &g) : nil
        _ = try await h.billing.addEntitlement(
            Entitlement(
                county: "450902", effectiveFrom: from,
                vouchers: BillingCategory.allCases.map {
                    VoucherRule(
                        category: $0, monthlyFen: Int64.random(in: 0...50_000, using: &g),
                        maxShareBasisPoints: Int.random(in: 0...10_000, using: &g))
                },
                carryOver: Bool.random(using: &g),
                insurance: InsuranceRule(rateBasisPoints: Int.random(in: 0...10_000, using: &g), monthlyCapFen: cap)),
            by: .commandLine)
        var elders: [Int64] = []
        for n in 1...4 {
            let categories = [SubsidyCategory.sanwu, .wubao, .dibao, .lowIncome, .disabled].filter { _ in Bool.random(using: &g) }
            let e = try await h.addElder(n, categories: categories)
            _ = try await h.billing.saveProfile(BillingProfile(elderId: e.id, ltcInsured: Bool.random(using: &g)), by: .commandLine)
            elders.append(e.id)
        }
        let kinds: [(BillableEvent.Kind, String, String)] = [
            (.visitVerified, "cleaning", "HS-CLEAN"), (.visitVerified, "rehab", "NURSE"), (.mealDelivered, "meal_delivery", "MEAL"),
            (.shoppingReceipt, "shopping", "SHOP"), (.lateCancellation, "cleaning", "HS-CLEAN"), (.noShow, "cleaning", "HS-CLEAN"),
        ]
        for i in 0..<150 {
            let (kind, service, tariff) = kinds.randomElement(using: &g)!
            let month = Bool.random(using: &g) ? "10" : "11"
            let day = "2026-\(month)-" + String(format: "%02d", Int.random(in: 1...28, using: &g))
            try await h.log(
                kind, elder: elders.randomElement(using: &g)!, provider: provider, service: service, tariff: tariff, on: day,
                minutes: Int.random(in: 15...240, using: &g),
                amountFen: kind == .shoppingReceipt ? Int64.random(in: 0...50_000, using: &g) : nil,
                booking: Int64(10_000 + i), volunteer: Int.random(in: 0..<10, using: &g) == 0)
            if Int.random(in: 0..<20, using: &g) == 0 { try await h.billing.runCharges(batch: Int.random(in: 1...30, using: &g)) }
        }
        try await h.billing.runCharges(batch: 17)
        let charges = try await h.billing.charges()
        #expect(charges.count == 150)
        for c in charges {
            #expect(c.split.totalFen == c.priceFen)
            #expect(c.split.insuranceFen >= 0 && c.split.voucherFen >= 0 && c.split.elderFen >= 0 && c.goodsFen >= 0)
            if c.kind == .lateCancellation || c.kind == .noShow { #expect(c.split.elderFen == c.priceFen) }
        }
        let balances = try await h.database.read { db in
            try Row.fetchAll(db, sql: "SELECT elder_id, month, granted_fen, used_fen, insurance_used_fen FROM billing_voucher_balance").map
            {
                ($0[0] as Int64, $0[1] as String, $0[2] as Int64, $0[3] as Int64, $0[4] as Int64)
            }
        }
        for (elder, month, granted, used, insured) in balances {
            #expect(used >= 0 && used <= granted)
            if let cap { #expect(insured <= cap) }
            let mine = charges.filter { $0.elderId == elder && $0.month.description == month }
            #expect(mine.reduce(0) { $0 + $1.split.voucherFen } == used)
        }
        #expect(try await h.verifyProblems() == [])
    }
}
