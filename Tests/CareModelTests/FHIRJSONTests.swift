import CareModel
import Foundation
import Testing

@Suite("FHIR JSON values")
struct FHIRJSONTests {
    func parse(_ text: String) throws -> FHIRJSON { try FHIRJSON.parse(Data(text.utf8)) }

    @Test func keepsMemberOrderAndNumberText() throws {
        let text = #"{"z":1,"a":[1.50,-0.0,2e10,1E-3],"m":{"b":true,"a":null},"s":"x"}"#
        let json = try parse(text)
        #expect(json.text == text)
        #expect(json.object?.keys == ["z", "a", "m", "s"])
        #expect(json["a"]?.array?.first == .number("1.50"))
        #expect(json["a"]?.array?.first?.double == 1.5)
    }

    @Test func keepsChineseAndEscapesWhatRFC8259Asks() throws {
        let json = try parse(#"{"text":"高血压 \"控制\"\n\u00e9\ud83d\ude00\/"}"#)
        #expect(json["text"]?.string == "高血压 \"控制\"\né😀/")
        #expect(json.text == #"{"text":"高血压 \"控制\"\né😀/"}"#)
        #expect(try parse(json.text) == json)
    }

    @Test func controlCharactersAreEscapedOnOutput() {
        let json: FHIRJSON = ["a": .string("\u{01}\t")]
        #expect(json.text == #"{"a":"\u0001\t"}"#)
    }

    @Test(arguments: [
        ("", "the body is empty at byte 0"),
        ("{\"a\":1,}", "expected a member name in quotes at byte 7"),
        ("{\"a\":01}", "a number may not have a leading zero at byte 6"),
        ("[1 2]", "expected ',' or ']' in an array at byte 3"),
        ("{\"a\":1,\"a\":2}", "the member \"a\" appears twice at byte 7"),
        ("{\"a\":tru}", "unknown word; expected true at byte 5"),
        ("\"a\u{01}\"", "a control character must be escaped in a string at byte 2"),
        ("{} x", "unexpected text after the JSON value at byte 3"),
    ])
    func refusesWhatIsNotJSON(text: String, sentence: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted \(text)")
        } catch let outcome as OperationOutcome {
            #expect(outcome.issues.count == 1)
            #expect(outcome.issues.first?.code == "structure")
            #expect(outcome.issues.first?.expression == "")
            #expect(outcome.issues.first?.diagnostics == "The body is not valid JSON: " + sentence)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func skipsAByteOrderMark() throws {
        #expect(try FHIRJSON.parse(Data([0xEF, 0xBB, 0xBF] + Array("[1]".utf8))) == [1])
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: OperationOutcome.self) { try FHIRJSON.parse(Data([0x22, 0xFF, 0x22])) }
    }

    @Test func objectsSetAppendAndRemove() {
        var o = FHIRObject([("a", 1), ("b", 2)])
        o["c"] = 3
        o["a"] = "x"
        o["b"] = nil
        #expect(o.keys == ["a", "c"])
        #expect(FHIRJSON.object(o).text == #"{"a":"x","c":3}"#)
    }

    @Test func literalsBuildOrderedObjects() {
        let json: FHIRJSON = ["resourceType": "Patient", "active": true, "n": 3, "list": ["a", .null]]
        #expect(json.text == #"{"resourceType":"Patient","active":true,"n":3,"list":["a",null]}"#)
    }

    @Test func decimalsAreWrittenByHand() {
        #expect(FHIRJSON.decimal(36.5, places: 1) == .number("36.5"))
        #expect(FHIRJSON.decimal(1.5, places: 2) == .number("1.50"))
        #expect(FHIRJSON.decimal(-0.25, places: 1) == .number("-0.3") || FHIRJSON.decimal(-0.25, places: 1) == .number("-0.2"))
        #expect(FHIRJSON.decimal(72) == .number("72"))
        #expect(FHIRJSON.decimal(5.05, places: 2) == .number("5.05"))
        #expect(FHIRJSON.decimal(1e30, places: 2) == .number("1e+30"))
        #expect(FHIRJSON.decimal(7.4, places: 0) == .number("7"))
    }

    @Test func outcomeIsAValidR4Resource() {
        let outcome = OperationOutcome(
            code: "value", expression: "Observation.valueQuantity.value", diagnostics: "900 is not a possible heart rate")
        #expect(
            outcome.json.text
                == #"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"value","#
                + #""diagnostics":"900 is not a possible heart rate","expression":["Observation.valueQuantity.value"]}]}"#
        )
        #expect(outcome.summary == "Observation.valueQuantity.value: 900 is not a possible heart rate")
        #expect(OperationOutcome([]).json["issue"]?.array?.count == 1)
    }

    @Test func datesAreWrittenInChinaTimeAndReadInAnyForm() throws {
        let moment = Date(timeIntervalSince1970: 1_772_328_600)  // 2026-03-01 01:30:00 UTC
        #expect(FHIRDate.dateTime(moment) == "2026-03-01T09:30:00+08:00")
        #expect(FHIRDate.parse("2026-03-01T09:30:00+08:00") == moment)
        #expect(FHIRDate.parse("2026-03-01T01:30:00Z") == moment)
        #expect(FHIRDate.parse("2026-03-01T01:30:00.250Z") == moment.addingTimeInterval(0.25))
        #expect(FHIRDate.parse("2026-03-01") == moment.addingTimeInterval(-9.5 * 3600))
        #expect(FHIRDate.parse("2026") == FHIRDate.parse("2026-01-01T00:00:00+08:00"))
        let march = try #require(FHIRDate.range(of: "2026-03"))
        #expect(march.upperBound == FHIRDate.parse("2026-04-01"))
        #expect(FHIRDate.range(of: "2026-12")?.upperBound == FHIRDate.parse("2027-01-01"))
        for bad in ["2026-02-29", "2026-13", "2026-03-01T09:30+08:00", "2026-03-01T09:30:00", "26", "2026-3-1", "0000"] {
            #expect(FHIRDate.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func sha1MatchesTheStandardVectors() {
        #expect(SHA1.digest(Data("abc".utf8)).map { String(format: "%02x", $0) }.joined() == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(SHA1.digest(Data()).base64EncodedString() == "2jmj7l5rSw0yVb/vlWAYkK/YBwk=")
        let long = Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA1.digest(long).map { String(format: "%02x", $0) }.joined() == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }
}
