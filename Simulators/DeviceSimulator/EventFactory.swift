import CareModel
import Foundation
import Synchronization

// Event kinds, locations and vitals are CareModel's, the same values the platform decodes.

/// What an event says, without its ref and time (those change per send).
struct EventSpec: Sendable {
    var kind: EventKind
    var code: String?
    var location: EventLocation?
    var vitals: Vitals?
    var battery: Int?

    static let heartbeat = EventSpec(kind: .heartbeat, battery: 87)
    static let sos = EventSpec(kind: .alarm, code: "sos", battery: 81)
    static let cancel = EventSpec(kind: .cancel)
    static let powerFailure = EventSpec(kind: .info, code: "power_failure", battery: 96)
    /// A fall in the bathroom with a raised heart rate, at a home in Yulin's Yuzhou district.
    static let fallInBathroom = EventSpec(
        kind: .alarm, code: "fall",
        location: EventLocation(area: .bathroom, latitude: 22.6391, longitude: 110.1520, accuracyMeters: 12),
        vitals: Vitals(heartRate: 118), battery: 64)
    static let smoke = EventSpec(kind: .alarm, code: "smoke", location: EventLocation(area: .kitchen), battery: 92)
}

/// Turns an event into the exact body bytes that are signed and sent.
///
/// The JSON is written by hand from a template made once per spec: the part before the ref,
/// the part between the ref and the time, and the rest. Per event only the ref and the
/// 20-byte time are filled in, so the hot path neither encodes nor allocates much.
struct EventTemplate: Sendable {
    private let afterRef: [UInt8]
    private let afterTime: [UInt8]
    let spec: EventSpec

    init(_ spec: EventSpec) {
        self.spec = spec
        var middle = "\",\"kind\":\"\(spec.kind.rawValue)\""
        if let code = spec.code { middle += ",\"code\":\(JSONText.quoted(code))" }
        middle += ",\"occurredAt\":\""
        var rest = "\""
        if let l = spec.location {
            var fields: [String] = []
            if let area = l.area { fields.append("\"area\":\(JSONText.quoted(area.rawValue))") }
            if let text = l.text { fields.append("\"text\":\(JSONText.quoted(text))") }
            if let lat = l.latitude, let lon = l.longitude {
                fields.append("\"latitude\":\(JSONText.number(lat))")
                fields.append("\"longitude\":\(JSONText.number(lon))")
            }
            if let a = l.accuracyMeters { fields.append("\"accuracyMeters\":\(JSONText.number(a))") }
            rest += ",\"location\":{\(fields.joined(separator: ","))}"
        }
        if let v = spec.vitals {
            var fields: [String] = []
            if let x = v.heartRate { fields.append("\"heartRate\":\(x)") }
            if let x = v.spo2 { fields.append("\"spo2\":\(x)") }
            if let s = v.systolic, let d = v.diastolic { fields.append("\"systolic\":\(s),\"diastolic\":\(d)") }
            if let t = v.temperature { fields.append("\"temperature\":\(JSONText.number(t))") }
            rest += ",\"vitals\":{\(fields.joined(separator: ","))}"
        }
        if let b = spec.battery { rest += ",\"battery\":\(b)" }
        rest += "}"
        afterRef = Array(middle.utf8)
        afterTime = Array(rest.utf8)
    }

    /// Writes the body into `out` (cleared first, capacity kept). `ref` must already be valid
    /// (`[A-Za-z0-9._:-]`, which needs no escaping); `occurredAt` is ISO-8601 UTC.
    func write(ref: ArraySlice<UInt8>, occurredAt: ArraySlice<UInt8>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: #"{"ref":""#.utf8)
        out.append(contentsOf: ref)
        out.append(contentsOf: afterRef)
        out.append(contentsOf: occurredAt)
        out.append(contentsOf: afterTime)
    }

    /// Convenience for the scenarios: a fresh body for `ref` at `epochSeconds`.
    func body(ref: String, epochSeconds: Int) -> [UInt8] {
        var out: [UInt8] = []
        write(ref: ArraySlice(ref.utf8), occurredAt: ArraySlice(Timestamp.bytes(epochSeconds: epochSeconds)), into: &out)
        return out
    }
}

/// Event refs: unique per device and per run, shaped as the protocol allows (`[A-Za-z0-9._:-]`, ≤ 64).
///
/// `sim-<pid>-<run>-<n>`: the pid alone repeats (containers start at pid 1), so `<run>` adds the
/// start time in base 36; `<n>` counts up across the process.
final class RefMint: Sendable {
    let prefix: String
    private let counter = Atomic<Int>(0)

    init() {
        let run = String(Int(Date().timeIntervalSince1970 * 1000) % 2_176_782_336, radix: 36)  // 6 digits
        prefix = "sim-\(ProcessInfo.processInfo.processIdentifier)-\(run)-"
    }

    func next() -> String { prefix + String(counter.wrappingAdd(1, ordering: .relaxed).newValue) }
}

/// A per-thread cache of the current second's timestamp and ISO time bytes: both change once a
/// second, and the signer needs the timestamp as text anyway.
struct SecondCache {
    private(set) var second = -1
    private(set) var timestamp: [UInt8] = []
    private(set) var iso: [UInt8] = []

    mutating func refresh() {
        let now = SimClock.epochSeconds()
        guard now != second else { return }
        second = now
        timestamp = Array(String(now).utf8)
        iso = Timestamp.bytes(epochSeconds: now)
    }
}
