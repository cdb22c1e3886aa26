import Foundation

/// The demo's simulated devices: the device simulator's scenarios (an SOS, a fall, smoke in the
/// kitchen, a press cancelled at once), run one after another in the background so a newcomer
/// watching the queue, the live feed or the console sees calls arrive.
struct DemoTraffic: Sendable {
    let baseURL: String
    let adminToken: String
    /// Seconds between scenarios.
    let every: Int
    /// Where the simulator's own output goes, so the demo's terminal stays readable.
    let logPath: String

    static let scenarios = ["sos", "fall", "smoke", "cancel"]

    /// The `device-sim` built beside this binary, if there is one.
    static var simulator: String? {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let path = here.appendingPathComponent("device-sim").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Runs scenarios until the task is cancelled.
    func run() async {
        guard let simulator = Self.simulator else {
            print("demo: no device-sim beside this binary (build it with `swift build --product device-sim`), so no simulated alarms.")
            fflush(nil)
            return
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        var round = 0
        try? await Task.sleep(for: .seconds(3))
        while !Task.isCancelled {
            let scenario = Self.scenarios[round % Self.scenarios.count]
            round += 1
            let status = await runScenario(simulator, scenario)
            print("demo: simulated devices ran the \(scenario) scenario (\(status == 0 ? "passed" : "exit \(status), see \(logPath)"))")
            fflush(nil)
            try? await Task.sleep(for: .seconds(every))
        }
    }

    private func runScenario(_ simulator: String, _ scenario: String) async -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: simulator)
        process.arguments = ["--server", baseURL, "--seed", "1", "scenario", scenario]
        process.environment = ProcessInfo.processInfo.environment.merging(["ELDERCARE_TOKEN": adminToken]) { $1 }
        guard let log = FileHandle(forWritingAtPath: logPath) else { return -1 }
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        do { try process.run() } catch { return -1 }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                done.resume()
            }
        }
        try? log.close()
        return process.terminationStatus
    }
}
