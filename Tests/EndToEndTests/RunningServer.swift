import CareStore
import CurlHTTP
import Emergency
import Foundation

/// The real `eldercare` binary, started on a free loopback port over its own data folder.
final class RunningServer: @unchecked Sendable {
    let dataDirectory: String
    /// The running server; a new `Process` for every start (one can run only once).
    private(set) var process = Process()
    let logFile: String
    private(set) var baseURL = ""

    /// The `eldercare` executable built beside this test bundle (or `ELDERCARE_BINARY`).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["ELDERCARE_BINARY"] { return path }
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for folder in [here, here.deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent("eldercare").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/eldercare").path
    }

    /// The device simulator built beside `eldercare`.
    static var simulatorBinary: String {
        URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("device-sim").path
    }

    /// Runs another program (the simulator) to completion: its exit status and all its output.
    /// The wait happens on a thread of its own: end-to-end suites run side by side, and blocked
    /// waits on the two-thread cooperative pool starved every other test's tasks.
    func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await offPool { try self.runNow(executable, arguments) }
    }

    private func runNow(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    init() {
        dataDirectory = NSTemporaryDirectory() + "eldercare-e2e-" + UUID().uuidString
        logFile = dataDirectory + ".log"
    }

    /// A new API token for the account `name` with `role`, as `eldercare token create` prints it.
    func token(_ role: String, _ name: String) async throws -> String {
        try await command(["token", "create", "--role", role, "--name", name]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a subcommand to completion and returns its standard output.
    @discardableResult
    func command(_ arguments: [String]) async throws -> String {
        try await offPool { try self.commandNow(arguments) }
    }

    private func commandNow(_ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments + ["--data-dir", dataDirectory]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(
                "eldercare \(arguments.joined(separator: " ")) exited \(p.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Starts `eldercare serve --port 0` and waits until `/ready` answers 200.
    func start(environment extra: [String: String] = [:]) async throws {
        if !FileManager.default.fileExists(atPath: logFile) { _ = FileManager.default.createFile(atPath: logFile, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        log.seekToEndOfFile()
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--port", "0", "--data-dir", dataDirectory]
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        process.standardError = log
        process.standardOutput = log
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else { throw Failure("the server exited before it was ready; log:\n\(self.log)") }
            if let port = listeningPort() {
                baseURL = "http://127.0.0.1:\(port)"
                if (try? await request("GET", "/ready").status) == 200 { return }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure("the server did not become ready; log:\n\(self.log)")
    }

    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    private func listeningPort() -> Int? {
        guard let range = log.range(of: "http://127.0.0.1:", options: .backwards) else { return nil }
        let digits = log[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// Kills the server at once (SIGKILL): no shutdown, no flush, as a power cut would.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends SIGTERM and returns the exit status once the server has stopped.
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func remove() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: dataDirectory)
        try? FileManager.default.removeItem(atPath: logFile)
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One libcurl client for every test: Linux URLSession deadlocks when several requests run
    /// at once, as they do when end-to-end suites run side by side.
    static let client: CurlClient = try! CurlClient(configuration: .init(usesEnvironmentProxy: false))

    func request(
        _ method: String, _ path: String, token: String? = nil, json: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> Reply {
        var fields = HTTPHeaders()
        if let token { fields.set(name: "Authorization", value: "Bearer \(token)") }
        if json != nil { fields.set(name: "Content-Type", value: "application/json") }
        for (k, v) in headers { fields.set(name: k, value: v) }
        let response = try await Self.client.send(
            HTTPRequest(
                method: HTTPMethod(rawValue: method), url: baseURL + path,
                headers: fields, body: json.map { Data($0.utf8) },
                timeout: .seconds(60)))
        var h: [String: String] = [:]
        for field in response.headers { h[field.name.lowercased()] = field.value }
        return Reply(status: response.status, headers: h, body: response.body)
    }

    /// A signed alarm from a device of a seeded city, as the device simulator sends it.
    func sendAlarm(
        _ code: String = "sos", device: String, seed: UInt64, ref: String, extra: String = ""
    ) async throws -> Reply {
        let at = ISO8601DateFormatter().string(from: Date())
        let body = #"{"ref":"\#(ref)","kind":"alarm","code":"\#(code)","occurredAt":"\#(at)"\#(extra)}"#
        let path = "/v1/devices/\(device)/events"
        let ts = String(Int(Date().timeIntervalSince1970))
        let signature = EventSignature.sign(
            method: "POST", path: path, timestamp: ts, body: Data(body.utf8),
            secret: RegistryStore.demoDeviceSecret(seed: seed, deviceId: device))
        return try await request("POST", path, json: body, headers: ["X-Eldercare-Timestamp": ts, "X-Eldercare-Signature": signature])
    }
}

/// Runs `body` with a client of its own, for a test that holds streams open, and shuts the client
/// down once `body` has returned or thrown (rethrowing its error). The shutdown is awaited: left to
/// a detached task, it would overlap the next test and nobody would hear of its failures.
func withClient<T>(_ body: (CurlClient) async throws -> T) async throws -> T {
    let client = try CurlClient(configuration: .init(usesEnvironmentProxy: false))
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs blocking work (a child process to its end) on a new thread, awaiting its result.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
