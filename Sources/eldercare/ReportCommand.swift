import ArgumentParser
import Bookings
import CareModel
import CareStore
import Emergency
import Foundation
import Oversight

/// `eldercare report …`: the statistics returns.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Statistics returns for the civil-affairs bureau.", subcommands: [OversightReturnCommand.self])
}

/// `eldercare report oversight --period 2026-Q4`: freezes the quarter's figures once, then writes
/// the frozen return (never recomputed) as JSON, CSV or printable HTML.
struct OversightReturnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oversight",
        abstract: "Freeze a quarter's oversight figures (once) and write the return as CSV, HTML or JSON.",
        discussion: "A frozen return never changes: running the command again writes the same figures.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "The quarter, written 2026-Q4.") var period: String
    @Option(help: "csv, html or json.") var format: String = "csv"
    @Option(help: "Write to this file instead of standard output.") var output: String?

    func run() async throws {
        guard let p = ReturnPeriod(period) else { throw CLIError("--period \(period) is not a quarter; write it as 2026-Q4.") }
        guard ["csv", "html", "json"].contains(format) else { throw CLIError("--format must be csv, html or json.") }
        let settings = try await options.settings()
        let database = try options.openDatabase(settings)
        defer { try? database.close() }
        try await database.migrate()
        // Bookings answers the carers' question and Emergency the calls'; made here so the frozen
        // figures include them.
        _ = BookingStore(database)
        _ = CallStore(database)
        let oversight = OversightStore(database)
        let frozen: OversightReturn
        do {
            do {
                frozen = try await oversight.frozenReturn(p)
            } catch StoreError.notFound {
                frozen = try await oversight.freeze(period: p, by: .commandLine)
            }
        } catch let e as StoreError {
            throw CLIError(e.description)
        }
        let text: String
        switch format {
        case "html": text = ReturnDocuments.html(frozen, history: try await oversight.frozenReturns())
        case "json": text = String(decoding: try CareJSON.encoder.encode(frozen), as: UTF8.self) + "\n"
        default: text = ReturnDocuments.csv(frozen)
        }
        if let output {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("Return \(p) (as of \(frozen.asOf)) written to \(output).\n".utf8))
        } else {
            print(text, terminator: "")
        }
    }
}
