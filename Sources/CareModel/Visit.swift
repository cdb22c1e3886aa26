import Foundation

/// A visit: what the worker's phone recorded against a booking, with the six elements of
/// electronic visit verification (service, elder, worker, date, place, start and end).
///
/// ```json
/// {"bookingId":31,"service":"cleaning","elderId":1024,"workerId":12,"providerId":7,"date":"2026-12-08",
///  "checkInAt":"2026-12-08T01:02:10Z","checkInPlace":{"latitude":22.64,"longitude":110.15},"checkInDistanceMeters":35,
///  "checkOutAt":"2026-12-08T03:01:00Z","verified":true,"history":[]}
/// ```
public struct Visit: Codable, Sendable, Hashable {
    public var bookingId: Int64
    public var service: String
    public var elderId: Int64
    public var workerId: Int64
    public var providerId: Int64
    /// The local day of the visit.
    public var date: CalendarDate
    public var status: BookingStatus
    public var checkInAt: Date?
    public var checkInPlace: Coordinates?
    public var checkInDistanceMeters: Int?
    public var checkOutAt: Date?
    public var checkOutPlace: Coordinates?
    public var checkOutDistanceMeters: Int?
    /// All six elements are recorded and the places were within the radius (or corrected with a reason).
    public var verified: Bool
    public var notes: String?
    public var rating: Int?
    public var complaint: String?
    public var meal: MealDelivery?
    public var shopping: ShoppingReceipt?
    /// Every manual correction, oldest first.
    public var history: [VisitCorrection]

    public init(
        bookingId: Int64, service: String, elderId: Int64, workerId: Int64, providerId: Int64, date: CalendarDate,
        status: BookingStatus, checkInAt: Date?, checkInPlace: Coordinates?, checkInDistanceMeters: Int?,
        checkOutAt: Date?, checkOutPlace: Coordinates?, checkOutDistanceMeters: Int?, verified: Bool, notes: String?,
        rating: Int?, complaint: String?, meal: MealDelivery?, shopping: ShoppingReceipt?, history: [VisitCorrection]
    ) {
        self.bookingId = bookingId; self.service = service; self.elderId = elderId; self.workerId = workerId
        self.providerId = providerId; self.date = date; self.status = status; self.checkInAt = checkInAt
        self.checkInPlace = checkInPlace; self.checkInDistanceMeters = checkInDistanceMeters; self.checkOutAt = checkOutAt
        self.checkOutPlace = checkOutPlace; self.checkOutDistanceMeters = checkOutDistanceMeters; self.verified = verified
        self.notes = notes; self.rating = rating; self.complaint = complaint; self.meal = meal; self.shopping = shopping
        self.history = history
    }
}

/// A meal delivery's outcome. A door not opened is a welfare concern.
public struct MealDelivery: Codable, Sendable, Hashable {
    public var delivered: Bool
    /// Dietary needs the worker was asked to respect (from the archive's allergies, when shared).
    public var note: String?
    public init(delivered: Bool, note: String? = nil) { self.delivered = delivered; self.note = note }
}

/// Proxy shopping: what was bought, what the receipt says (fen), and a reference to its photo.
public struct ShoppingReceipt: Codable, Sendable, Hashable {
    public var items: [String]
    public var amountFen: Int64
    public var photo: String

    public init(items: [String], amountFen: Int64, photo: String) { self.items = items; self.amountFen = amountFen; self.photo = photo }

    func check(into v: inout Validator) {
        v.check(!items.isEmpty && items.count <= 100, "shopping.items", "must list from 1 to 100 items")
        for (i, item) in items.enumerated() { v.checkText(item, "shopping.items[\(i)]", maxLength: 100) }
        v.check(amountFen >= 0 && amountFen <= 10_000_000, "shopping.amountFen", "must be from 0 to 10000000 fen")
        v.checkText(photo, "shopping.photo", maxLength: 300)
    }
}

/// One manual correction of a visit, with who made it and why.
public struct VisitCorrection: Codable, Sendable, Hashable {
    public var at: Date
    public var by: String
    public var reason: String
    /// What changed: `checkInAt: 2026-12-08T01:02:10Z → 2026-12-08T01:00:00Z`.
    public var changes: [String]
    public init(at: Date, by: String, reason: String, changes: [String]) {
        self.at = at; self.by = by; self.reason = reason; self.changes = changes
    }
}

/// The worker's phone at the door.
public struct VisitCheck: Codable, Sendable, Hashable {
    public var place: Coordinates
    public var notes: String?
    public var meal: MealDelivery?
    public var shopping: ShoppingReceipt?

    public init(place: Coordinates, notes: String? = nil, meal: MealDelivery? = nil, shopping: ShoppingReceipt? = nil) {
        self.place = place; self.notes = notes; self.meal = meal; self.shopping = shopping
    }

    public func validate(record: VisitRecordKind, checkingOut: Bool) throws(ValidationFailure) {
        var v = Validator()
        v.checkCoordinates(latitude: place.latitude, longitude: place.longitude, prefix: "place.")
        if let notes { v.checkText(notes, "notes", maxLength: 2000) }
        // A receipt is held to its rules whenever one is sent, so the document's one schema holds.
        shopping?.check(into: &v)
        if checkingOut {
            switch record {
            case .meal: v.check(meal != nil, "meal", "is required for a meal delivery: {\"delivered\": true|false}")
            case .shopping: v.check(shopping != nil, "shopping", "is required for proxy shopping: items, amountFen, photo")
            case .visit: break
            }
        }
        try v.finish()
    }
}

/// A manual correction of a visit's times or places; the reason is required and kept.
public struct VisitCorrectionRequest: Codable, Sendable, Hashable {
    public var reason: String
    public var checkInAt: Date?
    public var checkOutAt: Date?
    public var verified: Bool?

    public init(reason: String, checkInAt: Date? = nil, checkOutAt: Date? = nil, verified: Bool? = nil) {
        self.reason = reason; self.checkInAt = checkInAt; self.checkOutAt = checkOutAt; self.verified = verified
    }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        v.checkText(reason, "reason", maxLength: 500)
        v.check(
            checkInAt != nil || checkOutAt != nil || verified != nil, "checkInAt",
            "a correction must change checkInAt, checkOutAt or verified")
        if let a = checkInAt, let b = checkOutAt { v.check(a < b, "checkOutAt", "must be after checkInAt") }
        try v.finish()
    }
}

/// The elder's or family's word on a visit. A complaint goes to the provider and is visible to
/// the civil-affairs bureau (auditors).
public struct VisitFeedback: Codable, Sendable, Hashable {
    public var rating: Int?
    public var complaint: String?
    public init(rating: Int?, complaint: String?) { self.rating = rating; self.complaint = complaint }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        v.check(rating != nil || complaint != nil, "rating", "send a rating, a complaint, or both")
        if let rating { v.check((1...5).contains(rating), "rating", "must be from 1 to 5") }
        if let complaint { v.checkText(complaint, "complaint", maxLength: 2000) }
        try v.finish()
    }
}
