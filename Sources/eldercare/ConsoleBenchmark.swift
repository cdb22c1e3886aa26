import ArgumentParser
import CareModel
import Foundation
import OperatorConsole

/// `eldercare console-benchmark`: the console's own figures (Docs/performance.md, "Operator
/// console") without a server or a terminal: a floor of N open calls loaded into the console's
/// core, then frames rendered and keys applied the way the driver does, timed.
struct ConsoleBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console-benchmark",
        abstract: "Time the console's frames and keypresses with N open calls, and report its memory.")

    @Option(help: "Open calls on the floor.")
    var calls: Int = 10_000

    @Option(help: "Frames to render per size.")
    var frames: Int = 500

    func run() throws {
        var state = ConsoleState(now: Date(timeIntervalSince1970: 1_795_400_000), timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        _ = state.apply(.signedIn(ConsoleOperator(accountId: 7, name: "王芳", role: .operator)))
        let loading = ContinuousClock.now
        _ = state.apply(.snapshot(Self.floor(calls, opened: state.now)))
        let loaded = ContinuousClock.now - loading
        _ = state.apply(.connection(.live))
        print("\(calls) open calls loaded in \(Self.ms(loaded)) ms")
        for (width, height) in [(80, 24), (160, 48)] {
            _ = state.apply(.resized(width: width, height: height))
            var diff = FrameDiff()
            var worst = Duration.zero
            var total = Duration.zero
            for n in 0..<frames {
                // Each frame follows what the driver does every second: time moves, ages tick.
                let started = ContinuousClock.now
                _ = state.apply(.tick(state.now.addingTimeInterval(1)))
                _ = diff.output(for: render(state, width: width, height: height, color: true))
                let took = ContinuousClock.now - started
                total += took
                worst = max(worst, took)
                if n % 50 == 0 { _ = state.apply(.key(.down)) }
            }
            print("frame \(width)×\(height): mean \(Self.ms(total / frames)) ms, worst \(Self.ms(worst)) ms over \(frames) frames")
        }
        var worstKey = Duration.zero
        for key in [ConsoleKey.down, .down, .up, .char("/"), .escape, .enter, .escape, .char("s"), .escape, .char("?"), .escape] {
            let started = ContinuousClock.now
            _ = state.apply(.key(key))
            _ = render(state, width: 160, height: 48, color: true)
            worstKey = max(worstKey, ContinuousClock.now - started)
        }
        print("keypress to rendered frame: worst \(Self.ms(worstKey)) ms")
        print("resident memory: \(Self.residentMegabytes()) MB")
    }

    /// A floor of open calls across Yulin's districts, with long names among them.
    static func floor(_ count: Int, opened now: Date) -> [CallSummary] {
        let names = ["黄秀英", "欧阳淑珍", "李明", "司马玉兰花", "陈", "王桂芳"]
        let districts = ["玉州区", "福绵区", "容县", "陆川县", "博白县", "兴业县", "北流市"]
        let codes: [AlarmCode] = [.sos, .fall, .smoke, .inactivity, .lowBattery, .doorOpenNight]
        return (0..<count).map { i in
            CallSummary(
                id: Int64(100_000 + i), elderId: Int64(i), elderName: names[i % names.count], age: 60 + i % 40,
                regionCode: "450902000000", district: districts[i % districts.count], deviceId: "SOS-\(i)",
                code: codes[i % codes.count], priority: Priority(rawValue: 1 + i % 4) ?? .p1, reason: "benchmark",
                status: i % 3 == 0 ? .claimed : .new, eventCount: 1, openedAt: now.addingTimeInterval(-Double(i % 7200)),
                lastEventAt: now, claimedBy: i % 3 == 0 ? Claimant(accountId: 8, name: "李明") : nil,
                escalated: i % 17 == 0, version: 1)
        }
    }

    static func ms(_ d: Duration) -> String {
        String(format: "%.3f", d.fractionalMilliseconds)
    }

    static func residentMegabytes() -> String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let kb =
            status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return String(format: "%.1f", Double(kb) / 1024)
    }
}
