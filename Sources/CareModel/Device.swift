import Foundation

/// The kinds of device an elder may carry or have installed.
public enum DeviceType: String, Codable, Sendable, CaseIterable {
    case sosPendant = "sos_pendant", fallDetector = "fall_detector", watch, doorSensor = "door_sensor",
        smokeSensor = "smoke_sensor", gasSensor = "gas_sensor", bedSensor = "bed_sensor", wallButton = "wall_button"

    /// The heartbeat interval a device of this kind is expected to keep, in seconds.
    public var defaultHeartbeatSeconds: Int {
        switch self {
        case .sosPendant, .fallDetector, .watch: 300
        case .doorSensor, .bedSensor, .wallButton: 900
        case .smokeSensor, .gasSensor: 3600
        }
    }
}

public enum DeviceStatus: String, Codable, Sendable, CaseIterable {
    /// Registered, in use.
    case active
    /// Temporarily out of service (being repaired, elder in hospital); events are refused.
    case suspended
    /// Retired for good; events are refused.
    case deactivated
}

/// A device registered to an elder. Its signing secret is never part of this value: it is
/// shown once, when the device is created or its secret rotated.
public struct Device: Codable, Hashable, Sendable, Identifiable {
    /// The device's own identifier (serial or IMEI), as it names itself in events.
    public var id: String
    public var type: DeviceType
    public var elderId: Int64
    public var heartbeatSeconds: Int
    public var status: DeviceStatus
    /// First characters of the secret's SHA-256, so an installer can tell which secret a device holds.
    public var secretFingerprint: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, type: DeviceType, elderId: Int64, heartbeatSeconds: Int, status: DeviceStatus,
        secretFingerprint: String, version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id; self.type = type; self.elderId = elderId; self.heartbeatSeconds = heartbeatSeconds
        self.status = status; self.secretFingerprint = secretFingerprint; self.version = version
        self.createdAt = createdAt; self.updatedAt = updatedAt
    }

    /// Device identifiers: 3–64 characters of letters, digits, `-`, `_`, `.` and `:`.
    public static func isValidID(_ id: String) -> Bool {
        (3...64).contains(id.count)
            && id.unicodeScalars.allSatisfy {
                ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "-_.:".unicodeScalars.contains($0)
            }
    }
}

public struct NewDevice: Codable, Sendable {
    /// Optional: the server assigns one when absent.
    public var id: String?
    public var type: DeviceType
    public var elderId: Int64
    public var heartbeatSeconds: Int?

    public init(id: String? = nil, type: DeviceType, elderId: Int64, heartbeatSeconds: Int? = nil) {
        self.id = id; self.type = type; self.elderId = elderId; self.heartbeatSeconds = heartbeatSeconds
    }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        if let id { v.check(Device.isValidID(id), "id", "must be 3–64 letters, digits, '-', '_', '.' or ':'") }
        if let heartbeatSeconds {
            v.check((30...86_400).contains(heartbeatSeconds), "heartbeatSeconds", "must be between 30 and 86400")
        }
        try v.finish()
    }
}

public struct DevicePatch: Codable, Sendable {
    public var elderId: Int64?
    public var heartbeatSeconds: Int?
    public var status: DeviceStatus?

    public init(elderId: Int64? = nil, heartbeatSeconds: Int? = nil, status: DeviceStatus? = nil) {
        self.elderId = elderId; self.heartbeatSeconds = heartbeatSeconds; self.status = status
    }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        if let heartbeatSeconds {
            v.check((30...86_400).contains(heartbeatSeconds), "heartbeatSeconds", "must be between 30 and 86400")
        }
        try v.finish()
    }
}

/// A device together with its secret, returned exactly once.
public struct DeviceWithSecret: Codable, Sendable {
    public var device: Device
    /// Base64url, 256 bits. Store it in the device now: it is never shown again.
    public var secret: String

    public init(device: Device, secret: String) {
        self.device = device
        self.secret = secret
    }
}
