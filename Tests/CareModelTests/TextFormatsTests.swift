import CareModel
import Foundation
import Testing

/// The hand-written formats other modules share: hex, JSON strings and numbers, RFC 3339 times,
/// clock times, durations in milliseconds.
@Suite("Hand-written text formats")
struct TextFormatsTests {
    @Test func hexDecodesEitherCaseAndRefusesOddOrForeignText() {
        #expect(Hex.decode("00ff10Ab") == [0x00, 0xFF, 0x10, 0xAB])
        #expect(Hex.decode(Substring(Hex.encode([1, 2, 254]))) == [1, 2, 254])
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("0g") == nil)
    }

    @Test func jsonStringsReadBackThroughJSONDecoder() throws {
        for value in ["", "plain", "他说\"好\"\\", "line\nbreak\ttab\r", "\u{1}\u{1f}", "a\u{2028}b\u{2029}c", "末"] {
            let quoted = JSONText.quoted(value)
            #expect(try JSONDecoder().decode(String.self, from: Data(quoted.utf8)) == value, "\(quoted)")
            #expect(quoted == "\"" + JSONText.escaped(value) + "\"")
        }
        #expect(JSONText.quoted("a\u{2028}\u{1}") == #""a\u2028\u0001""#)
    }

    @Test func jsonNumbersAreShortestAndReadBackTheSame() throws {
        for value in [0.0, 12, -90, 22.6391, 110.152, 37.8, 1e20, -0.5] {
            let text = JSONText.number(value)
            #expect(try JSONDecoder().decode(Double.self, from: Data(text.utf8)) == value, "\(text)")
        }
        #expect(JSONText.number(12) == "12")
        #expect(JSONText.number(22.5) == "22.5")
    }

    @Test func clockTimesAreHHMM() {
        #expect(LocalTime.minutes(ofClockTime: "22:00") == 1320)
        #expect(LocalTime.minutes(ofClockTime: "07:05") == 425)
        #expect(LocalTime.minutes(ofClockTime: "7:00") == nil)
        #expect(LocalTime.minutes(ofClockTime: "24:00") == nil)
    }

    @Test func durationsInMilliseconds() {
        #expect(Duration.seconds(2).milliseconds == 2000)
        #expect((Duration.seconds(2) + .microseconds(1_999)).milliseconds == 2001)
        #expect((Duration.milliseconds(1) + .microseconds(250)).fractionalMilliseconds == 1.25)
        #expect((Duration.milliseconds(1) + .microseconds(250)).millisecondsText == "1.25")
        #expect(Duration.microseconds(7).millisecondsText == "0.01")
        #expect(Duration.microseconds(4).millisecondsText == "0.00")
        #expect((Duration.seconds(3) + .microseconds(50)).millisecondsText == "3000.05")
        #expect(Duration.microseconds(1_999_996).millisecondsText == "2000.00")
    }

    @Test func timesAreWholeUTCSecondsAndParseBack() throws {
        #expect(Timestamp.string(epochSeconds: 1_795_399_880) == "2026-11-23T02:11:20Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 1_795_399_880.999)) == "2026-11-23T02:11:20Z")
        #expect(Timestamp.string(epochSeconds: 0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.string(epochSeconds: -1) == "1969-12-31T23:59:59Z")
        for t in [0, 951_782_400, 1_795_399_880, 4_102_444_799] {
            #expect(Timestamp.parse(Timestamp.string(epochSeconds: t)) == Date(timeIntervalSince1970: Double(t)))
        }
    }
}
