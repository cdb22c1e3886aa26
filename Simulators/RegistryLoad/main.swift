// registry-load: an open-loop load generator for registry reads.
//
// Sends GET /v1/elders/{random id} (or any --path, `{id}` standing for the random id) at a constant rate over keep-alive connections and reports
// latency percentiles. Latency is measured from the moment each request was *scheduled*, not
// sent, so a stalled server cannot hide its queueing (no coordinated omission).
//
//   registry-load --url http://127.0.0.1:8080 --token ec_… --rate 1000 --seconds 30 --max-id 1000000
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var host = "127.0.0.1"
    var port: UInt16 = 8080
    var token = ""
    var rate = 1000.0
    var seconds = 30.0
    var maxId = 1000
    var connections = 4
    var path = "/v1/elders/"

    init(_ args: [String]) throws {
        var i = 1
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw LoadError("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--url":
                let url = try value()
                guard let u = URL(string: url), let h = u.host else { throw LoadError("--url \(url) is not a URL") }
                host = h
                port = UInt16(u.port ?? 80)
            case "--token": token = try value()
            case "--rate": rate = Double(try value()) ?? rate
            case "--seconds": seconds = Double(try value()) ?? seconds
            case "--max-id": maxId = Int(try value()) ?? maxId
            case "--connections": connections = Int(try value()) ?? connections
            case "--path": path = try value()
            case "--help", "-h":
                print(
                    "usage: registry-load --url URL --token TOKEN [--rate N/s] [--seconds S] [--max-id N] [--connections N] [--path /v1/elders/ or /fhir/R4/Patient/{id}/$everything]"
                )
                exit(0)
            default: throw LoadError("unknown option \(args[i])")
            }
            i += 1
        }
        guard !token.isEmpty else { throw LoadError("--token is required") }
    }
}

struct LoadError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// One blocking keep-alive HTTP/1.1 connection.
final class Connection {
    let fd: Int32
    var buffer = [UInt8](repeating: 0, count: 65536)
    var pending: [UInt8] = []

    init(host: String, port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &addr.sin_addr)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { throw LoadError("cannot connect to \(host):\(port)") }
    }

    /// Sends one request and reads the whole response; returns the status code.
    func roundTrip(_ request: [UInt8]) throws -> Int {
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw LoadError("send failed") }
            sent += n
        }
        while true {
            if let (status, length) = parse(), pending.count >= length {
                pending.removeFirst(length)
                return status
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw LoadError("connection closed") }
            pending += buffer[0..<n]
        }
    }

    /// Status and total length of the response at the front of `pending`, once its head is in.
    private func parse() -> (Int, Int)? {
        guard let end = pending.firstRange(of: [13, 10, 13, 10]) else { return nil }
        let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return (status, end.upperBound + length)
    }
}

func nowNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

let options: Options
do { options = try Options(CommandLine.arguments) } catch {
    FileHandle.standardError.write(Data("registry-load: \(error)\n".utf8))
    exit(2)
}

/// The schedule and the results, shared by the worker threads under one lock.
final class Run: @unchecked Sendable {
    let lock = NSLock()
    let total: Int
    var next = 0
    var latencies: [Double] = []
    var statuses: [Int: Int] = [:]

    init(total: Int) {
        self.total = total
        latencies.reserveCapacity(total)
    }

    /// The next slot of the global schedule, or nil when all are taken.
    func takeSlot() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < total else { return nil }
        next += 1
        return next - 1
    }

    func record(latency: Double, status: Int) {
        lock.lock(); defer { lock.unlock() }
        latencies.append(latency)
        statuses[status, default: 0] += 1
    }
}

let run = Run(total: Int(options.rate * options.seconds))
let interval = 1e9 / options.rate
let start = nowNanos() + 200_000_000
let group = DispatchGroup()

for _ in 0..<options.connections {
    group.enter()
    Thread.detachNewThread {
        defer { group.leave() }
        guard let conn = try? Connection(host: options.host, port: options.port) else {
            FileHandle.standardError.write(Data("registry-load: cannot connect\n".utf8)); exit(1)
        }
        var rng = SystemRandomNumberGenerator()
        while let slot = run.takeSlot() {
            let scheduled = start + UInt64(Double(slot) * interval)
            let now = nowNanos()
            // Sleep until just before the slot, then spin: timer slack would otherwise be counted as latency.
            if scheduled > now + 60_000 { usleep(useconds_t((scheduled - now - 60_000) / 1000)) }
            while nowNanos() < scheduled {}
            let id = Int.random(in: 1...options.maxId, using: &rng)
            // `{id}` in the path is replaced; otherwise the id is appended.
            let target =
                options.path.contains("{id}") ? options.path.replacingOccurrences(of: "{id}", with: String(id)) : options.path + String(id)
            let request = Array(
                "GET \(target) HTTP/1.1\r\nHost: \(options.host)\r\nAuthorization: Bearer \(options.token)\r\n\r\n".utf8)
            let status = (try? conn.roundTrip(request)) ?? -1
            run.record(latency: Double(nowNanos() - scheduled) / 1e6, status: status)
        }
    }
}
group.wait()
let elapsed = Double(nowNanos() - start) / 1e9
let latencies = run.latencies.sorted()
func pct(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
print(
    String(
        format: "requests=%d achieved=%.0f/s target=%.0f/s connections=%d", latencies.count,
        Double(latencies.count) / elapsed, options.rate, options.connections))
print(
    String(
        format: "latency ms: p50=%.3f p90=%.3f p99=%.3f p99.9=%.3f max=%.3f", pct(0.5), pct(0.9), pct(0.99), pct(0.999), latencies.last ?? 0
    ))
print("statuses: " + run.statuses.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
