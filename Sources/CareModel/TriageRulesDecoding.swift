import Foundation

extension TriageRules {
    /// Reads rules in the form of `Config/triage.json`, checking them all and throwing one
    /// ``ValidationFailure`` whose fields name the offending keys:
    ///
    /// - `basePriority.fal`: "is not an alarm code; use one of: sos, fall, …"
    /// - `basePriority.fall`: "must be one of P1, P2, P3, P4"
    /// - `basePriority.gas`: "is required: every code that opens a call needs a priority"
    /// - `riskFactors[1]`: "is not a risk factor; use one of: living_alone, …"
    /// - `criticalVitals.heartRateBelow`: "must be less than heartRateAbove"
    /// - `colour`: "is not a known key" (so a misspelt key is not silently ignored)
    ///
    /// ```swift
    /// let rules = try TriageRules(decodingJSON: Data(contentsOf: url))
    /// ```
    public init(decodingJSON data: Data) throws(ValidationFailure) {
        let file: RulesFile
        do {
            file = try CareJSON.decoder.decode(RulesFile.self, from: data)
        } catch let error as DecodingError {
            throw ValidationFailure([Self.issue(error)])
        } catch {
            throw ValidationFailure(field: "document", reason: "could not be read: \(error)")
        }
        var v = Validator()
        for key in file.unknownKeys { v.add(key, "is not a known key") }

        var base: [AlarmCode: Priority] = [:]
        for (key, label) in file.basePriority.sorted(by: { $0.key < $1.key }) {
            let field = "basePriority." + key
            guard let code = AlarmCode(rawValue: key) else {
                v.add(field, "is not an alarm code; use one of: " + AlarmCode.allCases.map(\.rawValue).joined(separator: ", "))
                continue
            }
            guard code.opensCall else { v.add(field, "opens no call, so it takes no priority"); continue }
            guard let priority = Priority(label: label) else { v.add(field, "must be one of P1, P2, P3, P4"); continue }
            base[code] = priority
        }
        // A code only the platform raises may be left out: a file written before the code existed
        // still loads, with the built-in priority.
        for code in AlarmCode.allCases where code.opensCall && file.basePriority[code.rawValue] == nil {
            if !code.sentByDevices, let builtIn = TriageRules.default.basePriority[code] {
                base[code] = builtIn
            } else {
                v.add("basePriority." + code.rawValue, "is required: every code that opens a call needs a priority")
            }
        }

        // Read as numbers and checked here: Foundation's decoder reports 40.5 for an Int field
        // as "not valid JSON" without naming the key.
        func whole(_ key: String) -> Int {
            let value = file.criticalVitals[key] ?? 0
            guard value.rounded() == value, abs(value) < 1_000_000 else {
                v.add("criticalVitals." + key, "must be a whole number")
                return 0
            }
            return Int(value)
        }
        let c = CriticalVitals(
            heartRateBelow: whole("heartRateBelow"), heartRateAbove: whole("heartRateAbove"), spo2Below: whole("spo2Below"),
            systolicAbove: whole("systolicAbove"), systolicBelow: whole("systolicBelow"),
            temperatureAbove: file.criticalVitals["temperatureAbove"] ?? 0,
            temperatureBelow: file.criticalVitals["temperatureBelow"] ?? 0)
        v.check(c.heartRateBelow < c.heartRateAbove, "criticalVitals.heartRateBelow", "must be less than heartRateAbove")
        v.check(c.systolicBelow < c.systolicAbove, "criticalVitals.systolicBelow", "must be less than systolicAbove")
        v.check(c.temperatureBelow < c.temperatureAbove, "criticalVitals.temperatureBelow", "must be less than temperatureAbove")
        v.check((0...3).contains(file.riskRaisesBy), "riskRaisesBy", "must be between 0 and 3")

        var factors: [RiskFactor] = []
        for (i, name) in file.riskFactors.enumerated() {
            if let factor = RiskFactor(rawValue: name) {
                if factors.contains(factor) { v.add("riskFactors[\(i)]", "repeats \(name)") } else { factors.append(factor) }
            } else {
                v.add(
                    "riskFactors[\(i)]",
                    "is not a risk factor; use one of: " + RiskFactor.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        var never: Set<Priority> = []
        for (i, label) in file.neverRaise.enumerated() {
            if let p = Priority(label: label) { never.insert(p) } else { v.add("neverRaise[\(i)]", "must be one of P1, P2, P3, P4") }
        }
        try v.finish()
        self.init(
            basePriority: base, criticalVitals: c, riskRaisesBy: file.riskRaisesBy, riskFactors: factors,
            neverRaise: never)
    }

    /// The decoder's complaint as a field issue: `criticalVitals.spo2Below must be a number`.
    private static func issue(_ error: DecodingError) -> FieldIssue {
        let path = CareJSON.fieldPath
        switch error {
        case .dataCorrupted(let c) where c.codingPath.isEmpty:
            return FieldIssue(field: "document", reason: "is not valid JSON")
        case .dataCorrupted(let c):
            return FieldIssue(field: path(c.codingPath), reason: c.debugDescription)
        case .keyNotFound(let key, let c):
            return FieldIssue(field: path(c.codingPath + [key]), reason: "is required")
        case .valueNotFound(_, let c):
            return FieldIssue(field: path(c.codingPath), reason: "must not be null")
        case .typeMismatch(let type, let c):
            return FieldIssue(
                field: path(c.codingPath).isEmpty ? "document" : path(c.codingPath),
                reason: "must be " + CareJSON.describe(type))
        @unknown default:
            return FieldIssue(field: "document", reason: "could not be read")
        }
    }
}

/// The file's shape before its values are checked: strings stay strings here so that a bad
/// code or priority is reported with its key instead of as an opaque decoding error.
private struct RulesFile: Decodable {
    var basePriority: [String: String]
    /// Every key of ``CriticalVitals``, as numbers.
    var criticalVitals: [String: Double]
    var riskRaisesBy: Int
    var riskFactors: [String]
    var neverRaise: [String]
    /// Keys the format does not have, as paths (`criticalVitals.pulseBelow`).
    var unknownKeys: [String]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static let topKeys: Set = ["basePriority", "criticalVitals", "riskRaisesBy", "riskFactors", "neverRaise"]
    private static let vitalKeys: Set = [
        "heartRateBelow", "heartRateAbove", "spo2Below", "systolicAbove",
        "systolicBelow", "temperatureAbove", "temperatureBelow",
    ]

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        basePriority = try c.decode([String: String].self, forKey: Key("basePriority"))
        let vitals = try c.nestedContainer(keyedBy: Key.self, forKey: Key("criticalVitals"))
        criticalVitals = [:]
        for key in Self.vitalKeys.sorted() { criticalVitals[key] = try vitals.decode(Double.self, forKey: Key(key)) }
        riskRaisesBy = try c.decode(Int.self, forKey: Key("riskRaisesBy"))
        riskFactors = try c.decode([String].self, forKey: Key("riskFactors"))
        neverRaise = try c.decode([String].self, forKey: Key("neverRaise"))
        unknownKeys =
            c.allKeys.map(\.stringValue).filter { !Self.topKeys.contains($0) }.sorted()
            + vitals.allKeys.map(\.stringValue).filter { !Self.vitalKeys.contains($0) }.sorted().map { "criticalVitals." + $0 }
    }
}
