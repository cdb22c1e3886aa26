import Foundation

/// What the timeline says about one call, for the service-level report: when it opened and when
/// each milestone was first reached. Times are the platform's clock.
public struct CallFacts: Sendable, Hashable {
    public var id: Int64
    public var priority: Priority
    public var openedAt: Date
    public var firstClaimAt: Date?
    public var claimedBy: String?
    public var firstDispatchAt: Date?
    /// The first responder to reach the elder.
    public var firstOnSceneAt: Date?
    public var outcome: CallOutcome?
    public var resolvedBy: String?
    public var followedUpAt: Date?

    public init(
        id: Int64, priority: Priority, openedAt: Date, firstClaimAt: Date? = nil, claimedBy: String? = nil,
        firstDispatchAt: Date? = nil, firstOnSceneAt: Date? = nil, outcome: CallOutcome? = nil,
        resolvedBy: String? = nil, followedUpAt: Date? = nil
    ) {
        self.id = id; self.priority = priority; self.openedAt = openedAt; self.firstClaimAt = firstClaimAt
        self.claimedBy = claimedBy; self.firstDispatchAt = firstDispatchAt; self.firstOnSceneAt = firstOnSceneAt
        self.outcome = outcome; self.resolvedBy = resolvedBy; self.followedUpAt = followedUpAt
    }
}

/// The emergency service's figures over a period: `GET /v1/reports/emergency`.
///
/// The claim shares follow the UK telecare (TSA) targets: 97.5% of calls answered within 60 s
/// and 99% within 180 s. Their denominator is every call opened in the period, so a call still
/// unclaimed counts against them. Durations are in seconds, from the call's opening.
///
/// ```json
/// {"from":"2026-11-01T00:00:00Z","to":"2026-12-01T00:00:00Z","calls":412,
///  "byPriority":{"P1":97,"P2":120,"P3":160,"P4":35},"byOutcome":{"false_alarm":151,"open":9,…},
///  "claimedWithin60s":0.981,"claimedWithin180s":0.995,
///  "timeToClaim":{"count":405,"median":21,"p90":48},"timeToDispatch":{…},"timeToOnScene":{…},
///  "falseAlarmRate":0.37,"followUpCompletion":0.92,
///  "operators":[{"name":"王芳","claimed":130,"resolved":127}]}
/// ```
public struct EmergencyReport: Codable, Sendable, Hashable {
    public var from: Date
    public var to: Date
    public var region: String?
    public var calls: Int
    /// Every label `P1`…`P4`, zero when none.
    public var byPriority: [String: Int]
    /// Every outcome, plus `open` for calls not resolved yet.
    public var byOutcome: [String: Int]
    /// Nil when no call opened in the period.
    public var claimedWithin60s: Double?
    public var claimedWithin180s: Double?
    public var timeToClaim: Durations?
    public var timeToDispatch: Durations?
    public var timeToOnScene: Durations?
    /// False alarms among resolved calls.
    public var falseAlarmRate: Double?
    /// Followed-up calls among resolved calls whose outcome needs a follow-up.
    public var followUpCompletion: Double?
    /// Who claimed and resolved how many, busiest first.
    public var operators: [OperatorWorkload]

    /// How long something took across calls, in seconds (nearest-rank percentiles).
    public struct Durations: Codable, Sendable, Hashable {
        public var count: Int
        public var median: Double
        public var p90: Double

        public init(count: Int, median: Double, p90: Double) { self.count = count; self.median = median; self.p90 = p90 }
    }

    public struct OperatorWorkload: Codable, Sendable, Hashable {
        public var name: String
        public var claimed: Int
        public var resolved: Int

        public init(name: String, claimed: Int, resolved: Int) { self.name = name; self.claimed = claimed; self.resolved = resolved }
    }

    /// Computes the report from each call's facts.
    public init(from: Date, to: Date, region: String?, facts: [CallFacts]) {
        self.from = from; self.to = to; self.region = region
        calls = facts.count
        byPriority = Dictionary(uniqueKeysWithValues: Priority.allCases.map { p in (p.description, facts.count { $0.priority == p }) })
        var outcomes = Dictionary(uniqueKeysWithValues: CallOutcome.allCases.map { ($0.rawValue, 0) })
        outcomes["open"] = 0
        for f in facts { outcomes[f.outcome?.rawValue ?? "open", default: 0] += 1 }
        byOutcome = outcomes
        func since(_ keyPath: KeyPath<CallFacts, Date?>) -> [Double] {
            facts.compactMap { f in f[keyPath: keyPath].map { $0.timeIntervalSince(f.openedAt) } }
        }
        let claims = since(\.firstClaimAt)
        func share(_ part: Int, of whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }
        claimedWithin60s = share(claims.count { $0 <= 60 }, of: facts.count)
        claimedWithin180s = share(claims.count { $0 <= 180 }, of: facts.count)
        timeToClaim = Durations(claims)
        timeToDispatch = Durations(since(\.firstDispatchAt))
        timeToOnScene = Durations(since(\.firstOnSceneAt))
        let resolved = facts.filter { $0.outcome != nil }
        falseAlarmRate = share(resolved.count { $0.outcome == .falseAlarm }, of: resolved.count)
        let needing = resolved.filter { $0.outcome?.needsFollowUp == true }
        followUpCompletion = share(needing.count { $0.followedUpAt != nil }, of: needing.count)
        var load: [String: OperatorWorkload] = [:]
        for f in facts {
            if let name = f.claimedBy { load[name, default: .init(name: name, claimed: 0, resolved: 0)].claimed += 1 }
            if let name = f.resolvedBy { load[name, default: .init(name: name, claimed: 0, resolved: 0)].resolved += 1 }
        }
        operators = load.values.sorted { ($0.claimed + $0.resolved, $1.name) > ($1.claimed + $1.resolved, $0.name) }
    }
}

extension EmergencyReport.Durations {
    /// Nil for no values. Nearest rank: the smallest value with at least p% of values at or below it.
    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ p: Double) -> Double { sorted[max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
        self.init(count: sorted.count, median: rank(0.5), p90: rank(0.9))
    }
}
