import CareModel
import CareStore
import Foundation
import Testing

@testable import Billing

/// The worked example of Docs/billing.md, figure by figure: an 85-year-old 低保 elder living
/// alone in Yuzhou, in October 2026.
@Suite("The worked example of Docs/billing.md")
struct WorkedExampleTests {
    @Test func octoberForMrsWang() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let wang = try await h.addElder(1, born: CalendarDate(year: 1941, month: 3, day: 15)!, categories: [.dibao], name: "王秀英")
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        // Daily meals; cleaning on Mondays (the 19th cancelled after the cut-off); shopping on the 8th and 22nd.
        for d in 1...31 {
            let day = "2026-10-" + (d < 10 ? "0" : "") + String(d)
            try await h.log(
                .mealDelivered, elder: wang.id, provider: provider, service: "meal_delivery", tariff: "MEAL", on: day, at: "11:30")
            if [5, 12, 26].contains(d) {
                try await h.log(
                    .visitVerified, elder: wang.id, provider: provider, service: "cleaning", tariff: "HS-CLEAN", on: day, at: "14:00",
                    minutes: 120)
            }
            if d == 19 {
                try await h.log(
                    .lateCancellation, elder: wang.id, provider: provider, service: "cleaning", tariff: "HS-CLEAN", on: day, at: "14:00",
                    minutes: 120)
            }
            if d == 8 || d == 22 {
                try await h.log(
                    .shoppingReceipt, elder: wang.id, provider: provider, service: "shopping", tariff: "SHOP", on: day, at: "15:00",
                    amountFen: d == 8 ? 8_550 : 4_230)
            }
        }
        try await h.billing.runCharges()
        // Her son pays 400 yuan by WeChat on the 31st.
        h.clock.set(BillingHarness.at("2026-10-31", "18:00"))
        let payment = try await h.billing.recordPayment(
            NewPayment(elderId: wang.id, amountFen: 40_000, method: .wechat, externalRef: "4200002026103112345678", payer: "李明"),
            by: .commandLine)
        #expect(payment.receiptNumber == "YL-2026-000001")
        h.clock.set(BillingHarness.at("2026-11-01", "09:00"))
        let october = BillingMonth("2026-10")!
        let closed = try await h.billing.close(month: october, by: .commandLine)
        #expect(closed.allowances == 1 && closed.allowanceFen == 5_000)

        let s = try await h.billing.statement(elderId: wang.id, month: october)
        #expect(s.lines.count == 37)
        #expect(s.chargedFen == 72_980)  // 602.00 yuan of services and 127.80 of goods
        #expect(s.insuranceFen == 0)
        #expect(s.voucherFen == 20_000)  // the whole 200-yuan voucher, used up on the 22nd
        #expect(s.elderShareFen == 52_980)
        #expect(s.paidFen == 40_000)
        #expect(s.allowanceFen == 5_000)
        #expect(s.openingBalanceFen == 0)
        #expect(s.closingBalanceFen == 7_980)  // 79.80 yuan still owed
        let shopping22 = try #require(s.lines.first { $0.kind == .shoppingReceipt && $0.date == BillingHarness.day("2026-10-22") })
        #expect(shopping22.voucherFen == 300 && shopping22.elderFen == 700 && shopping22.elderTotalFen == 4_930)
        let lastCleaning = try #require(s.lines.last { $0.kind == .visitVerified })
        #expect(lastCleaning.voucherFen == 0 && lastCleaning.elderFen == 6_000)
        let late = try #require(s.lines.first { $0.kind == .lateCancellation })
        #expect(late.priceFen == 3_000 && late.voucherFen == 0)

        let settlement = try await h.billing.settlement(providerId: provider, month: october)
        #expect(settlement.lines.count == 37)
        #expect(settlement.fundsFen == 20_000)
        #expect(settlement.elderFen == 40_200)
        #expect(settlement.goodsFen == 12_780)
        #expect(settlement.totalFen == 72_980)

        let report = try await h.billing.countyReport(county: "450902", month: october)
        #expect(report.eldersServed == [CountyReport.CategoryLine(category: "dibao", elders: 1)])
        #expect(report.vouchersIssuedFen == 20_000 && report.vouchersUsedFen == 20_000)
        #expect(report.allowanceElders == 1 && report.allowancesPaidFen == 5_000)

        let csv = BillingDocuments.csv(s)
        #expect(csv.contains("本月结余,,,,,,,,79.80"))
        let html = BillingDocuments.html(s)
        #expect(html.contains("王秀英") && html.contains("79.80") && html.contains("<html lang=\"zh-CN\">"))
        #expect(try await h.verifyProblems() == [])
    }
}
