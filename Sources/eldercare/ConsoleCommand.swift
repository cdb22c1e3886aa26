import ArgumentParser
import Foundation
import OperatorConsole

/// `eldercare console`: the operator console in this terminal (Docs/operator-guide.md).
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The operator console: the live call queue in this terminal.",
        discussion: """
            The token comes from --token, --token-file or the ELDERCARE_TOKEN environment variable, in that \
            order. Prefer the file or the variable: other users can see command-line arguments. \
            Example: ELDERCARE_TOKEN=$(cat ~/.eldercare-token) eldercare console --server http://10.0.0.5:8080
            """)

    @Option(help: "The server's address, e.g. http://127.0.0.1:8080.")
    var server: String

    @Option(help: ArgumentHelp("An API token (ec_…). Visible to other users in the process list.", valueName: "token"))
    var token: String?

    @Option(name: .customLong("token-file"), help: "A file holding the token (surrounding whitespace is ignored).")
    var tokenFile: String?

    func run() async throws {
        let token = try resolveToken(environment: ProcessInfo.processInfo.environment)
        do {
            try await OperatorConsole.run(server: server, token: token, environment: ProcessInfo.processInfo.environment)
        } catch let error as ConsoleAPIError {
            throw CLIError(error.description)
        } catch let error as TerminalError {
            throw CLIError(error.description)
        }
    }

    /// The token from the first source that has one; its value is never printed.
    func resolveToken(environment: [String: String]) throws -> String {
        if token != nil && tokenFile != nil {
            throw CLIError("Give the token with --token or --token-file, not both.")
        }
        if let token {
            return token
        }
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw CLIError("Cannot read the token file \(tokenFile).")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw CLIError("The token file \(tokenFile) is empty.") }
            return text
        }
        if let fromEnvironment = environment["ELDERCARE_TOKEN"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        throw CLIError(
            "No token: set ELDERCARE_TOKEN, or pass --token-file PATH (or --token). "
                + "A supervisor issues one with: eldercare token create --role operator --name 'Your Name'")
    }
}
