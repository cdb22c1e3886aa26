import Foundation

/// The terminal operator console: a pure core (``ConsoleState``, ``ConsoleKey``,
/// ``reduce(_:_:)``, ``render(_:width:height:color:)``) and a thin driver (termios, ANSI output,
/// signals, the live feed and the API client). Docs/operator-guide.md teaches it.
public enum OperatorConsole {
    /// Runs the console in this terminal until the operator quits (or SIGTERM, or the terminal
    /// closes), then puts the terminal back as it was.
    ///
    /// ```swift
    /// try await OperatorConsole.run(server: "http://127.0.0.1:8080", token: token,
    ///                               environment: ProcessInfo.processInfo.environment)
    /// ```
    ///
    /// The server and token are checked first (`GET /v1/me`), before the terminal is taken
    /// over, so a wrong address or a refused token is one plain sentence in the shell.
    ///
    /// - Throws: ``ConsoleAPIError`` or ``TerminalError``; their descriptions are sentences.
    public static func run(server: String, token: String, environment: [String: String]) async throws {
        let api = try ConsoleAPI(server: server, token: token)
        let me: ConsoleOperator
        let terminal: Terminal
        do {
            me = try await api.me()
            terminal = try Terminal()
        } catch {
            await api.shutdown()
            throw error
        }
        let loop = ConsoleRunLoop(api: api, terminal: terminal, color: usesColor(environment), timeZone: .current)
        await loop.run(me: me)
        terminal.restore()
        await api.shutdown()
    }

    /// Colour unless `NO_COLOR` is set to anything (https://no-color.org) or the terminal is dumb.
    public static func usesColor(_ environment: [String: String]) -> Bool {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }
}
