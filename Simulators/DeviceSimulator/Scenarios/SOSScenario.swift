import ArgumentParser

/// `scenario sos`: an elder presses the red key.
struct SOSScenario: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sos",
        abstract: "One device sends an SOS; expect 202 accepted with a call, and the call in the queue as P1.")

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("Send from this device instead of choosing one.", valueName: "device-id"))
    var device: String?

    func run() throws {
        let context = try ScenarioContext(server, name: "sos")
        let scenario = try AlarmScenario(
            context: context, deviceId: device, types: ["sos_pendant", "wall_button", "watch"],
            describing: "an SOS pendant (or wall button or watch)")
        let (ref, result) = scenario.send(.sos, saying: "sends an SOS: the elder pressed the red key")
        guard let callId = scenario.expectCall(result, status: "accepted") else { try context.run.finish(); return }
        try scenario.checkQueue(callId: callId, priority: "P1", status: "new", code: "sos")
        try scenario.checkStored(ref: ref, outcome: "accepted", callId: callId)
        try context.run.finish()
    }
}
