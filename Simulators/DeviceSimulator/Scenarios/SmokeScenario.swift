import ArgumentParser
import Foundation

/// `scenario smoke`: a smoke alarm, which is P1 at any hour.
struct SmokeScenario: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smoke",
        abstract: "A smoke alarm (occurredAt = now, meant as the night); expect the call P1 regardless of the hour.")

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("Send from this device instead of choosing one.", valueName: "device-id"))
    var device: String?

    func run() throws {
        let context = try ScenarioContext(server, name: "smoke")
        let scenario = try AlarmScenario(context: context, deviceId: device, types: ["smoke_sensor"], describing: "a smoke sensor")
        // Yulin keeps China Standard Time (UTC+8, no daylight saving).
        let hour = (SimClock.epochSeconds() / 3600 + 8) % 24
        let minute = SimClock.epochSeconds() / 60 % 60
        let clock = String(format: "%02d:%02d", hour, minute)
        let night = hour >= 22 || hour < 6
        context.run.note(
            night
                ? "It is \(clock) in Yulin: night, as in the story."
                : "It is \(clock) in Yulin, not night, but the time must not matter: smoke is P1 at any hour.")
        let (ref, result) = scenario.send(.smoke, saying: "sounds: smoke in the kitchen")
        guard let callId = scenario.expectCall(result, status: "accepted") else { try context.run.finish(); return }
        try scenario.checkQueue(callId: callId, priority: "P1", status: "new", code: "smoke")
        try scenario.checkStored(ref: ref, outcome: "accepted", callId: callId)
        try context.run.finish()
    }
}
