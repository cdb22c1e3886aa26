import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one logger setup of the platform: swift-log with ``CareSettings/Log``'s level and format,
/// writing to standard error through a ``LogWriter`` (buffered, off the request's thread; warnings
/// and errors written at once), with every message and metadata value passed through
/// ``Redaction`` first.
public enum CareLogging {
    private static let bootstrapped = Mutex(false)

    /// Bootstraps swift-log once per process with the level and format from settings, writing to
    /// standard error. Later calls do nothing (swift-log allows one bootstrap per process; a
    /// second would crash), so call it once, right after the settings are loaded.
    public static func bootstrap(_ log: CareSettings.Log) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let format = log.format
        let level = log.level
        let writer = LogWriter.standardError
        writer.reportDropped { count in
            let render = format == .json ? LogLine.json : LogLine.text
            return render(
                LogLine.timestamp(Date()), Logger.Level.warning.rawValue, "eldercare.log",
                "lines below warning were dropped because the log could not keep up", [("dropped", String(count))])
        }
        // Whatever is still buffered when the process exits normally is written out.
        atexit { LogWriter.standardError.flush() }
        LoggingSystem.bootstrap { label in
            CareLogHandler(label: label, format: format, logLevel: level.loggerLevel) { line, level in
                writer.write(line, urgent: level >= .warning)
            }
        }
    }

    /// True once ``bootstrap(_:)`` has run in this process.
    public static var isBootstrapped: Bool { bootstrapped.withLock { $0 } }

    /// Makes a handler that hands each finished line (without its newline) to `sink`, so a test
    /// can scan the output: `Logger(label: "test") { CareLogging.makeHandler(label: $0, …) }`.
    public static func makeHandler(
        label: String,
        format: LogFormat,
        level: LogLevel,
        sink: @escaping @Sendable (String) -> Void
    ) -> any LogHandler {
        CareLogHandler(label: label, format: format, logLevel: level.loggerLevel) { line, _ in sink(line) }
    }
}

extension LogLevel {
    /// The same level in swift-log.
    public var loggerLevel: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}

/// Formats, redacts and hands on one line per record.
struct CareLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var logLevel: Logger.Level
    /// Takes each finished line and its level.
    let sink: @Sendable (String, Logger.Level) -> Void
    /// Injected by tests that need a fixed time.
    var now: @Sendable () -> Date = { Date() }
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, format: LogFormat, logLevel: Logger.Level, sink: @escaping @Sendable (String, Logger.Level) -> Void) {
        self.label = label
        self.format = format
        self.logLevel = logLevel
        self.sink = sink
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        // The sources in order of precedence, later ones winning, without merging dictionaries:
        // this runs for every request, and a merge hashes every key again.
        let provided = metadataProvider?.get() ?? [:]
        let explicit = event.metadata ?? [:]
        var errorFields: Logger.Metadata = [:]
        if let error = event.error {
            errorFields["error.message"] = "\(error)"
            errorFields["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let sources = [metadata, provided, explicit, errorFields]
        var fields: [(String, String)] = []
        fields.reserveCapacity(sources.reduce(0) { $0 + $1.count })
        for (index, source) in sources.enumerated() {
            for (key, value) in source where !sources[(index + 1)...].contains(where: { $0[key] != nil }) {
                fields.append((Redaction.redact(key), Self.redacted(value, key: key)))
            }
        }
        fields.sort { $0.0 < $1.0 }

        let render = format == .json ? LogLine.json : LogLine.text
        sink(
            render(
                LogLine.timestamp(now()), event.level.rawValue, label,
                Redaction.redact(event.message.description), fields),
            event.level)
    }

    /// The value as a string, masked; `[redacted]` for a secret key, also inside nested values.
    static func redacted(_ value: Logger.MetadataValue, key: String) -> String {
        if Redaction.isSensitiveKey(key) { return Redaction.placeholder }
        switch value {
        case .string(let s): return Redaction.redact(s)
        case .stringConvertible(let c): return Redaction.redact(c.description)
        case .array, .dictionary: return Redaction.redact(sanitized(value).description)
        }
    }

    private static func sanitized(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string, .stringConvertible: return value
        case .array(let items): return .array(items.map(sanitized))
        case .dictionary(let entries):
            var out = Logger.Metadata()
            for (k, v) in entries { out[k] = Redaction.isSensitiveKey(k) ? .string(Redaction.placeholder) : sanitized(v) }
            return .dictionary(out)
        }
    }
}
