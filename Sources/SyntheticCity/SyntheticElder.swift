public import CareModel

/// One synthetic elder with the contacts and devices to register for them.
///
/// The store gives the elder an id and makes device ids and secrets; `elder.id` is 0 here.
public struct SyntheticElder: Sendable {
    /// Id 0, version 1, status `.active`; `createdAt`/`updatedAt` are the city's fixed timestamp
    /// (09:00 China time on the reference date).
    public var elder: Elder
    /// 1–3 emergency contacts in call order; the first is usually a child or the spouse.
    public var contacts: [NewContact]
    /// 1–2 devices.
    public var devices: [SyntheticDevice]

    public init(elder: Elder, contacts: [NewContact], devices: [SyntheticDevice]) {
        self.elder = elder
        self.contacts = contacts
        self.devices = devices
    }
}

/// A device to register for a synthetic elder (the store makes its id and secret).
public struct SyntheticDevice: Sendable, Hashable {
    public var type: DeviceType
    /// `type.defaultHeartbeatSeconds`.
    public var heartbeatSeconds: Int

    public init(type: DeviceType, heartbeatSeconds: Int) {
        self.type = type
        self.heartbeatSeconds = heartbeatSeconds
    }

    public init(type: DeviceType) {
        self.init(type: type, heartbeatSeconds: type.defaultHeartbeatSeconds)
    }
}
