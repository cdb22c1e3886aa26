import Configuration
import Foundation

/// Reads ``CareSettings`` from four layers through one swift-configuration `ConfigReader`.
///
/// Precedence, highest first:
/// 1. command-line flags (`overrides`, dotted keys such as `server.port`),
/// 2. environment variables `ELDERCARE_<KEY>` (`ELDERCARE_SERVER_PORT`,
///    `ELDERCARE_STORAGE_DATA_DIRECTORY`; see ``environmentVariableName(forKey:)``),
/// 3. the JSON file (`--config FILE`, else `Config/eldercare.json` when it exists),
/// 4. the compiled-in defaults of ``CareSettings``.
///
/// Every value is checked where it is supplied, even one a higher layer hides, so a broken file
/// never waits for the day its override is removed. A wrong value throws
/// ``ConfigurationProblem``; an unusable source (missing `--config` file, invalid JSON, unknown
/// key) throws ``ConfigurationSourceProblem``.
public enum CareSettingsLoader {
    /// The file read when no `--config` is given, relative to the working directory.
    public static let defaultFilePath = "Config/eldercare.json"

    /// - Parameters:
    ///   - file: explicit `--config` path (must exist, else error), or nil to use
    ///     `Config/eldercare.json` if present.
    ///   - environment: usually `ProcessInfo.processInfo.environment` (injected for tests).
    ///   - overrides: dotted keys from CLI flags, e.g. `["server.port": "9090", "storage.dataDirectory": "/tmp/x"]`.
    public static func load(
        file: String?,
        environment: [String: String],
        overrides: [String: String]
    ) async throws -> CareSettings {
        try await load(file: file, environment: environment, overrides: overrides, defaultFile: defaultFilePath)
    }

    /// ``load(file:environment:overrides:)`` with the fallback file's path injected, for tests.
    static func load(
        file: String?,
        environment: [String: String],
        overrides: [String: String],
        defaultFile: String
    ) async throws -> CareSettings {
        let flagLayer = try Layer(overrides: overrides)
        let environmentLayer = try Layer(environment: environment)
        let fileLayer = try Layer(file: file, defaultFile: defaultFile)

        var providers: [any ConfigProvider] = [
            flagLayer.provider(named: "flags"),
            environmentLayer.provider(named: "environment"),
        ]
        if let fileLayer, let path = fileLayer.path {
            providers.append(try await jsonFileProvider(path: path))
        }
        providers.append(Layer(defaults: CareSettings()).provider(named: "defaults"))
        let reader = ConfigReader(providers: providers)

        let layers = [flagLayer, environmentLayer] + (fileLayer.map { [$0] } ?? [])
        func source(of key: SettingKey) -> String {
            layers.first { $0.values[key.name] != nil }.map { $0.source(key) } ?? "the built-in default"
        }

        var settings = CareSettings()
        for key in SettingKey.all {
            let configKey = ConfigKey(key.components)
            do {
                let raw: SettingKey.Raw
                switch key.kind {
                case .integer:
                    raw = .int(try reader.requiredInt(forKey: configKey))
                case .text:
                    raw = .string(try reader.requiredString(forKey: configKey))
                case .choice:
                    let text = try reader.requiredString(forKey: configKey)
                    raw = .string(text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
                }
                key.write(&settings, try key.check(raw, shownAs: Self.show(raw)))
            } catch let refusal as SettingKey.Refusal {
                throw ConfigurationProblem(
                    key: key.name, value: refusal.value, allowed: refusal.allowed, source: source(of: key))
            } catch {
                // Every layer was checked above, so this means a value changed type in between
                // (the file was edited during start-up).
                throw ConfigurationProblem(
                    key: key.name, value: Self.show(layers.lazy.compactMap { $0.values[key.name] }.first),
                    allowed: key.allowed, source: source(of: key))
            }
        }

        for check in SettingKey.crossChecks {
            if let (name, value, allowed) = check(settings), let key = SettingKey.byName[name] {
                throw ConfigurationProblem(key: name, value: value, allowed: allowed, source: source(of: key))
            }
        }
        return settings
    }

    /// The environment variable that sets a dotted key: `storage.dataDirectory` →
    /// `ELDERCARE_STORAGE_DATA_DIRECTORY`. Nil for a key the platform does not know.
    public static func environmentVariableName(forKey key: String) -> String? {
        SettingKey.byName[key]?.environmentName
    }

    /// Variables that start with `ELDERCARE_` but set no known key (usually typos), sorted, so
    /// the executable can warn about them. They are otherwise ignored.
    public static func unknownEnvironmentVariables(in environment: [String: String]) -> [String] {
        let known = Set(SettingKey.all.map(\.environmentName))
        return environment.keys
            .filter { $0.hasPrefix(SettingKey.environmentPrefix) && !known.contains($0) }
            .sorted()
    }

    static func show(_ raw: SettingKey.Raw?) -> String {
        switch raw {
        case .int(let v): String(v)
        case .string(let v): v
        case nil: ""
        }
    }

    /// swift-configuration's JSON file provider (trait `JSON`), given the path through a reader
    /// so no `FilePath` has to be built here.
    static func jsonFileProvider(path: String) async throws -> FileProvider<JSONSnapshot> {
        let pathReader = ConfigReader(
            provider: InMemoryProvider(values: ["filePath": ConfigValue(.string(path), isSecret: false)]))
        do {
            return try await FileProvider<JSONSnapshot>(config: pathReader)
        } catch {
            throw ConfigurationSourceProblem.fileNotJSON(path: path, reason: "\(error)")
        }
    }
}

// MARK: - Layers

/// The checked values one source supplies, by dotted key.
struct Layer {
    var values: [String: SettingKey.Raw] = [:]
    /// Describes where a key's value came from, for messages.
    var source: (SettingKey) -> String
    /// The file, for the file layer.
    var path: String?

    func provider(named name: String) -> InMemoryProvider {
        var configValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for (name, raw) in values {
            guard let key = SettingKey.byName[name] else { continue }
            let content: ConfigContent =
                switch raw {
                case .int(let v): .int(v)
                case .string(let v): .string(v)
                }
            configValues[AbsoluteConfigKey(key.components)] = ConfigValue(content, isSecret: false)
        }
        return InMemoryProvider(name: name, values: configValues)
    }

    init(defaults: CareSettings) {
        source = { _ in "the built-in default" }
        for key in SettingKey.all { values[key.name] = key.read(defaults) }
    }

    init(overrides: [String: String]) throws {
        source = { key in key.commandLineFlag.map { "command-line flag \($0)" } ?? "a command-line override" }
        for (name, text) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let key = SettingKey.byName[name] else {
                let known = SettingKey.all.map(\.name)
                throw ConfigurationSourceProblem.unknownKey(
                    key: name, source: "the command-line overrides",
                    suggestion: SettingKey.closest(to: name, in: known), known: known)
            }
            do throws(SettingKey.Refusal) {
                values[name] = try key.parse(text)
            } catch {
                throw ConfigurationProblem(key: name, value: error.value, allowed: error.allowed, source: source(key))
            }
        }
    }

    init(environment: [String: String]) throws {
        source = { key in "environment variable \(key.environmentName)" }
        for key in SettingKey.all {
            guard let text = environment[key.environmentName] else { continue }
            do throws(SettingKey.Refusal) {
                values[key.name] = try key.parse(text)
            } catch {
                throw ConfigurationProblem(key: key.name, value: error.value, allowed: error.allowed, source: source(key))
            }
        }
    }

    /// Reads and checks the JSON file with `JSONSerialization`: swift-configuration cannot list
    /// a file's keys, and unknown keys (typos) must stop start-up. Nil when `file` is nil and the
    /// default file does not exist.
    init?(file: String?, defaultFile: String) throws {
        let path = file ?? defaultFile
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard exists else {
            if file != nil { throw ConfigurationSourceProblem.fileNotFound(path: path) }
            return nil
        }
        if isDirectory.boolValue {
            throw ConfigurationSourceProblem.fileUnreadable(path: path, reason: "it is a directory")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationSourceProblem.fileUnreadable(path: path, reason: Self.reason(error))
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConfigurationSourceProblem.fileNotJSON(path: path, reason: Self.reason(error))
        }
        guard let top = parsed as? [String: Any] else {
            throw ConfigurationSourceProblem.fileNotJSON(
                path: path, reason: "the top level must be an object such as {\"server\": {\"port\": 8080}}")
        }

        let fileSource = "the configuration file \(path)"
        self.path = path
        self.source = { _ in fileSource }
        for (sectionName, sectionValue) in top.sorted(by: { $0.key < $1.key }) {
            guard SettingKey.sections.contains(sectionName) else {
                throw ConfigurationSourceProblem.unknownKey(
                    key: sectionName, source: fileSource,
                    suggestion: SettingKey.closest(to: sectionName, in: SettingKey.sections),
                    known: SettingKey.sections)
            }
            let sectionKeys = SettingKey.all.filter { $0.section == sectionName }
            guard let section = sectionValue as? [String: Any] else {
                throw ConfigurationProblem(
                    key: sectionName, value: SettingKey.render(json: sectionValue),
                    allowed: "an object with the keys " + sectionKeys.map(\.leaf).joined(separator: ", "),
                    source: fileSource)
            }
            for (leaf, value) in section.sorted(by: { $0.key < $1.key }) {
                let name = sectionName + "." + leaf
                guard let key = SettingKey.byName[name] else {
                    let known = sectionKeys.map(\.name)
                    throw ConfigurationSourceProblem.unknownKey(
                        key: name, source: fileSource,
                        suggestion: SettingKey.closest(to: leaf, in: sectionKeys.map(\.leaf)).map { sectionName + "." + $0 },
                        known: known)
                }
                do throws(SettingKey.Refusal) {
                    values[name] = try key.parse(json: value)
                } catch {
                    throw ConfigurationProblem(key: name, value: error.value, allowed: error.allowed, source: fileSource)
                }
            }
        }
    }

    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        var text = (ns.userInfo["NSDebugDescription"] as? String) ?? ns.localizedDescription
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
