import Foundation
import Testing

@testable import CareConfig

@Suite("Configuration")
struct CareSettingsLoaderTests {
    // MARK: - Defaults

    @Test("The compiled-in defaults equal Config/eldercare.json")
    func defaultsEqualShippedFile() async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: shippedConfigPath))
        let file = try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
        let d = CareSettings()
        let expected: NSDictionary = [
            "server": ["host": d.server.host, "port": d.server.port, "maxBodyBytes": d.server.maxBodyBytes],
            "storage": [
                "dataDirectory": d.storage.dataDirectory, "fileName": d.storage.fileName,
                "busyTimeoutMilliseconds": d.storage.busyTimeoutMilliseconds,
                "maximumReaderCount": d.storage.maximumReaderCount,
            ],
            "log": ["level": d.log.level.rawValue, "format": d.log.format.rawValue],
            "pagination": ["defaultLimit": d.pagination.defaultLimit, "maximumLimit": d.pagination.maximumLimit],
            "emergency": [
                "dedupeWindowSeconds": d.emergency.dedupeWindowSeconds, "cancelWindowSeconds": d.emergency.cancelWindowSeconds,
                "signatureWindowBehindSeconds": d.emergency.signatureWindowBehindSeconds,
                "signatureWindowAheadSeconds": d.emergency.signatureWindowAheadSeconds,
                "heartbeatGraceSeconds": d.emergency.heartbeatGraceSeconds,
                "heartbeatRatePerMinute": d.emergency.heartbeatRatePerMinute, "heartbeatBurst": d.emergency.heartbeatBurst,
                "maxEventBytes": d.emergency.maxEventBytes, "triageRulesFile": d.emergency.triageRulesFile,
                "escalateUnclaimedP1Seconds": d.emergency.escalateUnclaimedP1Seconds,
                "escalateUnclaimedP2Seconds": d.emergency.escalateUnclaimedP2Seconds,
                "escalateUnclaimedP3Seconds": d.emergency.escalateUnclaimedP3Seconds,
                "escalateUnclaimedP4Seconds": d.emergency.escalateUnclaimedP4Seconds,
                "responderOnSceneSeconds": d.emergency.responderOnSceneSeconds,
                "followUpWithinSeconds": d.emergency.followUpWithinSeconds,
                "streamHeartbeatSeconds": d.emergency.streamHeartbeatSeconds,
            ],
            "notifications": Self.notificationDefaults(d.notifications),
            "bookings": Self.bookingDefaults(d.bookings),
            "billing": [
                "lateCancellationPercent": d.billing.lateCancellationPercent, "noShowPercent": d.billing.noShowPercent,
                "paymentWebhookSecret": d.billing.paymentWebhookSecret,
            ],
            "sync": ["longestOfflineDays": d.sync.longestOfflineDays],
        ]
        #expect(file == expected)

        let loaded = try await CareSettingsLoader.load(file: shippedConfigPath, environment: [:], overrides: [:])
        #expect(loaded == CareSettings())
    }

    @Test("The key table names exactly the keys of Config/eldercare.json")
    func keyTableMatchesShippedFile() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: shippedConfigPath))
        let file = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        let fileKeys = Set(file.flatMap { section, values in values.keys.map { "\(section).\($0)" } })
        #expect(fileKeys == Set(SettingKey.all.map(\.name)))
        #expect(SettingKey.all.count == Set(SettingKey.all.map(\.name)).count)
    }

    @Test("Every default passes its own rule")
    func defaultsAreValid() throws {
        let defaults = CareSettings()
        for key in SettingKey.all {
            let raw = key.read(defaults)
            #expect(throws: Never.self) { try key.check(raw, shownAs: "") }
        }
        for check in SettingKey.crossChecks { #expect(check(defaults) == nil) }
    }

    @Test("An empty file, no environment and no flags give the defaults")
    func emptyFileGivesDefaults() async throws {
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let settings = try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [:])
        #expect(settings == CareSettings())
    }

    @Test("Without --config, the default file is read when it exists and skipped when it does not")
    func defaultFile() async throws {
        let file = try TemporaryFile(#"{"server": {"port": 9999}}"#)
        defer { file.remove() }
        let present = try await CareSettingsLoader.load(
            file: nil, environment: [:], overrides: [:], defaultFile: file.path)
        #expect(present.server.port == 9999)

        let absent = try await CareSettingsLoader.load(
            file: nil, environment: [:], overrides: [:], defaultFile: file.path + ".missing")
        #expect(absent == CareSettings())
        #expect(CareSettingsLoader.defaultFilePath == "Config/eldercare.json")
    }

    // MARK: - Precedence

    @Test("The file overrides the defaults, key by key")
    func fileOverridesDefaults() async throws {
        let file = try TemporaryFile(#"{"server": {"port": 9000}, "log": {"format": "json"}}"#)
        defer { file.remove() }
        let settings = try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [:])
        var expected = CareSettings()
        expected.server.port = 9000
        expected.log.format = .json
        #expect(settings == expected)
    }

    @Test("Environment variables override the file")
    func environmentOverridesFile() async throws {
        let file = try TemporaryFile(
            #"{"server": {"port": 9000, "host": "10.0.0.1"}, "storage": {"dataDirectory": "/srv/file"}}"#)
        defer { file.remove() }
        let environment = [
            "ELDERCARE_SERVER_PORT": "9100",
            "ELDERCARE_STORAGE_DATA_DIRECTORY": "/var/lib/eldercare",
            "ELDERCARE_SERVER_MAX_BODY_BYTES": "2048",
            "ELDERCARE_STORAGE_BUSY_TIMEOUT_MILLISECONDS": "0",
            "ELDERCARE_LOG_LEVEL": "DEBUG",
            "PATH": "/usr/bin",
        ]
        let settings = try await CareSettingsLoader.load(file: file.path, environment: environment, overrides: [:])
        #expect(settings.server.port == 9100)
        #expect(settings.server.host == "10.0.0.1")  // from the file, no variable set
        #expect(settings.server.maxBodyBytes == 2048)
        #expect(settings.storage.dataDirectory == "/var/lib/eldercare")
        #expect(settings.storage.busyTimeoutMilliseconds == 0)
        #expect(settings.log.level == .debug)
        #expect(settings.databasePath == "/var/lib/eldercare/eldercare.sqlite")
    }

    @Test("Command-line flags override environment variables")
    func flagsOverrideEnvironment() async throws {
        let file = try TemporaryFile(#"{"server": {"port": 9000}}"#)
        defer { file.remove() }
        let settings = try await CareSettingsLoader.load(
            file: file.path,
            environment: ["ELDERCARE_SERVER_PORT": "9100", "ELDERCARE_STORAGE_DATA_DIRECTORY": "/env/dir"],
            overrides: ["server.port": "9200", "storage.dataDirectory": "/tmp/x", "log.level": "trace"]
        )
        #expect(settings.server.port == 9200)
        #expect(settings.storage.dataDirectory == "/tmp/x")
        #expect(settings.log.level == .trace)
        #expect(settings.databasePath == "/tmp/x/eldercare.sqlite")
    }

    @Test("Environment variable names: ELDERCARE_ and the dotted key in upper snake case")
    func environmentNames() {
        let names = Dictionary(uniqueKeysWithValues: SettingKey.all.map { ($0.name, $0.environmentName) })
        #expect(
            names
                == [
                    "server.host": "ELDERCARE_SERVER_HOST",
                    "server.port": "ELDERCARE_SERVER_PORT",
                    "server.maxBodyBytes": "ELDERCARE_SERVER_MAX_BODY_BYTES",
                    "storage.dataDirectory": "ELDERCARE_STORAGE_DATA_DIRECTORY",
                    "storage.fileName": "ELDERCARE_STORAGE_FILE_NAME",
                    "storage.busyTimeoutMilliseconds": "ELDERCARE_STORAGE_BUSY_TIMEOUT_MILLISECONDS",
                    "storage.maximumReaderCount": "ELDERCARE_STORAGE_MAXIMUM_READER_COUNT",
                    "log.level": "ELDERCARE_LOG_LEVEL",
                    "log.format": "ELDERCARE_LOG_FORMAT",
                    "pagination.defaultLimit": "ELDERCARE_PAGINATION_DEFAULT_LIMIT",
                    "pagination.maximumLimit": "ELDERCARE_PAGINATION_MAXIMUM_LIMIT",
                    "emergency.dedupeWindowSeconds": "ELDERCARE_EMERGENCY_DEDUPE_WINDOW_SECONDS",
                    "emergency.cancelWindowSeconds": "ELDERCARE_EMERGENCY_CANCEL_WINDOW_SECONDS",
                    "emergency.signatureWindowBehindSeconds": "ELDERCARE_EMERGENCY_SIGNATURE_WINDOW_BEHIND_SECONDS",
                    "emergency.signatureWindowAheadSeconds": "ELDERCARE_EMERGENCY_SIGNATURE_WINDOW_AHEAD_SECONDS",
                    "emergency.heartbeatGraceSeconds": "ELDERCARE_EMERGENCY_HEARTBEAT_GRACE_SECONDS",
                    "emergency.heartbeatRatePerMinute": "ELDERCARE_EMERGENCY_HEARTBEAT_RATE_PER_MINUTE",
                    "emergency.heartbeatBurst": "ELDERCARE_EMERGENCY_HEARTBEAT_BURST",
                    "emergency.maxEventBytes": "ELDERCARE_EMERGENCY_MAX_EVENT_BYTES",
                    "emergency.triageRulesFile": "ELDERCARE_EMERGENCY_TRIAGE_RULES_FILE",
                    "emergency.escalateUnclaimedP1Seconds": "ELDERCARE_EMERGENCY_ESCALATE_UNCLAIMED_P1_SECONDS",
                    "emergency.escalateUnclaimedP2Seconds": "ELDERCARE_EMERGENCY_ESCALATE_UNCLAIMED_P2_SECONDS",
                    "emergency.escalateUnclaimedP3Seconds": "ELDERCARE_EMERGENCY_ESCALATE_UNCLAIMED_P3_SECONDS",
                    "emergency.escalateUnclaimedP4Seconds": "ELDERCARE_EMERGENCY_ESCALATE_UNCLAIMED_P4_SECONDS",
                    "emergency.responderOnSceneSeconds": "ELDERCARE_EMERGENCY_RESPONDER_ON_SCENE_SECONDS",
                    "emergency.followUpWithinSeconds": "ELDERCARE_EMERGENCY_FOLLOW_UP_WITHIN_SECONDS",
                    "emergency.streamHeartbeatSeconds": "ELDERCARE_EMERGENCY_STREAM_HEARTBEAT_SECONDS",
                ].merging(Self.notificationEnvironmentNames) { a, _ in a }.merging(Self.bookingEnvironmentNames) { a, _ in a }.merging([
                    "billing.lateCancellationPercent": "ELDERCARE_BILLING_LATE_CANCELLATION_PERCENT",
                    "billing.noShowPercent": "ELDERCARE_BILLING_NO_SHOW_PERCENT",
                    "billing.paymentWebhookSecret": "ELDERCARE_BILLING_PAYMENT_WEBHOOK_SECRET",
                ]) { a, _ in a }
                .merging(["sync.longestOfflineDays": "ELDERCARE_SYNC_LONGEST_OFFLINE_DAYS"]) { a, _ in a })
        #expect(Set(names.values).count == names.count)
        #expect(SettingKey.environmentName(for: "notifications.smsAPIKey") == "ELDERCARE_NOTIFICATIONS_SMS_API_KEY")
        #expect(SettingKey.environmentName(for: "emergency.escalateAfter2Minutes") == "ELDERCARE_EMERGENCY_ESCALATE_AFTER2_MINUTES")
        #expect(CareSettingsLoader.environmentVariableName(forKey: "storage.dataDirectory") == "ELDERCARE_STORAGE_DATA_DIRECTORY")
        #expect(CareSettingsLoader.environmentVariableName(forKey: "storage.nope") == nil)
    }

    @Test("Unknown ELDERCARE_ variables are listed for a warning, not applied")
    func unknownEnvironmentVariables() async throws {
        let environment = ["ELDERCARE_SERVER_PROT": "1", "ELDERCARE_SERVER_PORT": "9100", "HOME": "/root"]
        #expect(CareSettingsLoader.unknownEnvironmentVariables(in: environment) == ["ELDERCARE_SERVER_PROT"])
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let settings = try await CareSettingsLoader.load(file: file.path, environment: environment, overrides: [:])
        #expect(settings.server.port == 9100)
    }

    // MARK: - Wrong values

    @Test("A port that is not a number names the key, the value, what is allowed and where it was set")
    func badPortFromEnvironment() async throws {
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(
                file: file.path, environment: ["ELDERCARE_SERVER_PORT": "80x"], overrides: [:])
        }
        #expect(problem.key == "server.port")
        #expect(problem.value == "80x")
        #expect(problem.allowed == "a whole number from 0 to 65535")
        #expect(
            problem.description
                == "Configuration key server.port has value \"80x\", but it must be a whole number from 0 to 65535 (from environment variable ELDERCARE_SERVER_PORT)."
        )
        #expect(
            ConfigurationProblem(key: "server.port", value: "80x", allowed: "a whole number from 0 to 65535").description
                == "Configuration key server.port has value \"80x\", but it must be a whole number from 0 to 65535.")
    }

    @Test("Ports out of range are refused from every layer", arguments: ["65536", "-1", "", " ", "8080.5"])
    func portOutOfRange(value: String) async throws {
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: ["server.port": value])
        }
        #expect(
            problem
                == ConfigurationProblem(
                    key: "server.port", value: value, allowed: "a whole number from 0 to 65535",
                    source: "command-line flag --port"))
    }

    @Test("An unknown log level lists the levels")
    func badLogLevel() async throws {
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: ["log.level": "verbose"])
        }
        #expect(
            problem.description
                == "Configuration key log.level has value \"verbose\", but it must be one of trace, debug, info, notice, warning, error, critical (from command-line flag --log-level)."
        )
    }

    @Test("A wrong value in the file names the file")
    func badValueInFile() async throws {
        let file = try TemporaryFile(#"{"log": {"format": "xml"}}"#)
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [:])
        }
        #expect(
            problem.description
                == "Configuration key log.format has value \"xml\", but it must be one of text, json (from the configuration file \(file.path))."
        )
    }

    @Test("A value hidden by a higher layer is still checked")
    func shadowedBadValueIsReported() async throws {
        let file = try TemporaryFile(#"{"server": {"port": 70000}}"#)
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(
                file: file.path, environment: ["ELDERCARE_SERVER_PORT": "8080"], overrides: [:])
        }
        #expect(problem.key == "server.port")
        #expect(problem.value == "70000")
        #expect(problem.source == "the configuration file \(file.path)")
    }

    @Test(
        "JSON values of the wrong type are refused",
        arguments: [
            (
                #"{"server": {"port": "8080"}}"#, "server.port", "8080",
                "a whole number from 0 to 65535, written as a JSON number without quotes"
            ),
            (
                #"{"server": {"port": true}}"#, "server.port", "true",
                "a whole number from 0 to 65535, written as a JSON number without quotes"
            ),
            (#"{"server": {"port": 80.5}}"#, "server.port", "80.5", "a whole number from 0 to 65535"),
            (
                #"{"server": {"port": null}}"#, "server.port", "null",
                "a whole number from 0 to 65535, written as a JSON number without quotes"
            ),
            (
                #"{"server": {"host": 5}}"#, "server.host", "5",
                "a non-empty host name or IP address, such as 127.0.0.1 or 0.0.0.0, written as a JSON string in quotes"
            ),
            (#"{"server": 5}"#, "server", "5", "an object with the keys host, port, maxBodyBytes"),
        ])
    func wrongJSONTypes(json: String, key: String, value: String, allowed: String) async throws {
        let file = try TemporaryFile(json)
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [:])
        }
        #expect(
            problem
                == ConfigurationProblem(
                    key: key, value: value, allowed: allowed, source: "the configuration file \(file.path)"))
    }

    @Test("An integral JSON number written with a fraction is accepted")
    func integralDouble() async throws {
        let file = try TemporaryFile(#"{"server": {"port": 8081.0}, "log": {"level": "Warning"}}"#)
        defer { file.remove() }
        let settings = try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [:])
        #expect(settings.server.port == 8081)
        #expect(settings.log.level == .warning)
    }

    @Test(
        "Each rule refuses its wrong values",
        arguments: [
            ("server.host", ""),
            ("server.maxBodyBytes", "1023"),
            ("server.maxBodyBytes", "104857601"),
            ("storage.dataDirectory", ""),
            ("storage.fileName", ""),
            ("storage.fileName", "db/eldercare.sqlite"),
            ("storage.busyTimeoutMilliseconds", "-1"),
            ("storage.busyTimeoutMilliseconds", "600001"),
            ("storage.maximumReaderCount", "0"),
            ("storage.maximumReaderCount", "65"),
            ("log.format", "yaml"),
            ("pagination.defaultLimit", "0"),
            ("pagination.maximumLimit", "0"),
            ("pagination.maximumLimit", "10001"),
        ])
    func rulesRefuse(key: String, value: String) async throws {
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [key: value])
        }
        #expect(problem.key == key)
        #expect(problem.value == value)
        #expect(problem.description.hasPrefix("Configuration key \(key) has value \"\(value)\", but it must be "))
    }

    @Test(
        "Each rule accepts its limits",
        arguments: [
            ("server.port", "1"), ("server.port", "65535"),
            ("server.maxBodyBytes", "1024"), ("server.maxBodyBytes", "104857600"),
            ("storage.busyTimeoutMilliseconds", "0"), ("storage.busyTimeoutMilliseconds", "600000"),
            ("storage.maximumReaderCount", "1"), ("storage.maximumReaderCount", "64"),
            ("pagination.maximumLimit", "10000"), ("pagination.defaultLimit", "500"),
        ])
    func rulesAccept(key: String, value: String) async throws {
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let settings = try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [key: value])
        let setting = try #require(SettingKey.byName[key])
        #expect(setting.read(settings) == setting.held(given: value), "the accepted value is the one loaded")
    }

    @Test("The default page length may not exceed the maximum")
    func defaultLimitAboveMaximum() async throws {
        let file = try TemporaryFile(#"{"pagination": {"maximumLimit": 100}}"#)
        defer { file.remove() }
        let problem = try await #require(throws: ConfigurationProblem.self) {
            try await CareSettingsLoader.load(
                file: file.path, environment: ["ELDERCARE_PAGINATION_DEFAULT_LIMIT": "200"], overrides: [:])
        }
        #expect(
            problem.description
                == "Configuration key pagination.defaultLimit has value \"200\", but it must be a whole number from 1 to 100 (the value of pagination.maximumLimit) (from environment variable ELDERCARE_PAGINATION_DEFAULT_LIMIT)."
        )
    }

    // MARK: - Unusable sources

    @Test("A file that is not JSON names the file")
    func invalidJSON() async throws {
        let file = try TemporaryFile(#"{"server": {"port": 8080,,}}"#)
        defer { file.remove() }
        let error = try await #require(throws: ConfigurationSourceProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [:])
        }
        guard case .fileNotJSON(let path, _) = error else {
            Issue.record("expected fileNotJSON, got \(error)")
            return
        }
        #expect(path == file.path)
        #expect(error.description.hasPrefix("The configuration file \(file.path) is not valid JSON: "))
    }

    @Test("A file whose top level is not an object is refused")
    func topLevelArray() async throws {
        let file = try TemporaryFile("[1, 2]")
        defer { file.remove() }
        let error = try await #require(throws: ConfigurationSourceProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [:])
        }
        #expect(
            error.description
                == "The configuration file \(file.path) is not valid JSON: the top level must be an object such as {\"server\": {\"port\": 8080}}."
        )
    }

    @Test("An unknown key in the file is refused and a close known key suggested")
    func unknownKeyInFile() async throws {
        let file = try TemporaryFile(#"{"server": {"prot": 9090}}"#)
        defer { file.remove() }
        let error = try await #require(throws: ConfigurationSourceProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [:])
        }
        #expect(
            error.description
                == "Configuration key server.prot in the configuration file \(file.path) is not a known setting. Did you mean server.port? Known keys: server.host, server.port, server.maxBodyBytes."
        )
    }

    @Test("An unknown section in the file is refused")
    func unknownSectionInFile() async throws {
        let file = try TemporaryFile(#"{"servr": {"port": 9090}}"#)
        defer { file.remove() }
        let error = try await #require(throws: ConfigurationSourceProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: [:])
        }
        #expect(
            error
                == .unknownKey(
                    key: "servr", source: "the configuration file \(file.path)", suggestion: "server",
                    known: ["server", "storage", "log", "pagination", "emergency", "notifications", "bookings", "billing", "sync"]))
    }

    @Test("An unknown override key is refused")
    func unknownOverride() async throws {
        let file = try TemporaryFile("{}")
        defer { file.remove() }
        let error = try await #require(throws: ConfigurationSourceProblem.self) {
            try await CareSettingsLoader.load(file: file.path, environment: [:], overrides: ["server.prot": "1"])
        }
        guard case .unknownKey(let key, _, let suggestion, _) = error else {
            Issue.record("expected unknownKey, got \(error)")
            return
        }
        #expect(key == "server.prot")
        #expect(suggestion == "server.port")
    }

    @Test("A missing --config file is an error")
    func missingExplicitFile() async throws {
        let path = "/nonexistent/\(UUID().uuidString)/eldercare.json"
        let error = try await #require(throws: ConfigurationSourceProblem.self) {
            try await CareSettingsLoader.load(file: path, environment: [:], overrides: [:])
        }
        #expect(error == .fileNotFound(path: path))
        #expect(error.description == "The configuration file \(path) given with --config does not exist.")
    }

    @Test("A directory given as --config is refused")
    func directoryAsFile() async throws {
        let error = try await #require(throws: ConfigurationSourceProblem.self) {
            try await CareSettingsLoader.load(file: NSTemporaryDirectory(), environment: [:], overrides: [:])
        }
        #expect(error == .fileUnreadable(path: NSTemporaryDirectory(), reason: "it is a directory"))
    }

    // MARK: - Derived values

    @Test("databasePath joins the directory and the file name")
    func databasePath() {
        var settings = CareSettings()
        #expect(settings.databasePath == "data/eldercare.sqlite")
        settings.storage.dataDirectory = "/var/lib/eldercare/"
        settings.storage.fileName = "care.db"
        #expect(settings.databasePath == "/var/lib/eldercare/care.db")
        settings.storage.dataDirectory = "/"
        #expect(settings.databasePath == "/care.db")
        settings.storage.dataDirectory = "."
        #expect(settings.databasePath == "./care.db")
    }

    // MARK: - Documentation

    @Test("Docs/configuration.md names every key and its environment variable")
    func documentationCoversEveryKey() throws {
        let docs = try String(contentsOf: packageRoot.appendingPathComponent("Docs/configuration.md"), encoding: .utf8)
        for key in SettingKey.all {
            #expect(docs.contains("`\(key.name)`"), "Docs/configuration.md does not mention \(key.name)")
            #expect(docs.contains(key.environmentName), "Docs/configuration.md does not mention \(key.environmentName)")
            if let flag = key.commandLineFlag {
                #expect(docs.contains(flag), "Docs/configuration.md does not mention \(flag)")
            }
        }
    }
}
