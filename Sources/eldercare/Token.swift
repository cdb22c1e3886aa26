import ArgumentParser
import CareModel
import CareStore

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Issue and revoke API tokens.",
        subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token, creating the account if needed; prints the token alone on standard output.",
            discussion: "Example: TOKEN=$(eldercare token create --role operator --name 'Li Na')")

        @OptionGroup var options: GlobalOptions

        @Option(help: "admin, supervisor, operator, provider, agency or auditor.")
        var role: String

        @Option(help: "The account's name (staff member, provider or agency).")
        var name: String

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw CLIError("--role \(role) is not a role; use one of: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let settings = try await options.settings()
            let database = try options.openDatabase(settings)
            try await database.migrate()
            do {
                let (_, issued) = try await database.issueToken(role: role, name: name, by: .commandLine)
                print(issued.token)
            } catch let error as StoreError {
                throw CLIError(error.description)
            } catch let error as ValidationFailure {
                throw CLIError(error.summary + ".")
            }
            try database.close()
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its public id (ec_xxxxxxxxxx).")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The token's public id: the part before the second underscore.")
        var id: String

        func run() async throws {
            let settings = try await options.settings()
            let database = try options.openDatabase(settings)
            do {
                let info = try await database.revokeToken(id: id, by: .commandLine)
                print("revoked \(info.id)")
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
            try database.close()
        }
    }
}
