import Foundation

/// A billable fact, as Bookings writes it to the change log (entity `billable`) in the same
/// transaction as the event. Billing consumes these by ``eventId``, once each, without reading
/// Bookings' tables, so every fact a charge needs is here.
///
/// ```json
/// {"eventId":"visit:31:verified","kind":"visit_verified","bookingId":31,"service":"cleaning","tariff":"HS-CLEAN",
///  "providerId":7,"elderId":1024,"workerId":12,"start":"2026-12-08T01:00:00Z","end":"2026-12-08T03:00:00Z",
///  "minutes":120,"at":"2026-12-08T03:01:00Z"}
/// ```
public struct BillableEvent: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A visit with all six verification elements: charge the service.
        case visitVerified = "visit_verified"
        /// A meal handed over.
        case mealDelivered = "meal_delivered"
        /// Proxy shopping: the goods at ``BillableEvent/amountFen`` (never subsidised) plus the service.
        case shoppingReceipt = "shopping_receipt"
        /// Cancelled after the cut-off.
        case lateCancellation = "late_cancellation"
        /// The worker came and nobody opened.
        case noShow = "no_show"
    }

    /// `visit:31:verified`: the same event always has the same id.
    public var eventId: String
    public var kind: Kind
    public var bookingId: Int64
    public var service: String
    public var tariff: String
    public var providerId: Int64
    public var elderId: Int64
    public var workerId: Int64?
    /// Whether the worker is a volunteer (time-bank credit, not pay).
    public var volunteer: Bool
    /// The booked time.
    public var start: Date
    public var end: Date
    /// Checked-in minutes, for services priced per hour.
    public var minutes: Int?
    /// Goods bought, in fen (proxy shopping).
    public var amountFen: Int64?
    /// When it happened.
    public var at: Date

    public init(
        kind: Kind, bookingId: Int64, service: String, tariff: String, providerId: Int64, elderId: Int64, workerId: Int64?,
        volunteer: Bool, start: Date, end: Date, minutes: Int?, amountFen: Int64?, at: Date
    ) {
        let suffix: String =
            switch kind {
            case .visitVerified: "verified"
            case .mealDelivered: "meal"
            case .shoppingReceipt: "receipt"
            case .lateCancellation: "late-cancel"
            case .noShow: "no-show"
            }
        self.eventId = "visit:\(bookingId):\(suffix)"
        self.kind = kind; self.bookingId = bookingId; self.service = service; self.tariff = tariff
        self.providerId = providerId; self.elderId = elderId; self.workerId = workerId; self.volunteer = volunteer
        self.start = start; self.end = end; self.minutes = minutes; self.amountFen = amountFen; self.at = at
    }

    /// The change-log entity billing follows.
    public static let entity = "billable"
}
