import ArgumentParser

/// `device-sim scenario NAME`: one situation acted out step by step, with the outcome checked.
struct ScenarioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Act out one situation step by step and check what the platform did; exits 1 if an expectation fails.",
        subcommands: [
            SOSScenario.self, FallScenario.self, CancelScenario.self, SmokeScenario.self,
            FleetScenario.self, SilentScenario.self, StormScenario.self,
        ])

    @OptionGroup var server: ServerOptions
}

/// Narrates a scenario in numbered plain sentences and keeps score of its expectations.
final class ScenarioRun {
    let name: String
    private var step = 0
    private(set) var failures: [String] = []
    private var passes = 0

    init(_ name: String) { self.name = name }

    /// A numbered step: what happens next.
    func step(_ text: String) {
        step += 1
        Console.say("\(step). \(text)")
    }

    /// A detail of the current step.
    func note(_ text: String) { Console.say("   \(text)") }

    /// Checks an expectation and says how it went.
    @discardableResult
    func expect(_ ok: Bool, _ text: String) -> Bool {
        if ok {
            passes += 1
            Console.say("   OK: \(text)")
        } else {
            failures.append(text)
            Console.say("   FAILED: \(text)")
        }
        return ok
    }

    /// The verdict; exit status 1 when anything failed.
    func finish() throws {
        if failures.isEmpty {
            Console.say("Scenario \(name) passed (\(passes) expectation\(passes == 1 ? "" : "s") met).")
        } else {
            Console.say("Scenario \(name) FAILED: \(failures.count) of \(failures.count + passes) expectations not met:")
            for failure in failures { Console.say("  - \(failure)") }
            throw ExitCode(1)
        }
    }
}

/// What every scenario needs: the server, the devices' secrets, a narrator.
struct ScenarioContext {
    let settings: ServerSettings
    let directory: DeviceDirectory
    let run: ScenarioRun
    let api: APIClient

    /// Checks /health first, so a stopped server is one clear sentence rather than a cascade.
    init(_ options: ServerOptions, name: String) throws {
        settings = try options.settings()
        directory = try DeviceDirectory(settings: settings, source: options.secretSource)
        run = ScenarioRun(name)
        api = APIClient(settings)
        run.step("Checking that the server at \(settings.address.url) answers GET /health.")
        if let problem = api.healthProblem() {
            throw SimError(problem)
        }
        run.note("It does.")
        guard settings.token != nil else {
            throw SimError("Scenarios check the platform's side through the admin API: pass --token ec_… (or set ELDERCARE_TOKEN).")
        }
    }

    /// Where the secrets come from, for the narration.
    var secretOrigin: String {
        switch directory.source {
        case .seed(let seed): "its secret derived from demo seed \(seed)"
        case .file(let path): "its secret from \(path)"
        case .rotate: "a freshly rotated secret"
        }
    }
}
