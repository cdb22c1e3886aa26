import Foundation

/// The rules bookings and visits follow, from configuration (`bookings.*`).
public struct BookingPolicy: Sendable, Hashable {
    /// A booking starts at least this long after it is made.
    public var minimumNoticeMinutes = 120
    /// …and at most this many days ahead.
    public var horizonDays = 28
    /// Cancelling or rescheduling less than this before the start is late (recorded for billing).
    public var cancelCutoffHours = 24
    /// Availability offers start times on this grid, in minutes from local midnight.
    public var slotStepMinutes = 30
    /// Travel between homes at this average speed, by straight-line distance.
    public var travelSpeedKmh = 20
    /// The least travel time between two visits, however close the homes.
    public var minimumTravelMinutes = 10
    /// Travel time assumed when a home has no coordinates.
    public var unknownTravelMinutes = 30
    /// A check-in or check-out farther than this from the elder's home is refused.
    public var checkInRadiusMeters = 300
    /// A visit not checked in this long after its start is missed.
    public var missedGraceMinutes = 30
    /// The reminder goes this long before the start.
    public var reminderHoursBefore = 24
    /// A certificate expiring within this many days is reported to its provider.
    public var certificateWarningDays = 30

    public init() {}

    public static let standard = BookingPolicy()

    /// Minutes to travel between two homes; ``unknownTravelMinutes`` when either is unknown.
    ///
    /// The distance is the flat-map one (``Geo/cityDistanceMeters(_:_:)``): within a city it is the
    /// great-circle distance to a few metres, at a fraction of the cost, and availability weighs it
    /// for every visit of every worker. Booking and availability use this one function, so they agree.
    public func travelMinutes(_ a: Coordinates?, _ b: Coordinates?) -> Int {
        guard let a, let b else { return unknownTravelMinutes }
        let km = Geo.cityDistanceMeters(a, b) / 1000
        let minutes = Int((km / Double(max(travelSpeedKmh, 1)) * 60).rounded(.up))
        return max(minimumTravelMinutes, minutes)
    }
}

/// Distances on the map.
public enum Geo {
    /// The great-circle distance in metres (haversine, mean Earth radius).
    /// The mean Earth radius, in metres.
    public static let radius = 6_371_000.0

    /// The distance on a flat map around the two points (equirectangular): one cosine instead of
    /// the haversine's five trigonometric calls, and within a few metres of it over a city.
    public static func cityDistanceMeters(_ a: Coordinates, _ b: Coordinates) -> Double {
        let x = (b.longitude - a.longitude) * .pi / 180 * cos((a.latitude + b.latitude) / 2 * .pi / 180)
        let y = (b.latitude - a.latitude) * .pi / 180
        return radius * (x * x + y * y).squareRoot()
    }

    public static func distanceMeters(_ a: Coordinates, _ b: Coordinates) -> Double {
        let r = radius
        let lat1 = a.latitude * .pi / 180, lat2 = b.latitude * .pi / 180
        let dLat = (b.latitude - a.latitude) * .pi / 180, dLon = (b.longitude - a.longitude) * .pi / 180
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(lat1) * cos(lat2) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, sqrt(h)))
    }
}
