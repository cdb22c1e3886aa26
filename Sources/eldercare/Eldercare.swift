import ArgumentParser

/// The one executable of the platform.
@main
struct Eldercare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eldercare",
        abstract: "The eldercare platform: emergency calls, home services, health archives and subsidy billing for a city.",
        discussion: """
            Configuration comes from Config/eldercare.json (or --config FILE), then ELDERCARE_* environment \
            variables, then flags; see Docs/configuration.md.
            """,
        subcommands: [
            Serve.self, Demo.self, Migrate.self, Seed.self, Token.self, Backup.self, ConsoleCommand.self,
            ConsoleBenchmark.self, WriterBenchmark.self, BillingCommand.self, ReportCommand.self,
        ])
}
