import CareModel
import Foundation
import Testing

/// The real server, over HTTP: the bureau records a care home's profile and an inspection, reads
/// the indicators; roles it does not hold are refused; an institution sees only its own
/// inspections; the command line freezes a return whose figures equal the API's; and no
/// oversight output names a seeded elder.
@Suite("Oversight end to end", .serialized)
struct OversightEndToEndTests {
    @Test func theBureauInspectsAndReportsWithoutNamingAnElder() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "40", "--seed", "5", "--no-archives", "--quiet"])
        let admin = try await server.token("admin", "e2e-admin")
        let bureau = try await server.token("bureau", "e2e-bureau")
        let operatorToken = try await server.token("operator", "e2e-operator")
        try await server.start()

        let elders = try await server.request("GET", "/v1/elders?limit=40", token: admin).object["items"] as? [[String: Any]] ?? []
        #expect(elders.count == 40)
        let region = try #require(elders.first?["regionCode"] as? String)
        let home = try await server.request(
            "POST", "/v1/institutions", token: admin,
            json:
                #"{"kind":"care_home","name":"玉州区颐养院","regionCode":"\#(region)","address":"人民路5号","phone":"0775-2821235","beds":220,"nursingBeds":120}"#
        )
        #expect(home.status == 201, "\(home.text)")
        let homeId = try #require(home.object["id"] as? Int)
        let profile = try await server.request(
            "PUT", "/v1/oversight/institutions/\(homeId)/profile", token: bureau,
            json:
                #"{"institutionId":0,"operatingModel":"public_built_privately_run","ruralCentre":false,"comprehensive":true,"newPublicFacility":true,"medicalService":"medical_room","rehabilitationPlace":true,"professionalSocialWorkers":2,"staff":80,"carers":50,"residents":150,"sanWuResidents":3,"wuBaoResidents":0,"wuBaoNonSelfCare":0,"constructionSubsidyFen":0,"operatingSubsidyFenPerMonth":1000000}"#
        )
        #expect(profile.status == 200, "\(profile.text)")
        let bad = try await server.request(
            "PUT", "/v1/oversight/institutions/\(homeId)/profile", token: bureau,
            json:
                #"{"institutionId":0,"operatingModel":"public","ruralCentre":false,"comprehensive":false,"newPublicFacility":false,"medicalService":"none","rehabilitationPlace":false,"professionalSocialWorkers":0,"staff":1,"carers":5,"residents":0,"sanWuResidents":0,"wuBaoResidents":0,"wuBaoNonSelfCare":0,"constructionSubsidyFen":0,"operatingSubsidyFenPerMonth":0}"#
        )
        #expect(bad.status == 422 && bad.headers["content-type"]?.contains("problem+json") == true, "\(bad.text)")

        let indicators = try await server.request("GET", "/v1/oversight/indicators?region=450900000000&at=2026-09-30", token: bureau)
        #expect(indicators.status == 200, "\(indicators.text)")
        let list = try #require(indicators.object["indicators"] as? [[String: Any]])
        #expect(list.count == 13)
        let beds = try #require(list.first { $0["id"] as? String == "beds_per_1000" })
        #expect((beds["items"] as? [[String: Any]])?.isEmpty == false)
        #expect(try await server.request("GET", "/v1/oversight/indicators?region=450900000000", token: operatorToken).status == 403)
        let missing = try await server.request("GET", "/v1/oversight/indicators", token: bureau)
        #expect(missing.status == 400 && missing.text.contains("region is required"), "\(missing.text)")

        let inspected = try await server.request(
            "POST", "/v1/oversight/inspections", token: bureau,
            json:
                #"{"institutionId":\#(homeId),"inspectedOn":"2026-09-01","inspector":"李检查","findings":[{"domain":"fire_safety","severity":"serious","scope":"isolated","clause":"GB 38600 4.4","description":"疏散通道堆放杂物"}]}"#
        )
        #expect(inspected.status == 201, "\(inspected.text)")
        let bureauSees = try await server.request("GET", "/v1/oversight/institutions/\(homeId)/inspections", token: bureau)
        #expect((bureauSees.object["inspections"] as? [Any])?.count == 1)
        // An account of another institution: not found, not forbidden.
        #expect(try await server.request("GET", "/v1/oversight/institutions/\(homeId)/inspections", token: operatorToken).status == 404)
        let publicList = try await server.request("GET", "/v1/oversight/violations")
        #expect(publicList.status == 200)

        // The command line freezes the quarter; its figure equals the API's for the same date.
        let csv = try await server.command(["report", "oversight", "--period", "2026-Q3", "--format", "csv"])
        let line = try #require(csv.split(separator: "\n").first { $0.contains(",beds_per_1000,") && $0.hasSuffix(",,,,,,") })
        let apiValue = (beds["value"] as? Double).map { $0 == $0.rounded() ? String(Int($0)) : String(format: "%.2f", $0) } ?? ""
        #expect(line.contains(",\(apiValue),"), "\(line) against \(apiValue)")
        let frozen = try await server.request("GET", "/v1/oversight/returns/2026-Q3?format=html", token: bureau)
        #expect(frozen.status == 200 && frozen.text.contains("<svg"))

        for text in [indicators.text, bureauSees.text, publicList.text, csv, frozen.text, inspected.text] {
            for e in elders {
                let name = try #require(e["name"] as? String), id = try #require(e["nationalId"] as? String)
                #expect(!text.contains(name), "an elder's name in an oversight output")
                #expect(!text.contains(id), "an identity number in an oversight output")
            }
        }
    }
}
