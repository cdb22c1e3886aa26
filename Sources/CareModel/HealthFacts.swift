import Foundation

/// Vitals a device sent with an event, stated by the alarm intake inside the event's
/// transaction; the health archive records them as device-measured Observations.
public struct VitalsMeasured: Sendable, Hashable {
    public var elderId: Int64
    public var deviceId: String
    /// The event's reference, unique per device: the archive's key against recording it twice.
    public var eventRef: String
    public var vitals: Vitals
    public var measuredAt: Date

    public init(elderId: Int64, deviceId: String, eventRef: String, vitals: Vitals, measuredAt: Date) {
        self.elderId = elderId; self.deviceId = deviceId; self.eventRef = eventRef; self.vitals = vitals
        self.measuredAt = measuredAt
    }
}

/// Asks the health archive for an elder's active chronic conditions (display names, e.g.
/// `高血压`), which triage counts as a risk factor. The answer is `[String]`.
public struct ChronicConditionsOf: Sendable, Hashable {
    public var elderId: Int64
    public init(elderId: Int64) { self.elderId = elderId }
}

/// Asks the health archive for the elder's food allergies ("花生过敏"), for a meal being booked
/// by `askedBy`. The answer is `[String]`, empty when the elder has none or does not share the
/// archive. Asked inside a write transaction: the archive audits the disclosure in it.
public struct FoodAllergiesOf: Sendable, Hashable {
    public var elderId: Int64
    public var askedBy: Principal
    /// Why, for the audit log: `meal booking 31`.
    public var reason: String
    public init(elderId: Int64, askedBy: Principal, reason: String) {
        self.elderId = elderId; self.askedBy = askedBy; self.reason = reason
    }
}

/// Asks the bookings service whether a provider's account has a booked service for the elder that
/// needs their allergies (meal delivery). The answer is `Bool`; without bookings, nobody does.
public struct BookedServiceNeedsAllergies: Sendable, Hashable {
    public var accountId: Int64
    public var elderId: Int64
    public init(accountId: Int64, elderId: Int64) { self.accountId = accountId; self.elderId = elderId }
}
