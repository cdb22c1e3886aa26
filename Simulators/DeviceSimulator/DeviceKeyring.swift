import Foundation

/// A device the simulator plays.
struct SimDevice: Sendable, Hashable {
    var id: String
    /// `sos_pendant`, `fall_detector`, …; guessed from the id's prefix when the server was not asked.
    var type: String?
    /// Unknown for devices from a file when no token was given.
    var elderId: Int64?
    /// The interval the platform expects; a device adopts the one each answer returns.
    var heartbeatSeconds: Int

    /// What a seeded id's prefix says about the type (`SOS-00000042` → `sos_pendant`).
    static func guessedType(of id: String) -> String? {
        guard let dash = id.firstIndex(of: "-") else { return nil }
        return switch id[..<dash].uppercased() {
        case "SOS": "sos_pendant"
        case "FALL": "fall_detector"
        case "WATCH": "watch"
        case "DOOR": "door_sensor"
        case "SMOKE": "smoke_sensor"
        case "GAS": "gas_sensor"
        case "BED": "bed_sensor"
        case "BTN": "wall_button"
        default: nil
        }
    }

    /// The protocol's default interval for a type (CareModel's `DeviceType.defaultHeartbeatSeconds`).
    static func defaultHeartbeatSeconds(type: String?) -> Int {
        switch type {
        case "door_sensor", "bed_sensor", "wall_button": 900
        case "smoke_sensor", "gas_sensor": 3600
        default: 300
        }
    }

    var label: String {
        var parts: [String] = []
        if let type { parts.append(type.replacingOccurrences(of: "_", with: " ")) }
        if let elderId { parts.append("of elder \(elderId)") }
        return parts.isEmpty ? id : "\(id) (\(parts.joined(separator: " ")))"
    }
}

/// The devices of a run with everything precomputed for signing, indexed by position.
///
/// `@unchecked Sendable`: built once and never mutated; each `DeviceSigner` holds an HMAC state
/// that a sender copies before feeding it (copy-on-write, with atomic reference counts), so
/// threads can share the keyring without locks.
final class DeviceKeyring: @unchecked Sendable {
    let devices: [SimDevice]
    let signers: [DeviceSigner]
    /// `POST /v1/devices/{id}/events HTTP/1.1` and the constant headers, up to the timestamp's value.
    let requestHeads: [[UInt8]]

    init(devices: [SimDevice], secrets: [String], hostHeader: String) {
        precondition(devices.count == secrets.count)
        self.devices = devices
        var signers: [DeviceSigner] = []
        var heads: [[UInt8]] = []
        signers.reserveCapacity(devices.count)
        heads.reserveCapacity(devices.count)
        for (device, secret) in zip(devices, secrets) {
            let path = Self.eventsPath(device.id)
            signers.append(DeviceSigner(secret: secret, path: path))
            heads.append(
                Array(
                    ("POST \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\n"
                        + "Content-Type: application/json\r\nX-Eldercare-Timestamp: ").utf8))
        }
        self.signers = signers
        requestHeads = heads
    }

    var count: Int { devices.count }

    static func eventsPath(_ deviceId: String) -> String { "/v1/devices/\(deviceId)/events" }
}
