import CareModel
import Foundation

extension CareSettings {
    /// Home-service bookings and visits (Docs/configuration.md, "Bookings").
    public struct Bookings: Sendable, Equatable {
        /// The service catalogue; a county adds a service here without code.
        public var servicesFile = "Config/services.json"
        /// A booking starts at least this long after it is made.
        public var minimumNoticeMinutes = 120
        /// …and at most this many days ahead.
        public var horizonDays = 28
        /// Cancelling or moving a booking less than this before its start is late (billable).
        public var cancelCutoffHours = 24
        /// Availability offers start times on this grid.
        public var slotStepMinutes = 30
        /// The average speed between homes, by straight-line distance.
        public var travelSpeedKmh = 20
        /// The least travel time between two visits.
        public var minimumTravelMinutes = 10
        /// The travel time assumed when a home has no coordinates.
        public var unknownTravelMinutes = 30
        /// How far from the elder's home a check-in or check-out may be.
        public var checkInRadiusMeters = 300
        /// A visit not checked in this long after its start is missed.
        public var missedGraceMinutes = 30
        /// How long before the start the reminder goes.
        public var reminderHoursBefore = 24

        public init() {}
    }
}

extension SettingKey {
    static let bookingKeys: [SettingKey] = [
        .text(
            "bookings.servicesFile", \.bookings.servicesFile,
            allowed: "a path to the service catalogue JSON file, absolute or relative to the working directory",
            isValid: { !$0.allSatisfy(\.isWhitespace) }),
        .integer("bookings.minimumNoticeMinutes", \.bookings.minimumNoticeMinutes, 0...10_080),
        .integer("bookings.horizonDays", \.bookings.horizonDays, 1...366),
        .integer("bookings.cancelCutoffHours", \.bookings.cancelCutoffHours, 0...720),
        .integer("bookings.slotStepMinutes", \.bookings.slotStepMinutes, 5...240),
        .integer("bookings.travelSpeedKmh", \.bookings.travelSpeedKmh, 1...200),
        .integer("bookings.minimumTravelMinutes", \.bookings.minimumTravelMinutes, 0...240),
        .integer("bookings.unknownTravelMinutes", \.bookings.unknownTravelMinutes, 0...240),
        .integer("bookings.checkInRadiusMeters", \.bookings.checkInRadiusMeters, 10...10_000),
        .integer("bookings.missedGraceMinutes", \.bookings.missedGraceMinutes, 1...1_440),
        .integer("bookings.reminderHoursBefore", \.bookings.reminderHoursBefore, 1...168),
    ]
}
