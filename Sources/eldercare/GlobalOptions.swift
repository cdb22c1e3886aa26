import ArgumentParser
import CareAPI
import CareConfig
import CareModel
import CareStore
import Foundation
import Logging

/// Flags every subcommand takes; they override the file and the environment.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "A configuration file (JSON). Default: Config/eldercare.json when present.")
    var config: String?

    @Option(name: .long, help: "Address to listen on (server.host).")
    var host: String?

    @Option(name: .long, help: "Port to listen on (server.port).")
    var port: String?

    @Option(name: .customLong("data-dir"), help: "Folder holding the SQLite file (storage.dataDirectory).")
    var dataDir: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (log.level).")
    var logLevel: String?

    /// The settings, or exit with the sentence that says what is wrong.
    func settings() async throws -> CareSettings {
        var overrides: [String: String] = [:]
        overrides["server.host"] = host
        overrides["server.port"] = port
        overrides["storage.dataDirectory"] = dataDir
        overrides["log.level"] = logLevel
        do {
            return try await CareSettingsLoader.load(
                file: config, environment: ProcessInfo.processInfo.environment,
                overrides: overrides)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Opens the configured database, bootstrapping logging first.
    func openDatabase(_ settings: CareSettings) throws -> CareDatabase {
        do {
            return try CareDatabase.open(
                at: settings.databasePath, schema: CareServer.schema,
                options: .init(
                    busyTimeoutMilliseconds: settings.storage.busyTimeoutMilliseconds,
                    maximumReaderCount: settings.storage.maximumReaderCount))
        } catch {
            throw CLIError("Could not open the database at \(settings.databasePath): \(error)")
        }
    }
}

/// A failure the CLI reports as one plain sentence, without a stack of types.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFound(let entity, let id): "No \(entity) has the id \(id)."
        case .duplicate(let field, let reason): "\(field) \(reason)."
        case .versionMismatch(let entity, let id, _, let current): "The \(entity) \(id) changed meanwhile (now version \(current))."
        case .conflict(let reason): reason.prefix(1).uppercased() + reason.dropFirst() + "."
        case .conflictOn(let field, let reason): "\(field) \(reason)."
        case .invalid(let failure): failure.summary + "."
        }
    }
}
