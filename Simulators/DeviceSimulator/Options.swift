import ArgumentParser
import Foundation

/// Options every command takes, before or after the subcommand's name (each command declares
/// this group, so ArgumentParser accepts them anywhere on the line).
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The platform's base URL (plain HTTP).", valueName: "url"))
    var server: String = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("An admin API token (ec_…). Default: the ELDERCARE_TOKEN environment variable.", valueName: "admin-token"))
    var token: String?

    @Option(
        help: ArgumentHelp(
            "The seed the demo database was made with (eldercare seed --seed S): seeded devices' secrets derive from it. Default 1, when no other source is given.",
            valueName: "S"))
    var seed: UInt64?

    @Option(
        name: .customLong("devices-file"),
        help: ArgumentHelp(
            "A CSV file of deviceId,secret lines: sign as these devices instead of seeded ones.", valueName: "file"))
    var devicesFile: String?

    @Flag(
        name: .customLong("rotate-secrets"),
        help: """
            Take the devices over: rotate each chosen device's secret through the API and sign with the new one. \
            The real devices can no longer sign until re-provisioned.
            """)
    var rotateSecrets = false

    @Option(help: ArgumentHelp("Seconds to wait for an answer before retrying with the same ref (up to 3 retries).", valueName: "seconds"))
    var timeout: Double = 5

    func validate() throws {
        let sources = [seed != nil, devicesFile != nil, rotateSecrets].filter { $0 }.count
        guard sources <= 1 else {
            throw ValidationError(
                "Give at most one of --seed, --devices-file and --rotate-secrets: they are three ways to get the devices' secrets.")
        }
        guard timeout > 0 && timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds.") }
    }

    /// The admin token, from the option or the environment.
    var adminToken: String? {
        if let token, !token.isEmpty { return token }
        if let env = ProcessInfo.processInfo.environment["ELDERCARE_TOKEN"], !env.isEmpty { return env }
        return nil
    }

    /// Resolved once: the values every thread needs.
    func settings() throws -> ServerSettings {
        Socket.ignoreSigpipe()
        return ServerSettings(address: try ServerAddress(url: server), token: adminToken, timeoutSeconds: timeout)
    }

    /// Where devices' secrets come from.
    var secretSource: SecretSource {
        if let devicesFile { return .file(devicesFile) }
        if rotateSecrets { return .rotate }
        return .seed(seed ?? 1)
    }
}

/// What every thread needs to reach the server.
struct ServerSettings: Sendable {
    var address: ServerAddress
    var token: String?
    var timeoutSeconds: Double
}

/// The three ways to get devices' secrets.
enum SecretSource: Sendable {
    /// Seeded demo devices: derive the secret from the seed.
    case seed(UInt64)
    /// `deviceId,secret` lines.
    case file(String)
    /// Rotate through the admin API and use the new secret.
    case rotate
}

/// `--rate N` or `--rate max`.
enum RateOption: ExpressibleByArgument, CustomStringConvertible {
    case perSecond(Double)
    case max

    init?(argument: String) {
        if argument.lowercased() == "max" { self = .max; return }
        guard let value = Double(argument), value > 0, value.isFinite else { return nil }
        self = .perSecond(value)
    }

    var description: String {
        switch self {
        case .max: "max"
        case .perSecond(let r): r == r.rounded() ? String(Int(r)) : String(r)
        }
    }
}
