import Billing
import CareModel
import Foundation
import Testing

/// The real server, over HTTP: a booking, a verified visit, its one charge split between the
/// voucher and the elder, her statement, a payment (and the same payment refused), verification
/// by an auditor and by the command line.
@Suite("Billing end to end", .serialized)
struct BillingEndToEndTests {
    @Test func aVerifiedVisitIsChargedOnceAndReachesTheStatement() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "10", "--seed", "9", "--quiet"])
        let admin = try await server.token("admin", "e2e-admin")
        let auditor = try await server.token("auditor", "e2e-auditor")
        let phone = try await server.token("worker", "张丽")
        try await server.start(environment: [
            "ELDERCARE_BOOKINGS_MINIMUM_NOTICE_MINUTES": "0", "ELDERCARE_BILLING_PAYMENT_WEBHOOK_SECRET": "alipay-shared-secret",
        ])

        let me = try await server.request("GET", "/v1/me", token: phone).object
        let account = try #require(me["accountId"] as? Int)
        let elders = try await server.request("GET", "/v1/elders?limit=10", token: admin).object["items"] as? [[String: Any]] ?? []
        let elder = try #require(elders.first { $0["location"] is [String: Any] })
        let elderId = try #require(elder["id"] as? Int), region = try #require(elder["regionCode"] as? String)
        let home = try #require(elder["location"] as? [String: Any])
        let lat = try #require(home["latitude"] as? Double), lon = try #require(home["longitude"] as? Double)
        let institution = try await server.request(
            "POST", "/v1/institutions", token: admin,
            json: #"{"kind":"home_care_centre","name":"玉州居家养老服务中心","regionCode":"\#(region)","address":"人民路3号","phone":"0775-2821234"}"#)
        let provider = try #require(institution.object["id"] as? Int)
        _ = try await server.request(
            "PUT", "/v1/providers/\(provider)", token: admin,
            json: #"{"regions":["\#(region)"],"contractNumber":"YL-2026-003","contractUntil":"2027-12-31"}"#)
        let worker = try await server.request(
            "POST", "/v1/workers", token: admin,
            json: """
                {"providerId":\(provider),"accountId":\(account),"name":"张丽","skills":["companionship"],
                 "workingHours":[{"weekdays":[1,2,3,4,5,6,7],"start":"00:00","end":"23:59"}],
                 "home":{"latitude":\(lat),"longitude":\(lon)}}
                """)
        let workerId = try #require(worker.object["id"] as? Int)

        // Billing's configuration over the seeded one: this provider's price for companionship and
        // the county's 低保 voucher from a later day.
        let tariff = try await server.request(
            "POST", "/v1/billing/tariffs", token: admin,
            json: #"{"code":"COMPANION","providerId":\#(provider),"unit":"visit","priceFen":5000,"effectiveFrom":"2021-01-01"}"#)
        #expect(tariff.status == 201, "\(tariff.text)")
        let county = String(region.prefix(6))
        let entitlement = try await server.request(
            "POST", "/v1/billing/entitlements", token: admin,
            json: """
                {"county":"\(county)","effectiveFrom":"2021-01-01",
                 "vouchers":[{"category":"dibao","monthlyFen":20000,"maxShareBasisPoints":5000}],
                 "allowance":{"age80to89Fen":5000,"age90to99Fen":10000,"age100PlusFen":50000}}
                """)
        #expect(entitlement.status == 201, "\(entitlement.text)")
        let profile = try await server.request(
            "PUT", "/v1/billing/profiles/\(elderId)", token: admin, json: #"{"categories":["dibao"],"ltcInsured":false}"#)
        #expect(profile.status == 200, "\(profile.text)")

        // The visit: booked, checked in and out at the door, verified.
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.up) * 60 + 600)
        let made = try await server.request(
            "POST", "/v1/bookings", token: admin,
            json:
                #"{"elderId":\#(elderId),"service":"companionship","start":"\#(ISO8601DateFormatter().string(from: start))","workerId":\#(workerId)}"#
        )
        #expect(made.status == 201, "\(made.text)")
        let booking = try #require((made.object["bookings"] as? [[String: Any]])?.first?["id"] as? Int)
        let door = #"{"place":{"latitude":\#(lat + 0.0003),"longitude":\#(lon)}}"#
        #expect(try await server.request("POST", "/v1/visits/\(booking)/check-in", token: phone, json: door).status == 200)
        let out = try await server.request("POST", "/v1/visits/\(booking)/check-out", token: phone, json: door)
        #expect(out.object["verified"] as? Bool == true, "\(out.text)")

        // Charged once, whether the background job or this run gets there first, and again after.
        for _ in 0..<2 {
            let run = try await server.request("POST", "/v1/billing/charges/run", token: admin)
            #expect(run.status == 200, "\(run.text)")
        }
        let charges =
            try await server.request("GET", "/v1/billing/charges?elder=\(elderId)", token: auditor).object["charges"] as? [[String: Any]]
        let mine = (charges ?? []).filter { ($0["eventId"] as? String) == "visit:\(booking):verified" }
        #expect(mine.count == 1, "\(charges ?? [])")
        let charge = try #require(mine.first)
        let split = try #require(charge["split"] as? [String: Any])
        #expect(split["voucherFen"] as? Int == 2500 && split["elderFen"] as? Int == 2500 && split["insuranceFen"] as? Int == 0)
        let month = try #require(charge["month"] as? String)

        let statement = try await server.request("GET", "/v1/billing/elders/\(elderId)/statement?month=\(month)", token: auditor)
        #expect(statement.status == 200, "\(statement.text)")
        let lines = statement.object["lines"] as? [[String: Any]] ?? []
        #expect(lines.contains { ($0["eventId"] as? String) == "visit:\(booking):verified" && ($0["elderTotalFen"] as? Int) == 2500 })
        let owed = try #require(statement.object["closingBalanceFen"] as? Int)
        let csv = try await server.request("GET", "/v1/billing/elders/\(elderId)/statement?month=\(month)&format=csv", token: auditor)
        #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true && csv.text.contains("25.00"))
        let page = try await server.request("GET", "/v1/billing/elders/\(elderId)/statement?month=\(month)&format=html", token: auditor)
        #expect(page.text.contains("居家养老服务月度账单"))
        let settlement = try await server.request("GET", "/v1/billing/providers/\(provider)/settlement?month=\(month)", token: auditor)
        #expect(settlement.object["fundsFen"] as? Int == 2500, "\(settlement.text)")
        #expect((settlement.object["lines"] as? [[String: Any]])?.first?["bookingId"] as? Int == booking)
        // The provider's own account reads its settlement, and no other provider's.
        let account2 = try await server.request(
            "POST", "/v1/accounts", token: admin, json: #"{"name":"玉州中心财务","role":"provider","institutionId":\#(provider)}"#)
        #expect(account2.status == 201, "\(account2.text)")
        let accountId = try #require(account2.object["id"] as? Int)
        let issued = try await server.request("POST", "/v1/accounts/\(accountId)/tokens", token: admin)
        let providerToken = try #require(issued.object["token"] as? String, "\(issued.text)")
        let own = try await server.request("GET", "/v1/billing/providers/\(provider)/settlement?month=\(month)", token: providerToken)
        #expect(own.status == 200, "\(own.text)")
        let other = try await server.request("GET", "/v1/billing/providers/\(provider + 1)/settlement?month=\(month)", token: providerToken)
        #expect(other.status == 404)
        #expect(try await server.request("GET", "/v1/billing/verify", token: providerToken).status == 403)

        // Her family pays what is owed; the same payment sent again is refused.
        let payment = #"{"elderId":\#(elderId),"amountFen":\#(owed),"method":"wechat","externalRef":"WX-E2E-0001","payer":"李明"}"#
        let paid = try await server.request("POST", "/v1/billing/payments", token: admin, json: payment)
        #expect(paid.status == 201, "\(paid.text)")
        #expect((paid.object["receiptNumber"] as? String)?.hasPrefix("YL-") == true)
        let twice = try await server.request("POST", "/v1/billing/payments", token: admin, json: payment)
        #expect(twice.status == 409)
        #expect((twice.object["type"] as? String) == "urn:eldercare:problem:duplicate-payment")
        let balance = try await server.request("GET", "/v1/billing/elders/\(elderId)/balance", token: auditor)
        #expect(balance.object["owedFen"] as? Int == 0, "\(balance.text)")

        // A payment provider's signed callback is recorded; a forged one is refused.
        let hook = SignedWebhook(secret: "alipay-shared-secret")
        let callback = #"{"elderId":\#(elderId),"amountFen":1000,"method":"alipay","externalRef":"ALI-E2E-0001"}"#
        let signed = hook.headers(for: Array(callback.utf8), now: Date())
        let called = try await server.request("POST", "/v1/billing/payment-callbacks", json: callback, headers: signed)
        #expect(called.status == 201, "\(called.text)")
        let forged = SignedWebhook(secret: "guessed").headers(for: Array(callback.utf8), now: Date())
        let refused = try await server.request("POST", "/v1/billing/payment-callbacks", json: callback, headers: forged)
        #expect(refused.status == 403, "\(refused.text)")
        // The command line's payment-provider simulator signs the same way.
        let simulated = try await server.run(
            RunningServer.binary,
            [
                "billing", "simulate-payment", "--server", server.baseURL, "--secret", "alipay-shared-secret", "--elder", String(elderId),
                "--amount", "500", "--ref", "ALI-E2E-0002",
            ])
        #expect(simulated.status == 0, "\(simulated.output)")
        let credit = try await server.request("GET", "/v1/billing/elders/\(elderId)/balance", token: auditor)
        #expect(credit.object["creditFen"] as? Int == 1500, "\(credit.text)")

        // Auditors read and verify, and change nothing.
        let verified = try await server.request("GET", "/v1/billing/verify", token: auditor)
        #expect(verified.object["ok"] as? Bool == true, "\(verified.text)")
        #expect(try await server.request("POST", "/v1/billing/payments", token: auditor, json: payment).status == 403)
        #expect(try await server.request("POST", "/v1/billing/periods/close", token: admin, json: #"{"month":"\#(month)"}"#).status == 409)

        #expect(server.stop() == 0)
        let cli = try await server.command(["billing", "verify"])
        #expect(cli.hasPrefix("Billing verifies"), "\(cli)")
        await #expect(throws: (any Error).self) { try await server.command(["billing", "close", "--month", month]) }
    }
}
