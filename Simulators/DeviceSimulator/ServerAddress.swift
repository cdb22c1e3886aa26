import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's socket address, resolved once at start: resolving per connection (or per
/// reconnect) would put name lookups into the latencies.
struct ServerAddress: Sendable {
    /// The base URL as the user gave it, for messages.
    let url: String
    /// `Host:` header value.
    let hostHeader: String
    let family: Int32
    /// The resolved `sockaddr_in` / `sockaddr_in6`, as bytes so the value stays Sendable.
    let socketAddress: [UInt8]

    init(url text: String) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw SimError("--server \(text) is not a URL such as http://127.0.0.1:8080.")
        }
        guard scheme == "http" else {
            throw SimError(
                "The simulator speaks plain HTTP only (\(text) is \(scheme)); run it next to the server and use http://127.0.0.1:PORT.")
        }
        guard url.path.isEmpty || url.path == "/", url.query == nil else {
            throw SimError("--server takes only a scheme, host and port (not \(text)); the simulator adds the /v1/… paths itself.")
        }
        let port = url.port ?? 80
        self.url = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        hostHeader = (host.contains(":") ? "[\(host)]" : host) + (port == 80 ? "" : ":\(port)")

        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Socket.streamType
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw SimError("Cannot resolve the server's host name \(host): \(String(cString: gai_strerror(rc))).")
        }
        defer { freeaddrinfo(list) }
        // Prefer IPv4: "localhost" often resolves to ::1 first while servers listen on 127.0.0.1.
        var chosen = first.pointee
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if entry.pointee.ai_family == AF_INET { chosen = entry.pointee; break }
            cursor = entry.pointee.ai_next
        }
        family = chosen.ai_family
        socketAddress = Array(UnsafeRawBufferPointer(start: chosen.ai_addr, count: Int(chosen.ai_addrlen)))
    }
}

/// Platform differences of the socket API, in one place.
enum Socket {
    #if canImport(Glibc)
    static let streamType = Int32(SOCK_STREAM.rawValue)
    static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    static let streamType = SOCK_STREAM
    static let sendFlags: Int32 = 0
    #endif

    /// A peer that closes while we write must show up as an error, not kill the process.
    static func ignoreSigpipe() { _ = signal(SIGPIPE, SIG_IGN) }

    /// The text of an errno value.
    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
