import ArgumentParser
import CareConfig
import CareStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply every pending database migration, then print the applied list.",
        discussion: "The server also migrates at start-up; run this to prepare a database ahead of time.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let settings = try await options.settings()
        let database = try options.openDatabase(settings)
        let before = try await database.appliedMigrations()
        try await database.migrate()
        let after = try await database.appliedMigrations()
        for name in after { print(before.contains(name) ? "  \(name)" : "+ \(name)") }
        print("\(after.count - before.count) applied now, \(after.count) in all: \(settings.databasePath)")
        try database.close()
    }
}
