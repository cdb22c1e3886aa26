import CareModel
import Foundation
import Testing

private let rulesFile = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Config/triage.json")

/// The shipped file's text with `old` replaced by `new` (the replacement must happen).
private func shipped(replacing old: String, with new: String) throws -> Data {
    let text = try String(contentsOf: rulesFile, encoding: .utf8)
    #expect(text.contains(old), "Config/triage.json no longer contains \(old)")
    return Data(text.replacingOccurrences(of: old, with: new).utf8)
}

@Suite("Triage rules file")
struct TriageRulesTests {
    @Test func theShippedFileEqualsTheCompiledDefault() throws {
        #expect(try TriageRules(decodingJSON: Data(contentsOf: rulesFile)) == TriageRules.default)
    }

    /// A file written before the platform raised welfare checks still loads, with the built-in priority.
    @Test func aCodeOnlyThePlatformRaisesMayBeLeftOut() throws {
        let rules = try TriageRules(decodingJSON: try shipped(replacing: #""welfare_check": "P2","#, with: ""))
        #expect(rules.basePriority[.welfareCheck] == .p2)
        let moved = try TriageRules(decodingJSON: try shipped(replacing: #""welfare_check": "P2""#, with: #""welfare_check": "P1""#))
        #expect(moved.basePriority[.welfareCheck] == .p1)
    }

    @Test(arguments: [
        (#""fall": "P1""#, #""fal": "P1""#, ["basePriority.fal", "basePriority.fall"]),
        (#""fall": "P1""#, #""fall": "P6""#, ["basePriority.fall"]),
        (#""fall": "P1""#, #""fall": "p1""#, ["basePriority.fall"]),
        (#""gas": "P1","#, "", ["basePriority.gas"]),
        (#""sos": "P1""#, #""sos": "P1", "device_test": "P4""#, ["basePriority.device_test"]),
        (#""sos": "P1""#, #""sos": 1"#, ["basePriority.sos"]),
        (#""disabled""#, #""bedridden""#, ["riskFactors[2]"]),
        (#""disabled""#, #""living_alone""#, ["riskFactors[2]"]),
        (#"["P3", "P4"]"#, #"["P3", "Q4"]"#, ["neverRaise[1]"]),
        (#""riskRaisesBy": 1"#, #""riskRaisesBy": "one""#, ["riskRaisesBy"]),
        (#""riskRaisesBy": 1"#, #""riskRaisesBy": 4"#, ["riskRaisesBy"]),
        (#""riskRaisesBy": 1,"#, "", ["riskRaisesBy"]),
        (#""spo2Below": 85"#, #""spo2Below": "85""#, ["criticalVitals.spo2Below"]),
        (#""heartRateBelow": 40"#, #""heartRateBelow": 40.5"#, ["criticalVitals.heartRateBelow"]),
        (#""heartRateBelow": 40"#, #""heartRateBelow": 160"#, ["criticalVitals.heartRateBelow"]),
        (#""temperatureBelow": 35.0"#, #""temperatureBelow": 35.0, "pulseBelow": 30"#, ["criticalVitals.pulseBelow"]),
        (#""riskRaisesBy": 1"#, #""riskRaisesBy": 1, "riskRaiseBy": 2"#, ["riskRaiseBy"]),
        (#""basePriority": {"#, #""basePriority": ["#, ["document"]),
    ])
    func badRulesNameTheKey(old: String, new: String, fields: [String]) throws {
        let data = try shipped(replacing: old, with: new)
        do {
            let rules = try TriageRules(decodingJSON: data)
            Issue.record("accepted \(rules)")
        } catch {
            #expect(error.issues.map(\.field) == fields, "\(error.summary)")
        }
    }

    @Test func reasonsSayWhatIsAllowed() {
        let json =
            #"{"basePriority":{"sos":"P1","panic":"P1"},"criticalVitals":{"heartRateBelow":40,"heartRateAbove":150,"spo2Below":85,"systolicAbove":200,"systolicBelow":80,"temperatureAbove":40,"temperatureBelow":35},"riskRaisesBy":1,"riskFactors":["frail"],"neverRaise":[]}"#
        do {
            _ = try TriageRules(decodingJSON: Data(json.utf8))
            Issue.record("accepted")
        } catch {
            let summary = error.summary
            #expect(summary.contains("basePriority.panic is not an alarm code; use one of: sos, fall"))
            #expect(summary.contains("basePriority.fall is required"))
            #expect(
                summary.contains("riskFactors[0] is not a risk factor; use one of: living_alone, age_80_plus, disabled, chronic_conditions")
            )
        }
    }

    @Test func notJSONAtAllIsADocumentIssue() {
        #expect(throws: ValidationFailure(field: "document", reason: "is not valid JSON")) {
            try TriageRules(decodingJSON: Data("risk: high".utf8))
        }
    }
}
