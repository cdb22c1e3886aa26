import ArgumentParser
import CareConfig
import CareStore
import Foundation

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a consistent snapshot of the database to PATH, safe while the server serves.",
        discussion: "Restore: stop the server, put the copy at the configured database path, start it. See Docs/runbook.md.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Where to write the copy; must not exist yet.")
    var path: String

    func run() async throws {
        let settings = try await options.settings()
        guard FileManager.default.fileExists(atPath: settings.databasePath) else {
            throw CLIError("There is no database at \(settings.databasePath) to back up.")
        }
        let database = try options.openDatabase(settings)
        do {
            let report = try await database.backup(to: path)
            print(
                "backed up \(report.bytes) bytes (\(report.migrations.count) migrations) to \(report.path) in \(String(format: "%.2f", report.seconds)) s; integrity check ok"
            )
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
        try database.close()
    }
}
