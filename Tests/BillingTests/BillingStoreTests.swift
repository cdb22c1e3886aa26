import CareModel
import CareStore
import Foundation
import GRDB
import Testing

@testable import Billing

@Suite("Billing's store")
struct BillingStoreTests {
    @Test func eachEventIsChargedOnceAcrossACrashAndReruns() async throws {
        var h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        var events: [BillableEvent] = []
        for d in 1...9 {
            events.append(
                try await h.log(
                    .mealDelivered, elder: elder.id, provider: provider, service: "meal_delivery", tariff: "MEAL", on: "2026-10-0\(d)"))
        }
        // One batch commits, then the process dies before the next.
        let first = try await h.billing.chargeBatch(limit: 4)
        #expect(first.charged == 4)
        h = try h.reopened()
        // Bookings logs the same event again (a corrected visit): same id, never a second charge.
        try await h.log(events[2])
        let rest = try await h.billing.runCharges(batch: 3)
        #expect(rest.charged == 5)
        #expect(try await h.billing.runCharges().charged == 0)
        #expect(try await h.count("SELECT count(*) FROM billing_charge") == 9)
        #expect(try await h.count("SELECT count(DISTINCT event_id) FROM billing_charge") == 9)
        let v = try await h.billing.verify()
        #expect(v.problems == [])
        #expect(v.events == 9 && v.charges == 9)
    }

    /// A failure in the middle of a batch (here a trigger refusing the fourth charge) rolls back
    /// the charges before it, their postings and the cursor: the rerun charges each event once.
    @Test func aBatchThatFailsHalfwayLeavesNothingBehind() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        var events: [BillableEvent] = []
        for d in 1...6 {
            events.append(
                try await h.log(
                    .mealDelivered, elder: elder.id, provider: provider, service: "meal_delivery", tariff: "MEAL", on: "2026-10-0\(d)"))
        }
        let poisoned = events[3].eventId
        try await h.database.write { db in
            try db.execute(
                sql: """
                    CREATE TEMP TRIGGER crash BEFORE INSERT ON billing_charge WHEN NEW.event_id = '\(poisoned)'
                    BEGIN SELECT RAISE(ABORT, 'crash'); END
                    """)
        }
        await #expect(throws: (any Error).self) { try await h.billing.runCharges() }
        #expect(try await h.count("SELECT count(*) FROM billing_charge") == 0)
        #expect(try await h.count("SELECT count(*) FROM billing_entry") == 0)
        #expect(try await h.count("SELECT coalesce(max(used_fen), 0) FROM billing_voucher_balance") == 0)
        #expect(try await h.count("SELECT count(*) FROM billing_cursor") == 0)
        try await h.database.write { db in try db.execute(sql: "DROP TRIGGER temp.crash") }
        #expect(try await h.billing.runCharges().charged == 6)
        #expect(try await h.count("SELECT used_fen FROM billing_voucher_balance") == 6 * 600)
        #expect(try await h.verifyProblems() == [])
    }

    /// A long stretch of other services' changes moves the cursor on, so later runs start past it.
    @Test func theCursorSkipsStretchesWithNothingBillable() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        try await h.log(.mealDelivered, elder: elder.id, provider: provider, service: "meal_delivery", tariff: "MEAL", on: "2026-10-01")
        let db = h.database
        try await db.write { d in
            for i in 0..<15_000 { try db.appendChange(d, entity: "call", id: Int64(i), change: "opened", payload: "{}", at: "x") }
        }
        let latest = try await db.latestChangePosition()
        #expect(try await h.billing.runCharges().charged == 1)
        #expect(try await h.billing.chargedUpTo() == latest)
        try await h.log(.mealDelivered, elder: elder.id, provider: provider, service: "meal_delivery", tariff: "MEAL", on: "2026-10-02")
        #expect(try await h.billing.runCharges().charged == 1)
        #expect(try await h.verifyProblems() == [])
    }

    @Test func twoRunsAtOnceChargeNothingTwice() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        for d in 10...30 {
            try await h.log(
                .mealDelivered, elder: elder.id, provider: provider, service: "meal_delivery", tariff: "MEAL", on: "2026-10-\(d)")
        }
        let billing = h.billing
        async let a = billing.runCharges(batch: 2)
        async let b = billing.runCharges(batch: 3)
        let (ra, rb) = try await (a, b)
        #expect(ra.charged + rb.charged == 21)
        #expect(try await h.count("SELECT count(*) FROM billing_charge") == 21)
        #expect(try await h.verifyProblems() == [])
    }

    @Test func theLedgerRefusesUpdatesAndDeletes() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        try await h.log(.visitVerified, elder: elder.id, provider: provider, service: "cleaning", tariff: "HS-CLEAN", on: "2026-10-05")
        try await h.billing.runCharges()
        for sql in [
            "UPDATE billing_entry SET amount_fen = amount_fen + 1", "DELETE FROM billing_entry",
            "UPDATE billing_transaction SET memo = 'x'", "DELETE FROM billing_transaction", "UPDATE billing_charge SET price_fen = 1",
            "DELETE FROM billing_charge",
        ] {
            await #expect(throws: DatabaseError.self, "\(sql)") {
                try await h.database.write { db in try db.execute(sql: sql) }
            }
        }
        #expect(try await h.count("SELECT count(*) FROM billing_entry") == 3)
    }

    @Test func aDuplicatePaymentReferenceIsRefusedAndReceiptsAreNumbered() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)
        h.clock.set(BillingHarness.at("2026-10-20", "10:00"))
        let p1 = try await h.billing.recordPayment(
            NewPayment(elderId: elder.id, amountFen: 10_000, method: .wechat, externalRef: "WX4200001"), by: .commandLine)
        let p2 = try await h.billing.recordPayment(
            NewPayment(elderId: elder.id, amountFen: 2_000, method: .cash, externalRef: "CASH-0001"), by: .commandLine)
        #expect(p1.receiptNumber == "YL-2026-000001")
        #expect(p2.receiptNumber == "YL-2026-000002")
        let refusal = await billingRefusal {
            _ = try await h.billing.recordPayment(
                NewPayment(elderId: elder.id, amountFen: 10_000, method: .wechat, externalRef: "WX4200001"), by: .commandLine)
        }
        #expect(refusal == .duplicatePayment(externalRef: "WX4200001", receiptNumber: "YL-2026-000001"))
        #expect(try await h.billing.balance(elderId: elder.id).creditFen == 12_000)
        #expect(try await h.count("SELECT count(*) FROM billing_payment") == 2)
    }

    @Test func aSignedCallbackVerifiesAndAForgedOneDoesNot() throws {
        let hook = SignedWebhook(secret: "provider-secret")
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let body = Array(#"{"elderId":1,"amountFen":500,"method":"alipay","externalRef":"ALI-1"}"#.utf8)
        let headers = hook.headers(for: body, now: now)
        #expect(try hook.payment(headers: headers, body: body, now: now).externalRef == "ALI-1")
        var forged = body
        forged[forged.count - 3] = UInt8(ascii: "2")
        #expect(throws: BillingRefusal.badSignature) { try hook.payment(headers: headers, body: forged, now: now) }
        #expect(throws: BillingRefusal.badSignature) { try hook.payment(headers: headers, body: body, now: now.addingTimeInterval(600)) }
        #expect(throws: BillingRefusal.badSignature) {
            try SignedWebhook(secret: "another").payment(headers: headers, body: body, now: now)
        }
    }

    @Test func aClosedMonthNeverChangesAndLateItemsFallIntoTheNext() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)  // born 1941: 85 in October 2026
        let housed = try await h.addElder(2, born: CalendarDate(year: 1970, month: 1, day: 1)!, categories: [.wubao])
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        let home = try await h.addProvider(name: "玉州区敬老院")
        _ = try await h.billing.saveProfile(BillingProfile(elderId: housed.id, placementInstitutionId: home), by: .commandLine)
        try await h.log(.visitVerified, elder: elder.id, provider: provider, service: "cleaning", tariff: "HS-CLEAN", on: "2026-10-05")
        let october = BillingMonth("2026-10")!
        h.clock.set(BillingHarness.at("2026-12-01", "08:00"))
        #expect(
            await billingRefusal { _ = try await h.billing.close(month: october.next, by: .commandLine) } == .earlierMonthOpen(october))
        h.clock.set(BillingHarness.at("2026-10-31", "23:00"))
        #expect(await billingRefusal { _ = try await h.billing.close(month: october, by: .commandLine) } == .monthNotOver(october))
        h.clock.set(BillingHarness.at("2026-11-01", "08:00"))
        let closed = try await h.billing.close(month: october, by: .commandLine)
        // The refused close of November had already charged October's visit, in October.
        #expect(closed.charged == 0)
        #expect(try await h.billing.charges(elderId: elder.id).map(\.month) == [october])
        #expect(closed.allowances == 1 && closed.allowanceFen == 5_000)
        #expect(closed.placements == 1 && closed.placementFen == 80_000)
        // Both elders' vouchers were issued for October, though only one was used.
        let report = try await h.billing.countyReport(county: "450902", month: october)
        #expect(report.vouchersIssuedFen == 20_000 + 40_000 && report.vouchersUsedFen == 3_000)
        let care = try await h.billing.settlement(providerId: home, month: october)
        #expect(care.placements == 1 && care.totalFen == 80_000)
        #expect(await billingRefusal { _ = try await h.billing.close(month: october, by: .commandLine) } == .periodClosed(october))
        let before = try await h.billing.statement(elderId: elder.id, month: october)
        // A visit of 28 October verified only now: charged in November.
        try await h.log(.visitVerified, elder: elder.id, provider: provider, service: "cleaning", tariff: "HS-CLEAN", on: "2026-10-28")
        try await h.billing.runCharges()
        let late = try await h.billing.charges(elderId: elder.id).last!
        #expect(late.month == BillingMonth("2026-11")!)
        #expect(late.serviceDate == BillingHarness.day("2026-10-28"))
        #expect(try await h.billing.statement(elderId: elder.id, month: october) == before)
        // The database itself refuses a posting into the closed month.
        await #expect(throws: DatabaseError.self) {
            try await h.database.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO billing_transaction (kind, reference, month, at) VALUES ('charge', 'sneak', '2026-10', '2026-11-01T00:00:00Z')"
                )
            }
        }
        let november = try await h.billing.statement(elderId: elder.id, month: BillingMonth("2026-11")!)
        #expect(november.openingBalanceFen == before.closingBalanceFen)
        #expect(november.lines.count == 1)
        #expect(try await h.verifyProblems() == [])
    }

    @Test func reversalsAndCreditNotesPointToWhatTheyCorrect() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        h.clock.set(BillingHarness.at("2026-10-20"))
        try await h.log(.visitVerified, elder: elder.id, provider: provider, service: "cleaning", tariff: "HS-CLEAN", on: "2026-10-05")
        try await h.log(.visitVerified, elder: elder.id, provider: provider, service: "cleaning", tariff: "HS-CLEAN", on: "2026-10-12")
        try await h.billing.runCharges()
        let charges = try await h.billing.charges(elderId: elder.id)
        #expect(charges.map(\.split) == Array(repeating: PayerSplit(insuranceFen: 0, voucherFen: 3_000, elderFen: 3_000), count: 2))

        let reversal = try await h.billing.reverse(
            chargeId: charges[0].id, reason: "the visit was recorded for the wrong elder", by: .commandLine)
        #expect(reversal.corrects == charges[0].transactionId)
        #expect(reversal.entries.reduce(0) { $0 + $1.amountFen } == 0)
        #expect(await billingRefusal { _ = try await h.billing.reverse(chargeId: charges[0].id, reason: "again", by: .commandLine) } != nil)

        let credit = try await h.billing.creditNote(
            chargeId: charges[1].id, amountFen: 1_000, reason: "arrived 40 minutes late", by: .commandLine)
        #expect(credit.corrects == charges[1].transactionId)
        #expect(
            await billingRefusal {
                _ = try await h.billing.creditNote(chargeId: charges[1].id, amountFen: 2_001, reason: "too much", by: .commandLine)
            } != nil)

        let october = BillingMonth("2026-10")!
        let s = try await h.billing.statement(elderId: elder.id, month: october)
        // Two charges of 30 yuan each to the elder, one reversed (−30), one credited 10.
        #expect(s.elderShareFen == 6_000 && s.adjustmentsFen == -4_000 && s.closingBalanceFen == 2_000)
        let settlement = try await h.billing.settlement(providerId: provider, month: october)
        #expect(settlement.totalFen == 12_000 - 6_000 - 1_000)
        // The reversed voucher went back to the month's balance: the next visit gets 30 yuan again.
        let voucherUsed = try await h.count("SELECT used_fen FROM billing_voucher_balance")
        #expect(voucherUsed == 3_000)
        #expect(try await h.verifyProblems() == [])
    }

    @Test func aCloseInterruptedPartWayPaysNobodyTwiceWhenRunAgain() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        _ = try await h.addElder(1)  // born 1941: 85 in October 2026
        _ = try await h.addElder(2, born: CalendarDate(year: 1940, month: 6, day: 1)!)
        _ = try await h.addElder(3, born: CalendarDate(year: 1960, month: 6, day: 1)!)
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        let october = BillingMonth("2026-10")!
        h.clock.set(BillingHarness.at("2026-11-01", "08:00"))
        // The first slice only, as if the server stopped right after committing it.
        let now = h.billing.now
        let first = try await h.database.write { db in try BillingStore.closeSlice(db, month: october, after: 0, limit: 1, now: now) }
        #expect(first != nil)
        #expect(try await h.billing.periods().isEmpty)
        let closed = try await h.billing.close(month: october, by: .commandLine, slice: 1)
        #expect(closed.allowances == 2 && closed.allowanceFen == 10_000)
        let report = try await h.billing.countyReport(county: "450902", month: october)
        #expect(report.allowanceElders == 2 && report.vouchersIssuedFen == 3 * 20_000)
        #expect(try await h.billing.periods().map(\.month) == [october])
        #expect(try await h.verifyProblems() == [])
    }

    @Test func verifyNamesTheFirstProblem() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        try await h.log(.visitVerified, elder: elder.id, provider: provider, service: "repair", tariff: "NO-SUCH-TARIFF", on: "2026-10-05")
        try await h.billing.runCharges()
        let v = try await h.billing.verify()
        #expect(v.problems.count == 1)
        #expect(v.problems.first?.contains("has no tariff") == true)
        // An entry slipped in behind the store's back (triggers allow inserts) unbalances the ledger.
        try await h.database.write { db in
            try db.execute(sql: "INSERT INTO billing_transaction (kind, reference, month, at) VALUES ('charge', 'bad', '2026-10', 'x')")
            let tx = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO billing_account (name, kind, owner) VALUES ('elder:999', 'elder', '999')")
            try db.execute(
                sql: "INSERT INTO billing_entry (transaction_id, account_id, amount_fen, month) VALUES (?, ?, 5, '2026-10')",
                arguments: [tx, db.lastInsertedRowID])
        }
        let bad = try await h.billing.verify()
        #expect(bad.problems.first?.contains("does not balance") == true)
        // A billable entry billing cannot read is skipped by the job, and named by verify.
        let db = h.database
        try await db.write { d in
            try db.appendChange(d, entity: BillableEvent.entity, id: 1, change: "visit_verified", payload: "{}", at: "x")
        }
        try await h.billing.runCharges()
        #expect(try await h.verifyProblems().first?.contains("is not an event billing can read") == true)
    }

    @Test func volunteersLateCancellationsAndShopping() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1, categories: [.sanwu])
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        try await h.log(
            .visitVerified, elder: elder.id, provider: provider, service: "cleaning", tariff: "HS-CLEAN", on: "2026-10-05", volunteer: true)
        try await h.log(.lateCancellation, elder: elder.id, provider: provider, service: "cleaning", tariff: "HS-CLEAN", on: "2026-10-06")
        try await h.log(
            .shoppingReceipt, elder: elder.id, provider: provider, service: "shopping", tariff: "SHOP", on: "2026-10-07", amountFen: 8_550)
        try await h.billing.runCharges()
        let c = try await h.billing.charges(elderId: elder.id)
        #expect(c.map(\.status) == [.free, .posted, .posted])
        // 三无: the voucher pays all of a service, but never a cancellation fee or the goods.
        #expect(c[1].split == PayerSplit(insuranceFen: 0, voucherFen: 0, elderFen: 3_000))
        #expect(c[2].split == PayerSplit(insuranceFen: 0, voucherFen: 1_000, elderFen: 0))
        #expect(c[2].goodsFen == 8_550 && c[2].elderTotalFen == 8_550)
        #expect(try await h.verifyProblems() == [])
    }

    @Test func insurancePaysFirstForAnInsuredElder() async throws {
        let h = try await BillingHarness.make()
        defer { h.remove() }
        let elder = try await h.addElder(1)
        let provider = try await h.addProvider()
        try await h.configureYuzhou(provider: provider)
        _ = try await h.billing.saveProfile(BillingProfile(elderId: elder.id, ltcInsured: true), by: .commandLine)
        try await h.log(.visitVerified, elder: elder.id, provider: provider, service: "cleaning", tariff: "HS-CLEAN", on: "2026-10-05")
        try await h.billing.runCharges()
        // 60 yuan: insurance 70 % = 42; the voucher half of the 18 left = 9; the elder 9.
        #expect(
            try await h.billing.charges(elderId: elder.id).first?.split == PayerSplit(insuranceFen: 4_200, voucherFen: 900, elderFen: 900))
    }
}
