import CareModel
import Foundation
import Testing

@Suite("Alarm codes and priorities")
struct AlarmCodeTests {
    @Test func theCodesAreTheDocumentsTablePlusPowerFailure() {
        #expect(
            AlarmCode.allCases.map(\.rawValue) == [
                "sos", "fall", "smoke", "gas", "abnormal_vitals", "inactivity", "door_open_night", "geofence_exit",
                "water_leak", "low_battery", "tamper", "device_offline", "welfare_check", "device_test", "service_request",
                "power_failure",
            ])
    }

    @Test func onlyTestsAndPowerFailuresOpenNoCall() {
        #expect(AlarmCode.allCases.filter { !$0.opensCall } == [.deviceTest, .powerFailure])
    }

    @Test func technicalServiceAndPlatformOnlyCodes() {
        #expect(AlarmCode.allCases.filter(\.isTechnical) == [.lowBattery, .tamper, .deviceOffline, .powerFailure])
        #expect(AlarmCode.allCases.filter(\.isServiceRequest) == [.serviceRequest])
        #expect(AlarmCode.allCases.filter { !$0.sentByDevices } == [.deviceOffline, .welfareCheck])
    }

    @Test func everyCodeHasDistinctChineseAndEnglishLabels() {
        #expect(AlarmCode.sos.label == ("一键呼救", "SOS button"))
        #expect(Set(AlarmCode.allCases.map(\.label.chinese)).count == AlarmCode.allCases.count)
        #expect(Set(AlarmCode.allCases.map(\.label.english)).count == AlarmCode.allCases.count)
    }

    @Test func prioritiesAreJSONStrings() throws {
        let data = try JSONEncoder().encode([Priority.p1, .p2, .p3, .p4])
        #expect(String(decoding: data, as: UTF8.self) == #"["P1","P2","P3","P4"]"#)
        #expect(try JSONDecoder().decode([Priority].self, from: data) == Priority.allCases)
        for bad in [#"["p1"]"#, #"["P5"]"#, #"["P0"]"#, #"[1]"#, #"["P12"]"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode([Priority].self, from: Data(bad.utf8)) }
        }
    }

    @Test func moreUrgentSortsFirst() {
        #expect(Priority.p1 < .p2)
        #expect([Priority.p4, .p1, .p3, .p2].sorted() == [.p1, .p2, .p3, .p4])
        #expect(Priority.p3.description == "P3")
        #expect(Priority(label: "P2") == .p2)
    }

    @Test func raisingStopsAtP1() {
        #expect(Priority.p3.raised(by: 1) == .p2)
        #expect(Priority.p4.raised(by: 2) == .p2)
        #expect(Priority.p2.raised(by: 5) == .p1)
        #expect(Priority.p1.raised(by: 1) == .p1)
        #expect(Priority.p2.raised(by: 0) == .p2)
    }
}

@Suite("Calls and replies")
struct AlarmCallTests {
    @Test func aCallRoundTripsWithSnakeCaseStatusAndPriorityLabel() throws {
        let opened = Date(timeIntervalSince1970: 1_795_392_681)
        let call = Call(
            id: 4812, elderId: 1093, deviceId: "SOS-00000042", code: .fall, priority: .p1,
            reason: "Fall detected (P1)", status: .cancelledAtDevice, eventCount: 2, openedAt: opened,
            lastEventAt: opened + 30, cancelledAt: opened + 60,
            location: EventLocation(area: .bathroom), version: 3)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let json = String(decoding: try encoder.encode(call), as: UTF8.self)
        #expect(json.contains(#""status":"cancelled_at_device""#))
        #expect(json.contains(#""priority":"P1""#))
        #expect(json.contains(#""code":"fall""#))
        #expect(try decoder.decode(Call.self, from: Data(json.utf8)) == call)
        #expect(
            CallStatus.allCases.map(\.rawValue) == [
                "new", "cancelled_at_device", "claimed", "contacting", "dispatched",
                "resolved", "followed_up", "closed",
            ])
    }

    @Test func aReplyMatchesTheDocumentsExample() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let reply = EventReply(ref: "e-000183", status: .accepted, callId: 4812, heartbeatSeconds: 300)
        #expect(
            String(decoding: try encoder.encode(reply), as: UTF8.self)
                == #"{"callId":4812,"heartbeatSeconds":300,"ref":"e-000183","status":"accepted"}"#)
        let recorded = EventReply(ref: "hb-1", status: .recorded, heartbeatSeconds: 900)
        #expect(!String(decoding: try encoder.encode(recorded), as: UTF8.self).contains("callId"))
        #expect(EventOutcome.allCases.map(\.rawValue) == ["accepted", "joined", "cancelled", "recorded"])
    }
}
