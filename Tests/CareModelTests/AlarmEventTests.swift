import CareModel
import Foundation
import Testing

/// 2026-11-23T02:11:20Z, the `occurredAt` of the protocol document's example.
private let now = Date(timeIntervalSince1970: 1_795_399_880)

private func sampleEvent(_ change: (inout DeviceEvent) -> Void = { _ in }) -> DeviceEvent {
    var e = DeviceEvent(
        ref: "e-000183", kind: .alarm, code: .fall, occurredAt: now,
        location: EventLocation(area: .bathroom, latitude: 22.6391, longitude: 110.1520, accuracyMeters: 12),
        vitals: Vitals(heartRate: 118), battery: 64)
    change(&e)
    return e
}

/// The issues `validated` throws, or [] when it passes.
private func issues(_ e: DeviceEvent) -> [FieldIssue] {
    do {
        _ = try e.validated(now: now)
        return []
    } catch {
        return error.issues
    }
}

/// One broken event and the field (and words) the failure must name.
struct BadDeviceEvent: Sendable, CustomTestStringConvertible {
    let event: DeviceEvent
    let field: String
    let reason: String
    var testDescription: String { "\(field) \(reason)" }

    init(_ field: String, _ reason: String, _ change: (inout DeviceEvent) -> Void) {
        self.field = field; self.reason = reason; self.event = sampleEvent(change)
    }
}

@Suite("Device events")
struct AlarmEventTests {
    @Test func theDocumentsExampleDecodesAndPasses() throws {
        let body = #"""
            {"ref":"e-000183","kind":"alarm","code":"fall","occurredAt":"2026-11-23T02:11:20Z",
             "location":{"area":"bathroom","latitude":22.6391,"longitude":110.1520,"accuracyMeters":12},
             "vitals":{"heartRate":118},"battery":64}
            """#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let decoded = try decoder.decode(DeviceEvent.self, from: Data(body.utf8))
        #expect(decoded == sampleEvent())
        #expect(try decoded.validated(now: now) == decoded)
    }

    @Test func unknownKindsCodesAndAreasFailToDecode() {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for body in [
            #"{"ref":"a","kind":"panic","occurredAt":"2026-11-23T02:11:20Z"}"#,
            #"{"ref":"a","kind":"alarm","code":"fire","occurredAt":"2026-11-23T02:11:20Z"}"#,
            #"{"ref":"a","kind":"alarm","code":"sos","occurredAt":"2026-11-23T02:11:20Z","location":{"area":"garage"}}"#,
        ] {
            #expect(throws: DecodingError.self) { try decoder.decode(DeviceEvent.self, from: Data(body.utf8)) }
        }
    }

    static let bad: [BadDeviceEvent] = [
        BadDeviceEvent("ref", "must be 1–64", { $0.ref = "" }),
        BadDeviceEvent("ref", "must be 1–64", { $0.ref = String(repeating: "a", count: 65) }),
        BadDeviceEvent("ref", "must be 1–64", { $0.ref = "e 1" }),
        BadDeviceEvent("ref", "must be 1–64", { $0.ref = "é-1" }),
        BadDeviceEvent("code", "is required for alarm events", { $0.code = nil }),
        BadDeviceEvent("code", "never sent by devices", { $0.code = .deviceOffline }),
        BadDeviceEvent(
            "code", "never sent by devices",
            {
                $0.kind = .cancel; $0.code = .deviceOffline
            }),
        BadDeviceEvent("occurredAt", "is more than 24 hours old", { $0.occurredAt = now - 24 * 3600 - 1 }),
        BadDeviceEvent("occurredAt", "is more than 5 minutes in the future", { $0.occurredAt = now + 301 }),
        BadDeviceEvent("location.text", "at most 200", { $0.location?.text = String(repeating: "楼", count: 201) }),
        BadDeviceEvent("location.latitude", "between -90 and 90", { $0.location?.latitude = 90.5 }),
        BadDeviceEvent("location.longitude", "between -180 and 180", { $0.location?.longitude = -180.5 }),
        BadDeviceEvent("location.longitude", "is required when latitude is given", { $0.location?.longitude = nil }),
        BadDeviceEvent("location.latitude", "is required when longitude is given", { $0.location?.latitude = nil }),
        BadDeviceEvent("location.accuracyMeters", "between 0 and 100000", { $0.location?.accuracyMeters = -1 }),
        BadDeviceEvent("location.accuracyMeters", "between 0 and 100000", { $0.location?.accuracyMeters = 100_001 }),
        BadDeviceEvent("vitals.heartRate", "must be between 20 and 250", { $0.vitals?.heartRate = 19 }),
        BadDeviceEvent("vitals.heartRate", "must be between 20 and 250", { $0.vitals?.heartRate = 251 }),
        BadDeviceEvent("vitals.spo2", "must be between 50 and 100", { $0.vitals?.spo2 = 49 }),
        BadDeviceEvent("vitals.spo2", "must be between 50 and 100", { $0.vitals?.spo2 = 101 }),
        BadDeviceEvent("vitals.systolic", "must be between 50 and 260", { $0.vitals = Vitals(systolic: 261, diastolic: 90) }),
        BadDeviceEvent("vitals.systolic", "must be between 50 and 260", { $0.vitals = Vitals(systolic: 49, diastolic: 30) }),
        BadDeviceEvent("vitals.diastolic", "must be between 30 and 160", { $0.vitals = Vitals(systolic: 200, diastolic: 161) }),
        BadDeviceEvent("vitals.diastolic", "must be between 30 and 160", { $0.vitals = Vitals(systolic: 120, diastolic: 29) }),
        BadDeviceEvent("vitals.diastolic", "is required when systolic is given", { $0.vitals = Vitals(systolic: 120) }),
        BadDeviceEvent("vitals.systolic", "is required when diastolic is given", { $0.vitals = Vitals(diastolic: 80) }),
        BadDeviceEvent("vitals.systolic", "must be greater than diastolic", { $0.vitals = Vitals(systolic: 90, diastolic: 90) }),
        BadDeviceEvent("vitals.temperature", "between 30.0 and 45.0", { $0.vitals?.temperature = 29.9 }),
        BadDeviceEvent("vitals.temperature", "between 30.0 and 45.0", { $0.vitals?.temperature = 45.1 }),
        BadDeviceEvent("battery", "must be between 0 and 100", { $0.battery = -1 }),
        BadDeviceEvent("battery", "must be between 0 and 100", { $0.battery = 101 }),
    ]

    @Test(arguments: bad)
    func eachBrokenRuleNamesItsField(_ bad: BadDeviceEvent) {
        let found = issues(bad.event)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.field == bad.field)
        #expect(found.first?.reason.contains(bad.reason) == true, "\(found)")
    }

    @Test(arguments: [
        sampleEvent { $0.ref = String(repeating: "A", count: 64) },
        sampleEvent { $0.ref = "gw.3:e_9-x" },
        sampleEvent { $0.occurredAt = now - 24 * 3600 },
        sampleEvent { $0.occurredAt = now + 300 },
        sampleEvent {
            $0.location = nil; $0.vitals = nil; $0.battery = nil
        },
        sampleEvent { $0.location = EventLocation(area: .livingRoom, text: String(repeating: "楼", count: 200)) },
        sampleEvent { $0.location = EventLocation(latitude: -90, longitude: 180, accuracyMeters: 0) },
        sampleEvent { $0.location?.accuracyMeters = 100_000 },
        sampleEvent { $0.vitals = Vitals(heartRate: 20, spo2: 50, systolic: 260, diastolic: 160, temperature: 30.0) },
        sampleEvent { $0.vitals = Vitals(heartRate: 250, spo2: 100, systolic: 51, diastolic: 50, temperature: 45.0) },
        sampleEvent { $0.battery = 0 },
        sampleEvent { $0.battery = 100 },
        sampleEvent {
            $0.kind = .cancel; $0.code = nil
        },
        sampleEvent {
            $0.kind = .cancel; $0.code = .fall
        },
        sampleEvent {
            $0.kind = .info; $0.code = .powerFailure
        },
        sampleEvent {
            $0.kind = .info; $0.code = nil
        },
        sampleEvent {
            $0.kind = .heartbeat; $0.code = nil
        },
    ])
    func valuesAtTheEdgesPass(_ e: DeviceEvent) {
        #expect(issues(e) == [])
    }

    @Test func everyIssueIsCollectedInOneFailure() {
        let e = DeviceEvent(
            ref: "", kind: .alarm, code: nil, occurredAt: now - 2 * 86400,
            location: EventLocation(latitude: 95), vitals: Vitals(heartRate: 10, systolic: 80, diastolic: 90),
            battery: 200)
        #expect(
            issues(e).map(\.field) == [
                "ref", "code", "occurredAt", "location.longitude", "vitals.heartRate",
                "vitals.systolic", "battery",
            ])
        do {
            _ = try e.validated(now: now)
        } catch {
            #expect(error.summary.contains("vitals.heartRate must be between 20 and 250"))
        }
    }

    @Test func aHeartbeatsCodeIsIgnoredAndDropped() throws {
        // Even a platform-only code: the protocol says the field is ignored for heartbeats.
        let beat = try sampleEvent {
            $0.kind = .heartbeat; $0.code = .deviceOffline
        }.validated(now: now)
        #expect(beat.code == nil)
        #expect(beat.kind == .heartbeat)
    }

    @Test func locationAreasUseTheDocumentsSpelling() {
        #expect(
            LocationArea.allCases.map(\.rawValue) == [
                "bedroom", "bathroom", "kitchen", "living_room", "hallway",
                "front_door", "balcony", "stairs", "garden", "outdoors", "other",
            ])
        #expect(EventKind.allCases.map(\.rawValue) == ["alarm", "cancel", "heartbeat", "info"])
    }
}
