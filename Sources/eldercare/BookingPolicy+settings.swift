import CareConfig
import CareModel
import Foundation

extension BookingPolicy {
    /// The rules the `bookings.*` settings describe.
    init(_ b: CareSettings.Bookings) {
        self.init()
        minimumNoticeMinutes = b.minimumNoticeMinutes
        horizonDays = b.horizonDays
        cancelCutoffHours = b.cancelCutoffHours
        slotStepMinutes = b.slotStepMinutes
        travelSpeedKmh = b.travelSpeedKmh
        minimumTravelMinutes = b.minimumTravelMinutes
        unknownTravelMinutes = b.unknownTravelMinutes
        checkInRadiusMeters = b.checkInRadiusMeters
        missedGraceMinutes = b.missedGraceMinutes
        reminderHoursBefore = b.reminderHoursBefore
    }
}

extension ServiceCatalogue {
    /// The catalogue in `bookings.servicesFile`; the compiled-in copy of `Config/services.json`
    /// when the default path is not there (the binary run outside the source tree).
    static func load(_ b: CareSettings.Bookings) throws -> ServiceCatalogue {
        let path = b.servicesFile
        guard let data = FileManager.default.contents(atPath: path) else {
            if path == CareSettings.Bookings().servicesFile { return .standard }
            throw CLIError(
                "Configuration key bookings.servicesFile has value \"\(path)\", but no file is there; it must name a readable service catalogue such as Config/services.json."
            )
        }
        do {
            return try ServiceCatalogue(decodingJSON: data)
        } catch {
            throw CLIError("The service catalogue in \(path) is not valid: \(error.summary).")
        }
    }
}
