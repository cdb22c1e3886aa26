import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Turns signals into calls on a queue (Dispatch signal sources), so they can be handled like
/// any other event: SIGWINCH redraws at the new size; SIGINT, SIGTERM and SIGHUP end the console
/// the normal way, restoring the terminal.
final class SignalWatch: @unchecked Sendable {  // The sources are only touched in init and cancel.
    private let sources: [any DispatchSourceSignal]
    private let signals: [Int32]

    init(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        let queue = DispatchQueue(label: "console-signals")
        sources = signals.map { sig in
            // The default action (terminate) must not run: the source reports the signal instead.
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { handler(sig) }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        for sig in signals { signal(sig, SIG_DFL) }
    }
}
