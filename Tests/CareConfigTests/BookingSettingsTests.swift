import CareModel
import Foundation
import Testing

@testable import CareConfig

extension CareSettingsLoaderTests {
    /// The `bookings` section as `Config/eldercare.json` must hold it.
    static func bookingDefaults(_ b: CareSettings.Bookings) -> NSDictionary {
        [
            "servicesFile": b.servicesFile, "minimumNoticeMinutes": b.minimumNoticeMinutes, "horizonDays": b.horizonDays,
            "cancelCutoffHours": b.cancelCutoffHours, "slotStepMinutes": b.slotStepMinutes, "travelSpeedKmh": b.travelSpeedKmh,
            "minimumTravelMinutes": b.minimumTravelMinutes, "unknownTravelMinutes": b.unknownTravelMinutes,
            "checkInRadiusMeters": b.checkInRadiusMeters, "missedGraceMinutes": b.missedGraceMinutes,
            "reminderHoursBefore": b.reminderHoursBefore,
        ]
    }

    static let bookingEnvironmentNames: [String: String] = [
        "bookings.servicesFile": "ELDERCARE_BOOKINGS_SERVICES_FILE",
        "bookings.minimumNoticeMinutes": "ELDERCARE_BOOKINGS_MINIMUM_NOTICE_MINUTES",
        "bookings.horizonDays": "ELDERCARE_BOOKINGS_HORIZON_DAYS",
        "bookings.cancelCutoffHours": "ELDERCARE_BOOKINGS_CANCEL_CUTOFF_HOURS",
        "bookings.slotStepMinutes": "ELDERCARE_BOOKINGS_SLOT_STEP_MINUTES",
        "bookings.travelSpeedKmh": "ELDERCARE_BOOKINGS_TRAVEL_SPEED_KMH",
        "bookings.minimumTravelMinutes": "ELDERCARE_BOOKINGS_MINIMUM_TRAVEL_MINUTES",
        "bookings.unknownTravelMinutes": "ELDERCARE_BOOKINGS_UNKNOWN_TRAVEL_MINUTES",
        "bookings.checkInRadiusMeters": "ELDERCARE_BOOKINGS_CHECK_IN_RADIUS_METERS",
        "bookings.missedGraceMinutes": "ELDERCARE_BOOKINGS_MISSED_GRACE_MINUTES",
        "bookings.reminderHoursBefore": "ELDERCARE_BOOKINGS_REMINDER_HOURS_BEFORE",
    ]
}

@Suite("Booking settings")
struct BookingSettingsTests {
    @Test func aValueOutsideItsRangeIsRefused() async throws {
        await #expect(throws: (any Error).self) {
            try await CareSettingsLoader.load(file: nil, environment: ["ELDERCARE_BOOKINGS_CHECK_IN_RADIUS_METERS": "5"], overrides: [:])
        }
        let s = try await CareSettingsLoader.load(file: nil, environment: ["ELDERCARE_BOOKINGS_CANCEL_CUTOFF_HOURS": "12"], overrides: [:])
        #expect(s.bookings.cancelCutoffHours == 12)
    }
}
