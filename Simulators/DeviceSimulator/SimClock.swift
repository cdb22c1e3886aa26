#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Time as the simulator needs it: a monotonic clock for latencies and schedules, the wall clock
/// for what devices put in their signatures and bodies.
enum SimClock {
    /// Monotonic nanoseconds; immune to the wall clock being stepped during a run.
    @inline(__always)
    static func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Whole seconds since 1970 (the device clock that `X-Eldercare-Timestamp` carries).
    @inline(__always)
    static func epochSeconds() -> Int { Int(time(nil)) }

    /// Sleeps for a while; nanosleep rather than Foundation so worker threads carry no run loop.
    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        // Interrupted by a signal: sleep what is left.
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// Waits until the monotonic clock reaches `deadline`. Sleeps until `spinNanos` before it,
    /// then spins: the kernel's timer slack (about 50 µs) would otherwise be counted as server
    /// latency. Spinning costs CPU the server could use on a shared machine, hence adjustable.
    static func wait(until deadline: UInt64, spinNanos: UInt64 = 60_000) {
        let now = nanos()
        if deadline > now + spinNanos { sleep(seconds: Double(deadline - now - spinNanos) / 1e9) }
        while nanos() < deadline {}
    }

    /// Seconds between two monotonic readings.
    static func seconds(from start: UInt64, to end: UInt64) -> Double { Double(end &- start) / 1e9 }
}
