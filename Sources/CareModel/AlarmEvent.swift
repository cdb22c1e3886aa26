import Foundation

/// One event a device (or a gateway speaking for it) reports: the body of
/// `POST /v1/devices/{deviceId}/events` (Docs/device-protocol.md). The device comes from the path,
/// so it is not part of this value.
///
/// ```swift
/// // Decode with ISO-8601 dates (the API's decoder); a wrong shape or unknown code fails there.
/// let event = try decoder.decode(DeviceEvent.self, from: body)
///     .validated(now: clock.now())   // then every value rule, all issues at once
/// ```
///
/// ```json
/// {"ref":"e-000183","kind":"alarm","code":"fall","occurredAt":"2026-11-23T02:11:20Z",
///  "location":{"area":"bathroom","latitude":22.6391,"longitude":110.1520,"accuracyMeters":12},
///  "vitals":{"heartRate":118},"battery":64}
/// ```
public struct DeviceEvent: Codable, Sendable, Hashable {
    /// The device's own reference, unique per device: a retry reuses it, which is how a
    /// retried event is recognised and answered with its first reply.
    public var ref: String
    public var kind: EventKind
    /// Required for `alarm` and `info`, optional for `cancel`, ignored for `heartbeat`.
    public var code: AlarmCode?
    /// When it happened on the device's clock.
    public var occurredAt: Date
    public var location: EventLocation?
    public var vitals: Vitals?
    /// Battery charge in percent, 0–100.
    public var battery: Int?

    public init(
        ref: String, kind: EventKind, code: AlarmCode? = nil, occurredAt: Date, location: EventLocation? = nil,
        vitals: Vitals? = nil, battery: Int? = nil
    ) {
        self.ref = ref; self.kind = kind; self.code = code; self.occurredAt = occurredAt
        self.location = location; self.vitals = vitals; self.battery = battery
    }

    /// How far back an event may have happened: a device that buffered events while out of
    /// coverage may deliver them late, but a day-old alarm is no longer actionable.
    public static let maximumAge: TimeInterval = 24 * 3600
    /// How far ahead a device clock may run before its times are not believed.
    public static let maximumLead: TimeInterval = 5 * 60

    /// Checks every rule of the protocol and returns the event to store; throws one
    /// ``ValidationFailure`` naming every bad field (`vitals.heartRate`, `location.latitude`…).
    ///
    /// The returned event drops the `code` of a heartbeat, which the protocol says is ignored,
    /// so nothing downstream acts on it.
    ///
    /// ```swift
    /// try DeviceEvent(ref: "e-1", kind: .alarm, occurredAt: now).validated(now: now)
    /// // ValidationFailure: code is required for alarm events
    /// ```
    public func validated(now: Date) throws(ValidationFailure) -> DeviceEvent {
        var v = Validator()
        v.check(Self.isValidRef(ref), "ref", "must be 1–64 letters, digits, '.', '_', ':' or '-'")
        checkCode(&v)
        let age = now.timeIntervalSince(occurredAt)
        v.check(age <= Self.maximumAge, "occurredAt", "is more than 24 hours old")
        v.check(-age <= Self.maximumLead, "occurredAt", "is more than 5 minutes in the future")
        if let location { Self.check(location, &v) }
        if let vitals { Self.check(vitals, &v) }
        if let battery { v.check((0...100).contains(battery), "battery", "must be between 0 and 100") }
        try v.finish()
        var event = self
        if kind == .heartbeat { event.code = nil }
        return event
    }

    /// `[A-Za-z0-9._:-]{1,64}`; checked on bytes, so no Unicode look-alike slips through.
    public static func isValidRef(_ ref: String) -> Bool {
        let bytes = ref.utf8
        return (1...64).contains(bytes.count)
            && bytes.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                    || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: ":") || b == UInt8(ascii: "-")
            }
    }

    private func checkCode(_ v: inout Validator) {
        switch (kind, code) {
        case (.alarm, nil):
            // Info events may carry no code: gateways translate "help arrived" and the like to info.
            v.add("code", "is required for alarm events")
        case (.heartbeat, _):
            return  // ignored, so not judged either
        case (_, let code?):
            v.check(code.sentByDevices, "code", "\(code.rawValue) is raised by the platform, never sent by devices")
        default:
            return
        }
    }

    private static func check(_ l: EventLocation, _ v: inout Validator) {
        if let text = l.text { v.check(text.count <= 200, "location.text", "must be at most 200 characters") }
        v.checkCoordinates(latitude: l.latitude, longitude: l.longitude, prefix: "location.")
        if let a = l.accuracyMeters {
            v.check(a.isFinite && (0...100_000).contains(a), "location.accuracyMeters", "must be between 0 and 100000")
        }
    }

    private static func check(_ vitals: Vitals, _ v: inout Validator) {
        func range(_ value: Int?, _ bounds: ClosedRange<Int>, _ field: String) {
            guard let value else { return }
            v.check(bounds.contains(value), "vitals." + field, "must be between \(bounds.lowerBound) and \(bounds.upperBound)")
        }
        range(vitals.heartRate, 20...250, "heartRate")
        range(vitals.spo2, 50...100, "spo2")
        range(vitals.systolic, 50...260, "systolic")
        range(vitals.diastolic, 30...160, "diastolic")
        switch (vitals.systolic, vitals.diastolic) {
        case (let s?, let d?): v.check(s > d, "vitals.systolic", "must be greater than diastolic")
        case (nil, _?): v.add("vitals.systolic", "is required when diastolic is given")
        case (_?, nil): v.add("vitals.diastolic", "is required when systolic is given")
        case (nil, nil): break
        }
        if let t = vitals.temperature {
            v.check(t.isFinite && (30...45).contains(t), "vitals.temperature", "must be between 30.0 and 45.0")
        }
    }
}
