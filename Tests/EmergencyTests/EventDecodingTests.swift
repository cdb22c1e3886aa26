import CareModel
import Emergency
import Foundation
import Testing

/// The fast parser must agree with `JSONDecoder` on everything it accepts, and hand back
/// (return nil for) everything else, so the fallback decides and words the refusal.
@Suite struct EventDecodingTests {
    static let slow = EventDecoding.decoder

    /// Bodies the protocol allows, in the shapes devices and gateways write them.
    static let accepted: [String] = [
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z","battery":81}"#,
        #"{"ref":"e-000183","kind":"alarm","code":"fall","occurredAt":"2026-11-23T02:11:20.125Z","location":{"area":"bathroom","latitude":22.6391,"longitude":110.152,"accuracyMeters":12},"vitals":{"heartRate":118},"battery":64}"#,
        #"{"ref":"hb:9","kind":"heartbeat","occurredAt":"2026-11-23T02:11:20Z"}"#,
        #" { "kind" : "cancel" , "ref" : "c.1" , "occurredAt" : "2026-11-23T10:11:20+08:00" } "#,
        #"{"ref":"v","kind":"alarm","code":"abnormal_vitals","occurredAt":"2026-11-23T02:11:20Z","vitals":{"heartRate":40,"spo2":88,"systolic":190,"diastolic":110,"temperature":39.25}}"#,
        #"{"ref":"n","kind":"info","code":null,"occurredAt":"2026-11-23T02:11:20Z","location":null,"vitals":null,"battery":null}"#,
        #"{"ref":"t","kind":"alarm","code":"smoke","occurredAt":"2026-11-23T02:11:20Z","location":{"text":"2号楼3单元","area":"kitchen"}}"#,
        #"{"ref":"x","kind":"alarm","code":"geofence_exit","occurredAt":"2026-11-23T02:11:20Z","location":{"latitude":-0.5e1,"longitude":1.25E+2,"accuracyMeters":0}}"#,
        #"{"ref":"e","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z","location":{}}"#,
        #"{"ref":"neg","kind":"info","code":"low_battery","occurredAt":"2026-11-23T02:11:20Z","battery":-0}"#,
    ]

    @Test(arguments: accepted)
    func fastParserAgreesWithJSONDecoder(body: String) throws {
        let fast = try #require(DeviceEventParser.parse(Array(body.utf8)), "the fast path should take \(body)")
        #expect(fast == (try Self.slow.decode(DeviceEvent.self, from: Data(body.utf8))))
    }

    /// Outside the fast path: each either is refused by `JSONDecoder` too, or is valid JSON the
    /// fast path leaves to it (escapes, unknown keys, repeated keys).
    static let handedOver: [String] = [
        #"{"ref":"e\u002d1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z"}"#,
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z","firmware":"1.2"}"#,
        #"{"ref":"e-1","ref":"e-2","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z"}"#,
        #"{"ref":"e-1","kind":"alarm","code":"meteor","occurredAt":"2026-11-23T02:11:20Z"}"#,
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"yesterday"}"#,
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z","battery":64.5}"#,
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z","battery":064}"#,
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z","location":{"latitude":1.}}"#,
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z","location":{"latitude":.5}}"#,
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z","location":{"latitude":1e}}"#,
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z"} x"#,
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z",}"#,
        #"{"ref":1,"kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z"}"#,
        #"{"kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z"}"#,
        #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z""#,
        "[]", "", "null",
    ]

    @Test(arguments: handedOver)
    func fastParserHandsOverWhatItDoesNotKnow(body: String) {
        #expect(DeviceEventParser.parse(Array(body.utf8)) == nil)
    }

    @Test func decodeFallsBackToJSONDecoderForValidJSONOutsideTheFastPath() throws {
        let body = #"{"ref":"e-1","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z","firmware":"1.2"}"#
        let event = try EventDecoding.decode(Data(body.utf8))
        #expect(event.ref == "e-1" && event.code == .sos)
        #expect(throws: DecodingError.self) {
            try EventDecoding.decode(Data(#"{"ref":"e-1","kind":"alarm","code":"meteor","occurredAt":"2026-11-23T02:11:20Z"}"#.utf8))
        }
    }

    /// Many generated events: every one the fast path reads equals what JSONDecoder reads.
    @Test func generatedEventsDecodeIdenticallyBothWays() throws {
        var rng = SplitMix(seed: 7)
        let codes = AlarmCode.allCases.filter(\.sentByDevices)
        for i in 0..<2_000 {
            var event = DeviceEvent(
                ref: "g-\(i)", kind: EventKind.allCases[Int(rng.next() % 4)],
                code: rng.next() % 5 == 0 ? nil : codes[Int(rng.next() % UInt64(codes.count))],
                occurredAt: Date(timeIntervalSince1970: 1_795_000_000 + Double(rng.next() % 100_000) / 8))
            if rng.next() % 2 == 0 {
                event.location = EventLocation(
                    area: LocationArea.allCases.randomElement(using: &rng),
                    latitude: Double(rng.next() % 180_000_000) / 1e6 - 90,
                    longitude: Double(rng.next() % 360_000_000) / 1e6 - 180,
                    accuracyMeters: Double(rng.next() % 1000) / 4)
            }
            if rng.next() % 2 == 0 {
                event.vitals = Vitals(
                    heartRate: Int(rng.next() % 300), spo2: Int(rng.next() % 101),
                    temperature: 30 + Double(rng.next() % 1500) / 100)
            }
            if rng.next() % 2 == 0 { event.battery = Int(rng.next() % 101) }
            let body = try CareJSON.encoder.encode(event)
            let fast = try #require(DeviceEventParser.parse(body), "fast path refused \(String(decoding: body, as: UTF8.self))")
            #expect(fast == (try Self.slow.decode(DeviceEvent.self, from: body)))
        }
    }
}

/// A small deterministic generator, so a failure names a reproducible case.
struct SplitMix: RandomNumberGenerator {
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
