import CareModel
import CareStore
import Foundation
import HealthArchive

/// The demo's health agencies: an agency account of the first community health centre, with
/// some consenting elders enrolled so that it has a scope worth syncing (printed for the
/// Docs/sync-protocol.md examples), and two simulated agencies (`agency-sim`) keeping their own
/// copies in step in the background.
struct DemoAgencies: Sendable {
    let baseURL: String
    let adminToken: String
    let dataDirectory: String

    /// An agency token for the curl examples; nil when the city has no health centre.
    static func prepare(_ database: CareDatabase) async throws -> String? {
        guard
            let centre = try await database.registry.institutions(
                InstitutionFilter(kind: .communityHealthCentre), page: PageRequest(limit: 1)
            ).items.first
        else { return nil }
        let archive = ArchiveStore(database)
        let elders = try await database.registry.elders(ElderFilter(), page: PageRequest(limit: 200)).items
        for elder in elders.filter(\.consent.shareHealthArchive).prefix(40) {
            try await archive.enrol(elderId: elder.id, institutionId: centre.id, by: .commandLine)
        }
        let account = try await database.createAccount(
            NewAccount(name: "demo-agency-\(Int(Date().timeIntervalSince1970))", role: .agency, institutionId: centre.id), by: .commandLine)
        return try await database.issueToken(accountId: account.id, by: .commandLine).token
    }

    /// Runs two simulated agencies for as long as the demo runs.
    func run() async {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let simulator = here.appendingPathComponent("agency-sim").path
        guard FileManager.default.isExecutableFile(atPath: simulator) else {
            print("demo: no agency-sim beside this binary (build it with `swift build --product agency-sim`), so no simulated agencies.")
            fflush(nil)
            return
        }
        let logPath = (dataDirectory as NSString).appendingPathComponent("demo-agencies.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: simulator)
        process.arguments = [
            "--server", baseURL, "--token", adminToken, "run", "--agencies", "2", "--duration", "86400", "--conflict-rate", "0.02",
            "--data", (dataDirectory as NSString).appendingPathComponent("demo-agencies"),
            "--watch-pid", String(ProcessInfo.processInfo.processIdentifier),
        ]
        process.standardOutput = log
        process.standardError = log
        do { try process.run() } catch { return }
        print("demo: two simulated agencies keep their copies in step in the background (\(logPath))")
        fflush(nil)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async {
                    process.waitUntilExit()
                    done.resume()
                }
            }
        } onCancel: {
            process.terminate()
        }
    }
}
