/// What a device event is (Docs/device-protocol.md, "Body").
public enum EventKind: String, Codable, Sendable, CaseIterable {
    /// Something happened to the elder or the home; may open a call.
    case alarm
    /// Resets the device's latest alarm: its call is marked "cancelled at the device".
    case cancel
    /// "Still alive": keeps the device from being reported offline. Its `code` is ignored.
    case heartbeat
    /// Recorded only (help arrived, pill not taken, mains power lost…).
    case info

    /// Alarms and cancels: the kinds that may open, join or cancel a call. The intake reads the
    /// elder and their open calls only for these, and commits them first.
    public var concernsCalls: Bool { self == .alarm || self == .cancel }
}

/// Room or area codes a device may report (Docs/device-protocol.md, "Location `area` codes").
public enum LocationArea: String, Codable, Sendable, CaseIterable {
    case bedroom, bathroom, kitchen
    case livingRoom = "living_room"
    case hallway
    case frontDoor = "front_door"
    case balcony, stairs, garden, outdoors, other
}

/// Where the event happened: a room code for fixed sensors, coordinates for wearables, or both.
///
/// ```json
/// {"area":"bathroom","latitude":22.6391,"longitude":110.1520,"accuracyMeters":12}
/// ```
public struct EventLocation: Codable, Sendable, Hashable {
    public var area: LocationArea?
    /// Free text from the device or gateway, at most 200 characters ("2号楼3单元").
    public var text: String?
    /// WGS-84 degrees, −90…90; given together with `longitude` or not at all.
    public var latitude: Double?
    /// WGS-84 degrees, −180…180.
    public var longitude: Double?
    /// Radius of the fix in metres, 0…100000.
    public var accuracyMeters: Double?

    public init(
        area: LocationArea? = nil, text: String? = nil, latitude: Double? = nil, longitude: Double? = nil,
        accuracyMeters: Double? = nil
    ) {
        self.area = area; self.text = text; self.latitude = latitude; self.longitude = longitude
        self.accuracyMeters = accuracyMeters
    }
}

/// Measurements a wearable sends with an event. Every field is optional; the ranges in
/// ``DeviceEvent/validated(now:)`` are what a living person can show, not what is healthy.
///
/// ```json
/// {"heartRate":118,"spo2":93,"systolic":165,"diastolic":95,"temperature":37.8}
/// ```
public struct Vitals: Codable, Sendable, Hashable {
    /// Beats per minute, 20–250.
    public var heartRate: Int?
    /// Oxygen saturation in percent, 50–100.
    public var spo2: Int?
    /// mmHg, 50–260; given together with `diastolic` or not at all.
    public var systolic: Int?
    /// mmHg, 30–160.
    public var diastolic: Int?
    /// Body temperature in °C, 30.0–45.0.
    public var temperature: Double?

    public init(
        heartRate: Int? = nil, spo2: Int? = nil, systolic: Int? = nil, diastolic: Int? = nil,
        temperature: Double? = nil
    ) {
        self.heartRate = heartRate; self.spo2 = spo2; self.systolic = systolic; self.diastolic = diastolic
        self.temperature = temperature
    }
}
