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
    /// The same as ``TravelTimes`` to `b`, which availability uses for every visit of every worker.
    public func travelMinutes(_ a: Coordinates?, _ b: Coordinates?) -> Int {
        TravelTimes(to: b, policy: self).minutes(from: a)
    }
}

/// Travel times to one home from anywhere, with what depends only on that home worked out once.
///
/// The distance is measured on a flat map of the city around the home (equirectangular): within a
/// city it is the great-circle distance to a few metres, for a multiplication instead of five
/// trigonometric calls per visit. Booking and availability both come here, so they agree.
public struct TravelTimes: Sendable {
    let home: Coordinates?
    /// Metres per degree of longitude and of latitude at the home.
    let metresPerDegreeLongitude: Double
    let metresPerDegreeLatitude = Geo.radius * .pi / 180
    let kmh: Double
    let minimum: Int
    let unknown: Int

    public init(to home: Coordinates?, policy: BookingPolicy) {
        self.home = home
        metresPerDegreeLongitude = Geo.radius * .pi / 180 * cos((home?.latitude ?? 0) * .pi / 180)
        kmh = Double(max(policy.travelSpeedKmh, 1))
        minimum = policy.minimumTravelMinutes
        unknown = policy.unknownTravelMinutes
    }

    public func minutes(from place: Coordinates?) -> Int {
        guard let place, let home else { return unknown }
        let x = (place.longitude - home.longitude) * metresPerDegreeLongitude
        let y = (place.latitude - home.latitude) * metresPerDegreeLatitude
        let km = (x * x + y * y).squareRoot() / 1000
        return max(minimum, Int((km / kmh * 60).rounded(.up)))
    }
}

/// Distances on the map.
public enum Geo {
    /// The great-circle distance in metres (haversine, mean Earth radius).
    /// The mean Earth radius, in metres.
    public static let radius = 6_371_000.0

    public static func distanceMeters(_ a: Coordinates, _ b: Coordinates) -> Double {
        let r = radius
        let lat1 = a.latitude * .pi / 180, lat2 = b.latitude * .pi / 180
        let dLat = (b.latitude - a.latitude) * .pi / 180, dLon = (b.longitude - a.longitude) * .pi / 180
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(lat1) * cos(lat2) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, sqrt(h)))
    }
}
