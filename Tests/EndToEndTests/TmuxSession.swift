import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A program running in a real terminal: a detached tmux session of a fixed size, on a tmux
/// server of its own (its own socket and an empty configuration), so a test never touches
/// anyone's tmux and a personal `~/.tmux.conf` changes nothing.
///
/// ```swift
/// let tty = try TmuxSession(name: "console", width: 120, height: 40, command: "eldercare console …")
/// defer { tty.kill() }
/// try tty.press("c")                    // a key, by tmux's key names ("Enter", "Escape", "C-c")
/// try tty.type("已扶起 no injury")      // literal text
/// let screen = try await tty.waitFor("the claim message") { $0.contains("You hold call") }
/// ```
///
/// The pane stays when its program ends (`remain-on-exit`), so a test can still read the last
/// screen and ask whether the program left the alternate screen.
final class TmuxSession: @unchecked Sendable {  // Immutable after init; tmux itself serialises commands.
    /// `tmux` from `PATH`, or nil when it is not installed.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(folder)/tmux"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    let name: String
    private let socket: String
    private let configFile: String
    private let tmux: String

    /// Starts `command` (run by the shell) in a new `width`×`height` terminal.
    init(name: String, width: Int, height: Int, command: String) throws {
        guard let tmux = Self.executable else { throw Failure("tmux is not installed (apt-get install tmux)") }
        self.tmux = tmux
        self.name = name
        socket = "eldercare-e2e-\(UUID().uuidString.prefix(12))"
        configFile = NSTemporaryDirectory() + socket + ".conf"
        try "set -g remain-on-exit on\nset -g history-limit 1000\nset -g default-terminal screen\n"
            .write(toFile: configFile, atomically: true, encoding: .utf8)
        try run(["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), command])
    }

    /// Presses keys, by tmux's names: `c`, `Enter`, `Escape`, `Up`, `C-c`.
    func press(_ keys: String...) throws {
        try run(["send-keys", "-t", name] + keys)
    }

    /// Types text as it is, UTF-8 included.
    func type(_ text: String) throws {
        try run(["send-keys", "-t", name, "-l", text])
    }

    /// What the terminal shows now, as text (no colours), one line per row; with `history`, the
    /// lines scrolled off the top first (when a pane dies, tmux scrolls its screen up a line to
    /// write "Pane is dead" at the bottom).
    func screen(history: Bool = false) throws -> String {
        try run(["capture-pane", "-p", "-t", name] + (history ? ["-S", "-"] : []))
    }

    /// A tmux format about the pane, e.g. `#{pane_dead}`, `#{alternate_on}`.
    func format(_ format: String) throws -> String {
        try run(["display-message", "-p", "-t", name, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the program in the pane has ended.
    var programEnded: Bool { (try? format("#{pane_dead}")) == "1" }

    /// Whether the terminal is showing the alternate screen (a full-screen program's).
    var onAlternateScreen: Bool { (try? format("#{alternate_on}")) == "1" }

    /// Polls the screen every `every` until `condition` holds, and returns that screen and how long
    /// it took from `start`. Throws after `timeout` with the last screen in the message.
    @discardableResult
    func waitFor(
        _ what: String, timeout: Duration = .seconds(60), every: Duration = .milliseconds(50),
        since start: ContinuousClock.Instant = .now,
        _ condition: (String) -> Bool
    ) async throws -> (screen: String, elapsed: Duration) {
        let deadline = start + timeout
        var last = ""
        while true {
            last = try screen()
            if condition(last) { return (last, ContinuousClock.now - start) }
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: every)
        }
        throw Failure("\(name): \(what) did not show within \(timeout); the screen:\n\(Self.framed(last))")
    }

    /// Waits until the program in the pane has ended.
    func waitForEnd(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !programEnded {
            if ContinuousClock.now >= deadline {
                throw Failure("\(name): the program did not end within \(timeout); the screen:\n\(Self.framed((try? screen()) ?? ""))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Ends the session's tmux server (and so the program in it, if it still runs). Safe to call twice.
    func kill() {
        // The server leaves its socket behind; ask where it is first.
        let asked = (try? run(["display-message", "-p", "-t", name, "#{socket_path}"]))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let folder = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let socketPath = asked.flatMap { $0.isEmpty ? nil : $0 } ?? "\(folder)/tmux-\(getuid())/\(socket)"
        _ = try? run(["kill-server"])
        unlink(socketPath)
        try? FileManager.default.removeItem(atPath: configFile)
    }

    /// A screen with a frame around it, for failure messages.
    static func framed(_ screen: String) -> String {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        return (["+" + String(repeating: "-", count: 40)] + lines.map { "|" + $0 } + ["+" + String(repeating: "-", count: 40)])
            .joined(separator: "\n")
    }

    /// `text` as one word for `sh`.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// Runs one tmux command and returns what it printed.
    ///
    /// Not through `Foundation.Process`: the first command forks the tmux server, which lives on
    /// and keeps whatever it inherited. A `Process` child inherits the spawning thread's signal
    /// mask (a Dispatch worker blocks SIGTERM, SIGHUP, SIGCHLD…, so `kill-server` would do
    /// nothing) and the descriptors `Process` uses to notice that a child ended (so
    /// `waitUntilExit` would wait for the tmux server). Here the child gets an empty signal mask,
    /// default signal actions, and no descriptor beyond standard input, output and error.
    @discardableResult
    private func run(_ arguments: [String]) throws -> String {
        let stem = NSTemporaryDirectory() + "\(socket)-\(UUID().uuidString.prefix(8))"
        let (outFile, errFile) = (stem + ".out", stem + ".err")
        defer { unlink(outFile); unlink(errFile) }
        let argv = [tmux, "-u", "-L", socket, "-f", configFile] + arguments
        // UTF-8 whatever the test runner's locale, so Chinese names are read and typed as they are.
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment["LC_ALL"] = "C.UTF-8"
        environment.removeValue(forKey: "TMUX")
        let envp = environment.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard let closeFrom = Self.addCloseFrom, closeFrom(&actions, 3) == 0 else {
            throw Failure("posix_spawn_file_actions_addclosefrom_np is not available (glibc 2.34 or later is needed)")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid = pid_t()
        let spawned = Self.withCStrings(argv) { cArgv in
            Self.withCStrings(envp) { cEnv in posix_spawn(&pid, tmux, &actions, &attributes, cArgv, cEnv) }
        }
        guard spawned == 0 else { throw Failure("cannot start \(tmux): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure("waitpid for tmux failed: \(String(cString: strerror(errno)))") }
        }
        let output = (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? ""
        // Exited (low 7 bits 0) with status 0 (the next 8 bits).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let errors = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
            throw Failure("tmux \(arguments.joined(separator: " ")) failed (wait status \(status)): \(errors)")
        }
        return output
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does not show.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// `strings` as a NULL-terminated C array, for the length of `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}
