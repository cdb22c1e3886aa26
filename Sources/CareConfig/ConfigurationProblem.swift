/// A wrong configuration value. Start-up stops and prints ``description``, a sentence naming the
/// key, the value, what is allowed and where the value was set.
///
/// ```text
/// Configuration key server.port has value "80x", but it must be a whole number from 1 to 65535 (from environment variable ELDERCARE_SERVER_PORT).
/// ```
public struct ConfigurationProblem: Error, CustomStringConvertible, Equatable, Sendable {
    /// The dotted key, e.g. `server.port`.
    public var key: String
    /// The value as it was written.
    public var value: String
    /// What the value must be, completing "…but it must be ___", e.g. `a whole number from 1 to 65535`.
    public var allowed: String
    /// Where the value came from, e.g. `environment variable ELDERCARE_SERVER_PORT`; nil when unknown.
    public var source: String?

    public init(key: String, value: String, allowed: String, source: String? = nil) {
        self.key = key
        self.value = value
        self.allowed = allowed
        self.source = source
    }

    public var description: String {
        let base = "Configuration key \(key) has value \"\(value)\", but it must be \(allowed)"
        guard let source else { return base + "." }
        return base + " (from \(source))."
    }
}

/// A configuration source that cannot be used at all: the file named by `--config` is missing,
/// a file is not JSON or contains a key the platform does not know, or a command-line override
/// names an unknown key. ``description`` is a sentence an operator can act on.
public enum ConfigurationSourceProblem: Error, CustomStringConvertible, Equatable, Sendable {
    /// `--config FILE` named a file that does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, a directory, …).
    case fileUnreadable(path: String, reason: String)
    /// The file is not valid JSON, or its top level is not an object.
    case fileNotJSON(path: String, reason: String)
    /// The file contains a key the platform does not know, usually a typo.
    /// `suggestion` is the closest known key, if one is close.
    case unknownKey(key: String, source: String, suggestion: String?, known: [String])

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "The configuration file \(path) given with --config does not exist."
        case .fileUnreadable(let path, let reason):
            return "The configuration file \(path) could not be read: \(reason)."
        case .fileNotJSON(let path, let reason):
            return "The configuration file \(path) is not valid JSON: \(reason)."
        case .unknownKey(let key, let source, let suggestion, let known):
            let hint = suggestion.map { " Did you mean \($0)?" } ?? ""
            return "Configuration key \(key) in \(source) is not a known setting.\(hint)"
                + " Known keys: \(known.joined(separator: ", "))."
        }
    }
}
