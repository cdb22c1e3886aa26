import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why the terminal could not be taken over.
public enum TerminalError: Error, CustomStringConvertible {
    case notATerminal
    case unusable(String)

    public var description: String {
        switch self {
        case .notATerminal:
            "The console needs an interactive terminal; standard input and output must not be redirected."
        case .unusable(let detail):
            "The terminal could not be set up: \(detail)."
        }
    }
}

/// The controlling terminal, taken over for the console: raw mode (every key arrives at once,
/// nothing is echoed), the alternate screen (the shell's screen comes back untouched), no
/// cursor, no line wrap. ``restore()`` undoes all of it; so does a crash, through a signal
/// handler that puts back the saved settings before the process dies.
final class Terminal: @unchecked Sendable {  // Written to by the run loop only; the crash handler uses its own copy.
    let input: Int32 = STDIN_FILENO
    let output: Int32 = STDOUT_FILENO
    private var original = termios()
    private var restored = false

    static let enter = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7l\u{1B}[0m\u{1B}[2J"
    static let leave = "\u{1B}[0m\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l"

    init() throws(TerminalError) {
        guard isatty(input) == 1, isatty(output) == 1 else { throw .notATerminal }
        guard tcgetattr(input, &original) == 0 else { throw .unusable(String(cString: strerror(errno))) }
        var raw = original
        cfmakeraw(&raw)
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else { throw .unusable(String(cString: strerror(errno))) }
        CrashRestore.install(original, output: output)
        write(Self.enter)
    }

    /// Puts the terminal back as it was. Safe to call more than once.
    func restore() {
        guard !restored else { return }
        restored = true
        write(Self.leave)
        _ = tcsetattr(input, TCSAFLUSH, &original)
        CrashRestore.uninstall()
    }

    /// Columns and rows, from the kernel (TIOCGWINSZ); 80×24 if it does not say.
    func size() -> (width: Int, height: Int) {
        var size = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
            return (Int(size.ws_col), Int(size.ws_row))
        }
        return (80, 24)
    }

    /// Writes everything, retrying short writes and interruptions.
    func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(output, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return  // the terminal is gone; nothing more to show anyone
            }
            offset += written
        }
    }
}

/// Restores the terminal when the process dies of a signal (a trap, an abort, a segfault), so
/// an operator is never left with a raw, invisible-cursor shell. Uses only async-signal-safe
/// calls (`write`, `tcsetattr`, `signal`, `raise`) on state prepared before it is installed.
private enum CrashRestore {
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var output: Int32 = STDOUT_FILENO
    nonisolated(unsafe) static var bytes: UnsafeMutableBufferPointer<UInt8>?
    static let fatal: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]

    static func install(_ settings: termios, output fd: Int32) {
        saved = settings
        output = fd
        let leave = Array(Terminal.leave.utf8)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: leave.count)
        _ = buffer.initialize(from: leave)
        bytes = buffer
        for sig in fatal {
            signal(sig) { sig in
                if let bytes = CrashRestore.bytes { _ = Glibc.write(CrashRestore.output, bytes.baseAddress, bytes.count) }
                _ = tcsetattr(STDIN_FILENO, TCSANOW, &CrashRestore.saved)
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
    }

    static func uninstall() {
        for sig in fatal { signal(sig, SIG_DFL) }
    }
}
