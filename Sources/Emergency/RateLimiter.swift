import Foundation
import Synchronization

/// A token bucket per device for heartbeat and info events. Alarms never pass through it: an
/// elder in trouble is never told to wait.
public final class RateLimiter: Sendable {
    private struct Bucket { var tokens: Double; var updated: TimeInterval }
    private let buckets = Mutex<[String: Bucket]>([:])
    private let perSecond: Double
    private let burst: Double

    public init(perMinute: Int, burst: Int) {
        self.perSecond = Double(perMinute) / 60
        self.burst = Double(burst)
    }

    /// Takes one token for `key`; returns nil when allowed, else the seconds until one is free.
    public func take(_ key: String, now: Date) -> TimeInterval? {
        let t = now.timeIntervalSince1970
        return buckets.withLock { table -> TimeInterval? in
            var b = table[key] ?? Bucket(tokens: burst, updated: t)
            b.tokens = min(burst, b.tokens + (t - b.updated) * perSecond)
            b.updated = t
            defer { table[key] = b }
            if b.tokens >= 1 {
                b.tokens -= 1
                return nil
            }
            return (1 - b.tokens) / perSecond
        }
    }

    /// Forgets buckets that have refilled, so memory follows the devices that are busy now.
    public func prune(now: Date) {
        let t = now.timeIntervalSince1970
        buckets.withLock { table in
            table = table.filter { _, b in b.tokens + (t - b.updated) * perSecond < burst }
        }
    }
}
