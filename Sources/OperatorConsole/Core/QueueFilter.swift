import CareModel

/// Which open calls the queue shows. The operator types it as one line after `/`, in any order:
///
/// ```swift
/// QueueFilter(parsing: "p1 p2 mine")        // P1 or P2, claimed by me
/// QueueFilter(parsing: "unclaimed 450902")  // waiting, in 玉州区 (region code prefix)
/// QueueFilter(parsing: "黄 escalated")      // escalated calls of elders named 黄…
/// QueueFilter(parsing: "")                  // everything
/// ```
///
/// Words: `p1`…`p4`; `mine`; `unclaimed`, `held`, or a status (`new`, `cancelled`, `claimed`,
/// `contacting`, `dispatched`); `escalated` (or `!`); digits, a region code or its prefix;
/// anything else must appear in the elder's name, district or what happened. Words of one kind
/// are alternatives (`p1 p2` is P1 or P2); kinds combine (`p1 mine` is P1 and mine).
public struct QueueFilter: Hashable, Sendable {
    public var priorities: Set<Priority> = []
    public var statuses: Set<CallStatus> = []
    /// Region code prefix, trailing zero groups removed (`450902000000` → `450902`).
    public var regionPrefix: String?
    public var mineOnly = false
    public var escalatedOnly = false
    /// Each must appear in the name, district or alarm label.
    public var words: [String] = []

    public init() {}

    public init(parsing text: String) {
        for raw in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "　" }) {
            let word = raw.lowercased()
            if let p = Priority(label: word.uppercased()) {
                priorities.insert(p)
            } else if word == "mine" || word == "我的" {
                mineOnly = true
            } else if word == "escalated" || word == "!" {
                escalatedOnly = true
            } else if let statuses = Self.statusWords[word] {
                self.statuses.formUnion(statuses)
            } else if word.allSatisfy(\.isASCII), word.allSatisfy(\.isNumber) {
                regionPrefix = Self.regionPrefix(of: word)
            } else {
                words.append(String(raw))
            }
        }
    }

    public var isEmpty: Bool { self == QueueFilter() }

    /// The filter as words the parser reads back, in a fixed order: what the header shows.
    public var text: String {
        var parts: [String] = priorities.sorted().map { "p\($0.rawValue)" }
        if mineOnly { parts.append("mine") }
        if escalatedOnly { parts.append("escalated") }
        let held: Set<CallStatus> = [.claimed, .contacting, .dispatched]
        var statuses = statuses
        if statuses.isSuperset(of: [.new, .cancelledAtDevice]) {
            parts.append("unclaimed"); statuses.subtract([.new, .cancelledAtDevice])
        }
        if statuses.isSuperset(of: held) { parts.append("held"); statuses.subtract(held) }
        parts += CallStatus.allCases.filter(statuses.contains).map { Self.statusWord[$0] ?? $0.rawValue }
        if let regionPrefix { parts.append(regionPrefix) }
        return (parts + words).joined(separator: " ")
    }

    /// Whether the queue shows `call` to the operator whose account id is `me`.
    public func matches(_ call: CallSummary, me: Int64?) -> Bool {
        if !priorities.isEmpty && !priorities.contains(call.priority) { return false }
        if !statuses.isEmpty && !statuses.contains(call.status) { return false }
        if let regionPrefix, !call.regionCode.hasPrefix(regionPrefix) { return false }
        if escalatedOnly && !call.escalated { return false }
        if mineOnly {
            guard let me, call.claimedBy?.accountId == me else { return false }
        }
        for word in words {
            let lowered = word.lowercased()
            let hit =
                call.elderName.contains(word) || (call.district?.contains(word) ?? false)
                || call.code.label.chinese.contains(word) || call.code.label.english.lowercased().contains(lowered)
                || call.code.rawValue == lowered
            if !hit { return false }
        }
        return true
    }

    /// Statistical division codes are 2+2+2+3+3 digits; trailing all-zero groups only say the level.
    static func regionPrefix(of digits: String) -> String {
        guard digits.count == 12 else { return digits }
        var code = Substring(digits)
        for group in [3, 3, 2, 2] {
            guard code.count > group, code.suffix(group).allSatisfy({ $0 == "0" }) else { break }
            code = code.dropLast(group)
        }
        return String(code)
    }

    static let statusWords: [String: Set<CallStatus>] = [
        "unclaimed": [.new, .cancelledAtDevice],
        "held": [.claimed, .contacting, .dispatched],
        "new": [.new],
        "cancelled": [.cancelledAtDevice],
        "claimed": [.claimed],
        "contacting": [.contacting],
        "callback": [.contacting],
        "dispatched": [.dispatched],
    ]

    static let statusWord: [CallStatus: String] = [
        .new: "new", .cancelledAtDevice: "cancelled", .claimed: "claimed", .contacting: "contacting",
        .dispatched: "dispatched",
    ]
}
