/// Every setting the platform reads at start-up, already validated.
///
/// The values written here are the compiled-in defaults. `Config/eldercare.json` holds the same
/// values (a test keeps the two identical), so deleting the file changes nothing.
/// ``CareSettingsLoader/load(file:environment:overrides:)`` layers the file, the environment and
/// command-line flags on top; `Docs/configuration.md` lists every key.
///
/// To add a setting: add the stored property here, add one line to ``SettingKey/all``, add the
/// value to `Config/eldercare.json`, and document it in `Docs/configuration.md`.
public struct CareSettings: Sendable, Equatable {
    /// The HTTP listener.
    public struct Server: Sendable, Equatable {
        /// The address to listen on; `0.0.0.0` listens on every interface.
        public var host = "127.0.0.1"
        public var port = 8080
        /// The largest request body accepted, in bytes.
        public var maxBodyBytes = 1_048_576

        public init() {}
    }

    /// The SQLite database.
    public struct Storage: Sendable, Equatable {
        /// The directory that holds the database; relative paths start at the working directory.
        public var dataDirectory = "data"
        /// The database file's name inside ``dataDirectory``.
        public var fileName = "eldercare.sqlite"
        /// How long a writer waits for a lock before giving up, in milliseconds.
        public var busyTimeoutMilliseconds = 5_000
        /// How many connections may read at the same time.
        public var maximumReaderCount = 8

        public init() {}
    }

    /// The process-wide logger (see ``CareLogging``).
    public struct Log: Sendable, Equatable {
        public var level: LogLevel = .info
        public var format: LogFormat = .text

        public init() {}
    }

    /// Limits for listings (`?limit=`).
    public struct Pagination: Sendable, Equatable {
        /// The page length when a request names none; at most ``maximumLimit``.
        public var defaultLimit = 50
        /// The longest page a request may ask for.
        public var maximumLimit = 500

        public init() {}
    }

    /// Alarm intake and device supervision (Docs/device-protocol.md).
    public struct Emergency: Sendable, Equatable {
        /// Alarms from the same elder within this many seconds of the open call's last event join it.
        public var dedupeWindowSeconds = 300
        /// A cancel from the device this many seconds after the call opened marks it cancelled at the device.
        public var cancelWindowSeconds = 120
        /// How far a device's signed timestamp may lag the server's clock (SIA DC-09 uses 40 s).
        public var signatureWindowBehindSeconds = 40
        /// How far a device's signed timestamp may run ahead of the server's clock (DC-09: 20 s).
        public var signatureWindowAheadSeconds = 20
        /// Silence allowed beyond a device's heartbeat interval before it is declared offline.
        public var heartbeatGraceSeconds = 120
        /// Heartbeat and info events a device may send per minute (alarms are never limited).
        public var heartbeatRatePerMinute = 12
        /// How many heartbeat or info events a device may send in a burst.
        public var heartbeatBurst = 6
        /// The largest event body accepted, in bytes.
        public var maxEventBytes = 16_384
        /// Triage rules (base priorities, critical vitals, risk factors).
        public var triageRulesFile = "Config/triage.json"
        /// A P1 call unclaimed this long is escalated (flagged on every console, the supervisor told).
        public var escalateUnclaimedP1Seconds = 60
        /// The same for P2 calls.
        public var escalateUnclaimedP2Seconds = 180
        /// The same for P3 calls.
        public var escalateUnclaimedP3Seconds = 900
        /// The same for P4 calls.
        public var escalateUnclaimedP4Seconds = 3_600
        /// A responder not on scene this long after dispatch prompts a re-dispatch.
        public var responderOnSceneSeconds = 1_200
        /// A resolved call not followed up within this is a reminder.
        public var followUpWithinSeconds = 86_400
        /// How often the live feed sends a comment to idle subscribers, so proxies keep it open.
        public var streamHeartbeatSeconds = 15

        public init() {}
    }

    public var server = Server()
    public var storage = Storage()
    public var log = Log()
    public var pagination = Pagination()
    public var emergency = Emergency()
    public var notifications = Notifications()  // CareSettings+notifications.swift
    public var bookings = Bookings()  // CareSettings+bookings.swift
    public var billing = Billing()  // CareSettings+billing.swift
    public var sync = Sync()  // CareSettings+sync.swift

    /// The compiled-in defaults.
    public init() {}

    /// `dataDirectory + "/" + fileName`; relative when `dataDirectory` is, i.e. relative to the
    /// working directory.
    public var databasePath: String {
        var directory = storage.dataDirectory
        while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
        if directory == "/" { return "/" + storage.fileName }
        return directory + "/" + storage.fileName
    }
}

/// How much the logger writes, least to most severe. Same names as swift-log's `Logger.Level`.
public enum LogLevel: String, Sendable, Equatable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

/// How each log line is written.
public enum LogFormat: String, Sendable, Equatable, CaseIterable {
    /// `2026-11-23T02:11:20.123Z info eldercare: message key=value`
    case text
    /// One JSON object per line: `{"ts":"…","level":"info","label":"eldercare","msg":"…","key":"value"}`
    case json
}
