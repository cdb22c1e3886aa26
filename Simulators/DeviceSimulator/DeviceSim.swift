import ArgumentParser

/// `device-sim`: simulated elders' devices speaking the device protocol (Docs/device-protocol.md).
@main
struct DeviceSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device-sim",
        abstract: "Simulated elders' devices: signed events, step-by-step scenarios, the intake load generator, and live-feed timing.",
        discussion: """
            Devices sign every event with their secret, as Docs/device-protocol.md describes. The secrets \
            come from the demo seed (--seed, default 1: the database was made with `eldercare seed`), from a \
            --devices-file of deviceId,secret lines, or from --rotate-secrets (the simulator takes the \
            devices over). The options above may go before or after the subcommand.

            Examples:
              device-sim --token $ADMIN scenario sos
              device-sim --token $ADMIN scenario storm --offline 50000 --sos 500
              device-sim --token $ADMIN load --rate 15000 --connections 8 --duration 30 --kind mixed --devices 50000
              device-sim --token $ADMIN load --kind alarm --rate 2000 --connections 32 --duration 20 --subscribers 3
              device-sim --token $ADMIN replay --expect 40000 --from 0
            """,
        subcommands: [ScenarioCommand.self, LoadCommand.self, ReplayCommand.self, SignCommand.self, PresignCommand.self])

    @OptionGroup var server: ServerOptions
}
