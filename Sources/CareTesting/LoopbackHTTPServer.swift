import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests that need a real peer on a real socket: an
/// HTTP client's tests, a stand-in for a webhook or an SMS gateway, a stub of the API.
///
/// It listens on a port the kernel picks, reads each request whole (head and `Content-Length`
/// body, several per connection with keep-alive), answers it with the handler given at start,
/// and records what it saw. Plain POSIX sockets and one thread per connection: there is nothing
/// to await, and a slow, hanging or streaming answer holds up only its own connection.
///
/// ```swift
/// let receiver = try LoopbackHTTPServer { request in
///     request.path == "/sms" ? .status(502) : .after(milliseconds: 20, .status(200))
/// }
/// defer { receiver.stop() }
/// // … point the code under test at receiver.url("/sms"), then:
/// #expect(receiver.requests(to: "/sms").first?.headers["Idempotency-Key"] == "call:1:opened")
/// ```
///
/// A ``Reply`` scripts the usual answers. For anything else (an event stream held back until the
/// test lets it go, say), start the server with a ``Handler`` that writes through the
/// ``ResponseWriter`` itself.
public final class LoopbackHTTPServer: Sendable {
    /// Answers one request. It runs on the connection's own thread, so it may block (sleep, wait
    /// for the client to leave, wait for the test); the next request on that connection waits.
    public typealias Handler = @Sendable (Request, ResponseWriter) -> Void

    /// Picks the scripted ``Reply`` to each request.
    public typealias Script = @Sendable (Request) -> Reply

    /// The port the server listens on, on 127.0.0.1.
    public let port: Int
    private let listener: Int32
    /// Fixed at start: a closure kept in a `Mutex` and called from hundreds of threads at once
    /// made the test process grow by tens of kilobytes per request (seen with Swift 6.3 on Linux),
    /// which spoils a benchmark that sends a receiver 100,000 requests.
    private let handler: Handler
    private let recordsRequests: Bool
    private let recorded = Mutex<[Request]>([])
    private let counters = Mutex(Counters())
    /// Open connections; a descriptor leaves the set and is closed under its lock, so ``stop()``
    /// never shuts down a number the kernel has given to another socket.
    private let connections = Mutex<Set<Int32>>([])
    private let listenerClosed = Mutex(false)
    private let stopped = Atomic<Bool>(false)

    private struct Counters {
        var requests = 0
        var acceptedConnections = 0
        var inFlight = 0
        var mostInFlight = 0
        var closedByClient = 0
    }

    /// Starts a server that answers every request with `handler`.
    ///
    /// - Parameter recordsRequests: whether to keep every request for ``requests``; a load test
    ///   that sends thousands turns it off and reads ``requestCount``.
    public init(recordsRequests: Bool = true, handler: @escaping Handler) throws {
        (listener, port) = try LoopbackSocket.listen()
        self.handler = handler
        self.recordsRequests = recordsRequests
        Thread { [self] in acceptLoop() }.start()
    }

    /// Starts a server that answers each request with the ``Reply`` that `script` picks for it
    /// (by default an empty 200).
    public convenience init(recordsRequests: Bool = true, _ script: @escaping Script = { _ in .status(200) }) throws {
        try self.init(recordsRequests: recordsRequests, handler: { request, response in response.send(script(request)) })
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The URL of `path` on this server; `path` starts with `/`.
    public func url(_ path: String) -> String { baseURL + path }

    /// Every request received so far, in the order they were read (empty if the server does not
    /// record them).
    public var requests: [Request] { recorded.withLock { $0 } }

    /// The requests whose path starts with `pathPrefix`.
    public func requests(to pathPrefix: String) -> [Request] { requests.filter { $0.path.hasPrefix(pathPrefix) } }

    /// How many requests have been read, recorded or not.
    public var requestCount: Int { counters.withLock { $0.requests } }

    /// How many connections have been accepted: with keep-alive, fewer than ``requestCount``.
    public var acceptedConnections: Int { counters.withLock { $0.acceptedConnections } }

    /// How many requests are being answered right now.
    public var inFlight: Int { counters.withLock { $0.inFlight } }

    /// The most requests that were being answered at the same moment: the proof that a client
    /// overlaps its requests (or keeps to a limit).
    public var mostInFlight: Int { counters.withLock { $0.mostInFlight } }

    /// How many answers the client walked away from: it closed the connection while a handler was
    /// waiting for it or streaming to it (seen by ``ResponseWriter/waitForClientToLeave(milliseconds:)``
    /// or by a write that fails). Counted once per request, and not when the server itself stopped.
    public var closedByClient: Int { counters.withLock { $0.closedByClient } }

    /// Whether ``stop()`` has been called; a long-running handler checks it to end early.
    public var isStopped: Bool { stopped.load(ordering: .acquiring) }

    /// Stops listening and shuts down every open connection, so blocked handlers notice and
    /// return. Safe to call more than once.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // Under the locks that guard closing them: a descriptor closed meanwhile may already
        // belong to another socket in this process (another test's), which must not be shut down.
        listenerClosed.withLock { closed in if !closed { shutdown(listener, Int32(SHUT_RDWR)) } }
        connections.withLock { open in for fd in open { shutdown(fd, Int32(SHUT_RDWR)) } }
    }

    /// A port on 127.0.0.1 that refuses connections, for testing what a client does when nothing
    /// listens: bound once and closed again, never listened on.
    public static func refusingPort() throws -> Int { try LoopbackSocket.unusedPort() }

    // MARK: Connections

    private func acceptLoop() {
        defer {
            listenerClosed.withLock { closed in
                close(listener); closed = true
            }
        }
        while !isStopped {
            guard let fd = LoopbackSocket.accept(listener) else { return }
            counters.withLock { $0.acceptedConnections += 1 }
            connections.withLock { _ = $0.insert(fd) }
            Thread { [self] in
                serve(Connection(fd: fd))
                connections.withLock { open in
                    open.remove(fd)
                    close(fd)
                }
            }.start()
        }
    }

    /// Answers requests on one connection until either side closes it.
    private func serve(_ connection: Connection) {
        while !isStopped {
            switch connection.readRequest() {
            case .closed:
                return
            case .malformed:
                // Not HTTP (a TLS ClientHello, say): say so in plain text, as a real server would,
                // so the client fails at once instead of waiting for an answer that never comes.
                connection.write(Data("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                return
            case .request(let request):
                counters.withLock {
                    $0.requests += 1
                    $0.inFlight += 1
                    $0.mostInFlight = max($0.mostInFlight, $0.inFlight)
                }
                if recordsRequests { recorded.withLock { $0.append(request) } }
                let response = ResponseWriter(request: request, connection: connection, server: self)
                handler(request, response)
                counters.withLock { $0.inFlight -= 1 }
                guard response.keepsConnection else { return }
            }
        }
    }

    /// Called by a ``ResponseWriter`` the first time it sees its client gone.
    func noteClosedByClient() {
        guard !isStopped else { return }
        counters.withLock { $0.closedByClient += 1 }
    }
}
