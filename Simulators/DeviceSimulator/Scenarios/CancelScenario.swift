import ArgumentParser

/// `scenario cancel`: an accidental SOS press, cancelled at the device.
struct CancelScenario: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract:
            "An accidental SOS, cancelled by the device after a while; expect the answer cancelled and the call cancelled_at_device, still listed."
    )

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("Send from this device instead of choosing one.", valueName: "device-id"))
    var device: String?

    @Option(name: .customLong("cancel-after"), help: ArgumentHelp("Seconds between the SOS and the cancel.", valueName: "seconds"))
    var cancelAfter: Double = 10

    func validate() throws {
        guard cancelAfter >= 0 && cancelAfter <= 3600 else { throw ValidationError("--cancel-after must be between 0 and 3600 seconds.") }
    }

    func run() throws {
        let context = try ScenarioContext(server, name: "cancel")
        let run = context.run
        let scenario = try AlarmScenario(
            context: context, deviceId: device, types: ["sos_pendant", "wall_button", "watch"],
            describing: "an SOS pendant (or wall button or watch)")
        let (sosRef, first) = scenario.send(.sos, saying: "sends an SOS: the elder pressed the red key by accident")
        guard let callId = scenario.expectCall(first, status: "accepted") else { try run.finish(); return }

        run.step("Waiting \(Format.fixed(cancelAfter, 0)) s, as an elder would before noticing and pressing cancel.")
        SimClock.sleep(seconds: cancelAfter)

        let (cancelRef, second) = scenario.send(.cancel, saying: "sends a cancel")
        let ok = second.status == 202 && second.answer?.status == "cancelled"
        run.expect(ok, "the answer is 202 cancelled" + (ok ? "" : ", but it was \(second.summary)"))
        if let cancelledCall = second.answer?.callId {
            run.expect(
                cancelledCall == callId,
                "the cancel names call \(callId)" + (cancelledCall == callId ? "" : ", but it names call \(cancelledCall)"))
        }
        try scenario.checkQueue(callId: callId, priority: "P1", status: "cancelled_at_device", code: "sos")
        run.note("The call stays in the queue until an operator confirms the elder is fine.")
        try scenario.checkStored(ref: sosRef, outcome: "accepted", callId: callId)
        try scenario.checkStored(ref: cancelRef, outcome: "cancelled", callId: second.answer?.callId)
        try run.finish()
    }
}
