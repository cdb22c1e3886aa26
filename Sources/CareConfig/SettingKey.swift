import Foundation

/// One configuration key: its dotted name, its type and rule, and where it lives in
/// ``CareSettings``. ``all`` is the single list of keys; the loader, the environment mapping,
/// the unknown-key check and the tests all derive from it.
struct SettingKey: Sendable {
    /// A value as it arrives, before it is checked against the key's rule.
    enum Raw: Sendable, Equatable {
        case int(Int)
        case string(String)
    }

    enum Kind: Sendable {
        case integer(ClosedRange<Int>)
        case text(isValid: @Sendable (String) -> Bool)
        case choice([String])
    }

    /// Dotted name, e.g. `storage.dataDirectory`.
    let name: String
    let kind: Kind
    /// Completes "…but it must be ___".
    let allowed: String
    /// The flag the `eldercare` executable offers for this key, if any (for the documentation).
    let commandLineFlag: String?
    let read: @Sendable (CareSettings) -> Raw
    let write: @Sendable (inout CareSettings, Raw) -> Void

    /// `["storage", "dataDirectory"]`
    var components: [String] { name.split(separator: ".").map(String.init) }
    var section: String { components.first ?? name }
    var leaf: String { components.last ?? name }

    /// `ELDERCARE_STORAGE_DATA_DIRECTORY`, see ``environmentName(for:)``.
    var environmentName: String { Self.environmentName(for: name) }
}

// MARK: - The keys

extension SettingKey {
    /// Every key, in the order of `Config/eldercare.json` and `Docs/configuration.md`.
    /// Adding a section (emergency, notifications, …) means adding its lines here and its
    /// properties to ``CareSettings``.
    static let all: [SettingKey] =
        [
            .text(
                "server.host", \.server.host, flag: "--host",
                allowed: "a non-empty host name or IP address, such as 127.0.0.1 or 0.0.0.0",
                isValid: { !$0.allSatisfy(\.isWhitespace) }
            ),
            .integer("server.port", \.server.port, 0...65535, flag: "--port"),
            .integer(
                "server.maxBodyBytes", \.server.maxBodyBytes, 1024...104_857_600,
                allowed: "a whole number of bytes from 1024 to 104857600 (1 KiB to 100 MiB)"
            ),

            .text(
                "storage.dataDirectory", \.storage.dataDirectory, flag: "--data-dir",
                allowed: "a non-empty directory path, absolute or relative to the working directory",
                isValid: { !$0.allSatisfy(\.isWhitespace) }
            ),
            .text(
                "storage.fileName", \.storage.fileName,
                allowed: "a non-empty file name without \"/\", such as eldercare.sqlite",
                isValid: { !$0.allSatisfy(\.isWhitespace) && !$0.contains("/") && $0 != "." && $0 != ".." }
            ),
            .integer(
                "storage.busyTimeoutMilliseconds", \.storage.busyTimeoutMilliseconds, 0...600_000,
                allowed: "a whole number of milliseconds from 0 to 600000 (10 minutes)"
            ),
            .integer("storage.maximumReaderCount", \.storage.maximumReaderCount, 1...64),

            .choice("log.level", \.log.level, flag: "--log-level"),
            .choice("log.format", \.log.format),

            // Also checked against pagination.maximumLimit, see `crossChecks`.
            .integer("pagination.defaultLimit", \.pagination.defaultLimit, 1...10_000),
            .integer("pagination.maximumLimit", \.pagination.maximumLimit, 1...10_000),

            .integer("emergency.dedupeWindowSeconds", \.emergency.dedupeWindowSeconds, 0...86_400),
            .integer("emergency.cancelWindowSeconds", \.emergency.cancelWindowSeconds, 0...3_600),
            .integer("emergency.signatureWindowBehindSeconds", \.emergency.signatureWindowBehindSeconds, 1...3_600),
            .integer("emergency.signatureWindowAheadSeconds", \.emergency.signatureWindowAheadSeconds, 0...3_600),
            .integer("emergency.heartbeatGraceSeconds", \.emergency.heartbeatGraceSeconds, 0...86_400),
            .integer("emergency.heartbeatRatePerMinute", \.emergency.heartbeatRatePerMinute, 1...6_000),
            .integer("emergency.heartbeatBurst", \.emergency.heartbeatBurst, 1...1_000),
            .integer("emergency.maxEventBytes", \.emergency.maxEventBytes, 1_024...1_048_576),
            .integer("emergency.escalateUnclaimedP1Seconds", \.emergency.escalateUnclaimedP1Seconds, 1...86_400),
            .integer("emergency.escalateUnclaimedP2Seconds", \.emergency.escalateUnclaimedP2Seconds, 1...86_400),
            .integer("emergency.escalateUnclaimedP3Seconds", \.emergency.escalateUnclaimedP3Seconds, 1...86_400),
            .integer("emergency.escalateUnclaimedP4Seconds", \.emergency.escalateUnclaimedP4Seconds, 1...86_400),
            .integer("emergency.responderOnSceneSeconds", \.emergency.responderOnSceneSeconds, 60...86_400),
            .integer("emergency.followUpWithinSeconds", \.emergency.followUpWithinSeconds, 60...2_592_000),
            .integer("emergency.streamHeartbeatSeconds", \.emergency.streamHeartbeatSeconds, 1...300),
            .text(
                "emergency.triageRulesFile", \.emergency.triageRulesFile,
                allowed: "a path to the triage rules JSON file, absolute or relative to the working directory",
                isValid: { !$0.allSatisfy(\.isWhitespace) }
            ),
        ] + notificationKeys  // CareSettings+notifications.swift
        + bookingKeys  // CareSettings+bookings.swift
        + billingKeys  // CareSettings+billing.swift
        + syncKeys  // CareSettings+sync.swift

    /// Rules that involve more than one key, run on the final settings.
    static let crossChecks: [@Sendable (CareSettings) -> (key: String, value: String, allowed: String)?] =
        [
            { settings in
                let p = settings.pagination
                guard p.defaultLimit > p.maximumLimit else { return nil }
                return (
                    "pagination.defaultLimit", String(p.defaultLimit),
                    "a whole number from 1 to \(p.maximumLimit) (the value of pagination.maximumLimit)"
                )
            }
        ] + notificationCrossChecks

    static let byName: [String: SettingKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Section names in order, e.g. `["server", "storage", "log", "pagination"]`.
    static let sections: [String] = {
        var seen: [String] = []
        for key in all where !seen.contains(key.section) { seen.append(key.section) }
        return seen
    }()
}

// MARK: - Building keys

extension SettingKey {
    static func integer(
        _ name: String,
        _ path: any WritableKeyPath<CareSettings, Int> & Sendable,
        _ range: ClosedRange<Int>,
        flag: String? = nil,
        allowed: String? = nil
    ) -> SettingKey {
        SettingKey(
            name: name,
            kind: .integer(range),
            allowed: allowed ?? "a whole number from \(range.lowerBound) to \(range.upperBound)",
            commandLineFlag: flag,
            read: { .int($0[keyPath: path]) },
            write: { settings, raw in if case .int(let v) = raw { settings[keyPath: path] = v } }
        )
    }

    static func text(
        _ name: String,
        _ path: any WritableKeyPath<CareSettings, String> & Sendable,
        flag: String? = nil,
        allowed: String,
        isValid: @escaping @Sendable (String) -> Bool
    ) -> SettingKey {
        SettingKey(
            name: name,
            kind: .text(isValid: isValid),
            allowed: allowed,
            commandLineFlag: flag,
            read: { .string($0[keyPath: path]) },
            write: { settings, raw in if case .string(let v) = raw { settings[keyPath: path] = v } }
        )
    }

    static func choice<Value: RawRepresentable<String> & CaseIterable & Sendable>(
        _ name: String,
        _ path: any WritableKeyPath<CareSettings, Value> & Sendable,
        flag: String? = nil
    ) -> SettingKey {
        let names = Value.allCases.map(\.rawValue)
        return SettingKey(
            name: name,
            kind: .choice(names),
            allowed: "one of " + names.joined(separator: ", "),
            commandLineFlag: flag,
            read: { .string($0[keyPath: path].rawValue) },
            write: { settings, raw in
                if case .string(let v) = raw, let value = Value(rawValue: v) { settings[keyPath: path] = value }
            }
        )
    }
}

// MARK: - Checking values

extension SettingKey {
    /// Why a value was refused; the loader adds the key and the source.
    struct Refusal: Error {
        var value: String
        var allowed: String
    }

    /// Parses text from a command-line flag or an environment variable.
    func parse(_ text: String) throws(Refusal) -> Raw {
        switch kind {
        case .integer:
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let number = Int(trimmed) else { throw Refusal(value: text, allowed: allowed) }
            return try check(.int(number), shownAs: text)
        case .text:
            return try check(.string(text), shownAs: text)
        case .choice:
            return try check(.string(text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()), shownAs: text)
        }
    }

    /// Checks a value decoded by `JSONSerialization` from the configuration file.
    func parse(json value: Any) throws(Refusal) -> Raw {
        let shown = Self.render(json: value)
        switch kind {
        case .integer:
            if let number = value as? NSNumber, !Self.isBoolean(number) {
                guard let int = Self.exactInt(number) else { throw Refusal(value: shown, allowed: allowed) }
                return try check(.int(int), shownAs: shown)
            }
            throw Refusal(value: shown, allowed: allowed + ", written as a JSON number without quotes")
        case .text:
            guard let string = value as? String else {
                throw Refusal(value: shown, allowed: allowed + ", written as a JSON string in quotes")
            }
            return try check(.string(string), shownAs: shown)
        case .choice:
            guard let string = value as? String else {
                throw Refusal(value: shown, allowed: allowed + ", written as a JSON string in quotes")
            }
            return try check(.string(string.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()), shownAs: shown)
        }
    }

    /// Applies the key's rule to an already typed value.
    func check(_ raw: Raw, shownAs shown: String) throws(Refusal) -> Raw {
        let ok: Bool
        switch (kind, raw) {
        case (.integer(let range), .int(let v)): ok = range.contains(v)
        case (.text(let isValid), .string(let v)): ok = isValid(v)
        case (.choice(let names), .string(let v)): ok = names.contains(v)
        default: ok = false
        }
        guard ok else { throw Refusal(value: shown, allowed: allowed) }
        return raw
    }

    /// What `read` makes of `text`, a value of this key, or the problem naming the key: the
    /// loader's rule, for settings that may not have come through the loader.
    func value<Value>(of text: String, read: (String) -> Value?) throws(ConfigurationProblem) -> Value {
        guard let value = read(text) else { throw ConfigurationProblem(key: name, value: text, allowed: allowed) }
        return value
    }

    /// JSON `true`/`false` arrive as `NSNumber`s; they are not numbers here.
    static func isBoolean(_ number: NSNumber) -> Bool {
        #if canImport(Darwin)
        return CFGetTypeID(number) == CFBooleanGetTypeID()
        #else
        return String(cString: number.objCType) == "c"
        #endif
    }

    /// 8080 and 8080.0 give 8080; 80.5 and numbers beyond `Int` give nil.
    static func exactInt(_ number: NSNumber) -> Int? {
        switch String(cString: number.objCType) {
        case "d", "f": return Int(exactly: number.doubleValue)
        case "Q", "L", "I", "S", "C": return number.uint64Value <= UInt64(Int.max) ? Int(number.uint64Value) : nil
        default: return number.intValue
        }
    }

    /// A value from the file, as it would be written in JSON (strings without quotes).
    static func render(json value: Any) -> String {
        switch value {
        case let string as String: return string
        case is NSNull: return "null"
        case let number as NSNumber:
            if isBoolean(number) { return number.boolValue ? "true" : "false" }
            return number.stringValue
        default:
            if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
                return String(decoding: data, as: UTF8.self)
            }
            return String(describing: value)
        }
    }
}

// MARK: - Environment variable names

extension SettingKey {
    static let environmentPrefix = "ELDERCARE_"

    /// `storage.dataDirectory` → `ELDERCARE_STORAGE_DATA_DIRECTORY`.
    ///
    /// Each dotted component is split into words where a lowercase letter or digit is followed by
    /// an uppercase letter (`maxBodyBytes` → `max Body Bytes`) and where an acronym ends
    /// (`maxHTTPBody` → `max HTTP Body`); words are upper-cased and joined with `_`; any other
    /// character becomes `_`. The same rule as swift-configuration's `EnvironmentVariablesProvider`
    /// for the names used today, with the `ELDERCARE_` prefix.
    static func environmentName(for dottedKey: String) -> String {
        var words: [String] = []
        for component in dottedKey.split(separator: ".", omittingEmptySubsequences: false) {
            let chars = Array(component)
            var word = ""
            for (i, c) in chars.enumerated() {
                if i > 0, c.isUppercase {
                    let previous = chars[i - 1]
                    let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                    if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                        words.append(word)
                        word = ""
                    }
                }
                word.append(c)
            }
            words.append(word)
        }
        let joined = words.map { $0.uppercased() }.joined(separator: "_")
        let cleaned = String(joined.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        return environmentPrefix + cleaned
    }
}

// MARK: - Suggestions for typos

extension SettingKey {
    /// The candidate closest to `word` (case-insensitive edit distance ≤ 2, or same letters
    /// ignoring case), or nil.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = Array(word.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let d = editDistance(lowered, Array(candidate.lowercased()))
            if d <= 2, best == nil || d < best!.distance { best = (candidate, d) }
        }
        return best?.name
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
