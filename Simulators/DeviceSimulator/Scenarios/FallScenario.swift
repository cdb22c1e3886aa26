import ArgumentParser

/// `scenario fall`: a fall detector fires in the bathroom, and nobody cancels.
struct FallScenario: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fall",
        abstract: "A fall alarm from the bathroom with heart rate 118, not cancelled; expect the call open and P1.")

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("Send from this device instead of choosing one.", valueName: "device-id"))
    var device: String?

    @Option(help: ArgumentHelp("Seconds to wait (no cancel comes) before checking the call is still open.", valueName: "seconds"))
    var observe: Double = 2

    func validate() throws {
        guard observe >= 0 && observe <= 3600 else { throw ValidationError("--observe must be between 0 and 3600 seconds.") }
    }

    func run() throws {
        let context = try ScenarioContext(server, name: "fall")
        let scenario = try AlarmScenario(
            context: context, deviceId: device, types: ["fall_detector", "watch"],
            describing: "a fall detector (or watch)")
        let (ref, result) = scenario.send(.fallInBathroom, saying: "detects a fall in the bathroom (heart rate 118)")
        guard let callId = scenario.expectCall(result, status: "accepted") else { try context.run.finish(); return }
        if observe > 0 {
            context.run.step("Waiting \(Format.fixed(observe, 0)) s: the elder does not get up and nobody cancels.")
            SimClock.sleep(seconds: observe)
        }
        try scenario.checkQueue(callId: callId, priority: "P1", status: "new", code: "fall")
        try scenario.checkStored(ref: ref, outcome: "accepted", callId: callId)
        try context.run.finish()
    }
}
