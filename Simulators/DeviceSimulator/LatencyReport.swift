import Histogram

/// Latencies at microsecond resolution in an HDR histogram (three significant digits, up to an
/// hour), one per thread while a run goes on and merged at the end, so recording takes no lock.
struct LatencyRecorder: Sendable {
    static let highestMicros: UInt64 = 3_600_000_000

    private(set) var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: LatencyRecorder.highestMicros,
        numberOfSignificantValueDigits: .three)

    mutating func record(nanos: UInt64) {
        histogram.record(Swift.min(Swift.max(nanos / 1000, 1), Self.highestMicros))
    }

    mutating func record(micros: UInt64) {
        histogram.record(Swift.min(Swift.max(micros, 1), Self.highestMicros))
    }

    mutating func merge(_ other: LatencyRecorder) { histogram.add(other.histogram) }

    var count: UInt64 { histogram.totalCount }

    /// The value at a percentile (0–100), in milliseconds.
    func millis(atPercentile p: Double) -> Double { Double(histogram.valueAtPercentile(p)) / 1000 }

    var maxMillis: Double { Double(histogram.max) / 1000 }

    /// `p50 0.412  p90 0.530  p99 0.790  p99.9 2.790  max 6.500 ms`
    var summary: String {
        guard count > 0 else { return "no samples" }
        let points: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]
        return points.map { "\($0.0) \(Format.fixed(millis(atPercentile: $0.1), 3))" }.joined(separator: "  ")
            + "  max \(Format.fixed(maxMillis, 3)) ms"
    }
}

/// Counts by HTTP status and by answer status, for the reports.
struct StatusTally: Sendable {
    var byHTTPStatus: [Int: Int] = [:]
    var byAnswer: [String: Int] = [:]
    /// Events that got no answer even after their retries.
    var unanswered = 0
    /// Retries made (each with the same ref).
    var retries = 0

    mutating func add(_ result: SendResult) {
        retries += result.retries
        if result.failure != nil { unanswered += 1; return }
        byHTTPStatus[result.status, default: 0] += 1
        if let answer = result.answer { byAnswer[answer.status, default: 0] += 1 }
    }

    mutating func merge(_ other: StatusTally) {
        byHTTPStatus.merge(other.byHTTPStatus, uniquingKeysWith: +)
        byAnswer.merge(other.byAnswer, uniquingKeysWith: +)
        unanswered += other.unanswered
        retries += other.retries
    }

    var acknowledged: Int { byHTTPStatus.filter { (200..<300).contains($0.key) }.values.reduce(0, +) }
    func count(status: Int) -> Int { byHTTPStatus[status] ?? 0 }

    /// `202 × 449,990, 429 × 10; no answer × 0`
    var httpSummary: String {
        var parts = byHTTPStatus.sorted { $0.key < $1.key }.map { "\($0.key) × \(Format.count($0.value))" }
        if unanswered > 0 { parts.append("no answer × \(Format.count(unanswered))") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    /// `accepted 2,000, joined 43,000, recorded 405,000`
    var answerSummary: String {
        byAnswer.isEmpty
            ? "none" : byAnswer.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.count($0.value))" }.joined(separator: ", ")
    }
}
