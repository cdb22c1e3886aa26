/// How urgent a call is, P1 (life at risk, answer first) to P4 (a service request).
///
/// Ordered by urgency: a *smaller* priority is *more* urgent, so `.p1 < .p2` and sorting a
/// queue ascending puts the most urgent call first.
///
/// In JSON and in text it is `"P1"`…`"P4"`, the way operators say it; the raw value (1…4) is
/// what the database stores and sorts on.
///
/// ```swift
/// [Priority.p3, .p1, .p2].sorted()    // [.p1, .p2, .p3]
/// Priority.p2.raised(by: 1)           // .p1
/// Priority.p1.raised(by: 1)           // .p1 (never above P1)
/// try JSONEncoder().encode([Priority.p1])  // ["P1"]
/// ```
public enum Priority: Int, Codable, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case p1 = 1, p2, p3, p4

    /// Parses `"P1"`…`"P4"` exactly; anything else is nil.
    public init?(label: String) {
        guard label.count == 2, label.first == "P", let n = Int(label.dropFirst()), let p = Priority(rawValue: n)
        else { return nil }
        self = p
    }

    /// `"P1"`…`"P4"`.
    public var description: String { "P\(rawValue)" }

    /// `steps` more urgent, stopping at P1.
    public func raised(by steps: Int) -> Priority {
        Priority(rawValue: max(Priority.p1.rawValue, rawValue - max(0, steps)))!
    }

    /// True when `a` is more urgent than `b`.
    public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let p = Priority(label: text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "\"\(text)\" is not a priority; use one of P1, P2, P3, P4"))
        }
        self = p
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
