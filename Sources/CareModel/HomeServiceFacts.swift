import Foundation

/// A home service's reason to worry about an elder, stated by the service that saw it (a meal
/// delivery nobody opened the door for) inside its own transaction. Emergency turns it into a
/// welfare-check call in the same transaction, so a concern that was recorded is never without
/// its call; neither service imports the other.
///
/// ```swift
/// try database.bus.publish(db, WelfareConcern(elderId: 1024, bookingId: 31, at: now, detail: "送餐时无人开门"))
/// ```
public struct WelfareConcern: Sendable, Hashable {
    public var elderId: Int64
    /// The booking whose visit found the concern.
    public var bookingId: Int64
    public var at: Date
    /// What was found, Chinese first, as the operator's queue shows it.
    public var detail: String

    public init(elderId: Int64, bookingId: Int64, at: Date, detail: String) {
        self.elderId = elderId; self.bookingId = bookingId; self.at = at; self.detail = detail
    }
}

/// A green-key press: the elder asks for a home service from their device. The intake publishes
/// it in the press's transaction; Bookings puts it on the operators' and providers' worklist,
/// where it stays until someone books a service for it or declines it.
public struct ServiceRequested: Sendable, Hashable {
    public var elderId: Int64
    /// The P4 call the press opened, where the operator talks to the elder.
    public var callId: Int64?
    public var deviceId: String
    public var at: Date

    public init(elderId: Int64, callId: Int64?, deviceId: String, at: Date) {
        self.elderId = elderId; self.callId = callId; self.deviceId = deviceId; self.at = at
    }
}

/// Where a green-key request stands on the worklist.
public enum HomeServiceRequestStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting for an operator or a provider.
    case new
    /// A booking was made for it (``HomeServiceRequest/bookingId``).
    case booked
    /// Closed without a booking, with a reason (the elder pressed by mistake, wanted only to talk).
    case declined
}

/// A green-key request on the worklist.
///
/// ```json
/// {"id":12,"elderId":1024,"elderName":"黄秀英","regionCode":"450902001001","callId":4812,"deviceId":"SOS-00000042",
///  "requestedAt":"2026-12-08T01:00:00Z","status":"booked","bookingId":310,"handledBy":"operator 李敏","handledAt":"2026-12-08T01:03:00Z"}
/// ```
public struct HomeServiceRequest: Codable, Sendable, Hashable {
    public var id: Int64
    public var elderId: Int64
    public var elderName: String
    public var regionCode: String
    public var callId: Int64?
    public var deviceId: String
    public var requestedAt: Date
    public var status: HomeServiceRequestStatus
    public var bookingId: Int64?
    /// Who booked or declined it.
    public var handledBy: String?
    public var handledAt: Date?
    /// Why it was declined.
    public var reason: String?

    public init(
        id: Int64, elderId: Int64, elderName: String, regionCode: String, callId: Int64?, deviceId: String, requestedAt: Date,
        status: HomeServiceRequestStatus, bookingId: Int64? = nil, handledBy: String? = nil, handledAt: Date? = nil,
        reason: String? = nil
    ) {
        self.id = id; self.elderId = elderId; self.elderName = elderName; self.regionCode = regionCode; self.callId = callId
        self.deviceId = deviceId; self.requestedAt = requestedAt; self.status = status; self.bookingId = bookingId
        self.handledBy = handledBy; self.handledAt = handledAt; self.reason = reason
    }
}
