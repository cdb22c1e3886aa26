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
