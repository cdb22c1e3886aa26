import CareStore
import Emergency
import Foundation
import Synchronization
import Testing

/// Nothing acknowledged is ever lost: signed events stream in, the server is killed with
/// SIGKILL mid-stream, and after a restart every event that got a 2xx is in the database with
/// the call it opened or joined, and every vital sign it carried is in the elder's archive.
@Suite("Alarm intake survives a crash", .serialized)
struct AlarmCrashSafetyTests {
    struct Ack: Sendable { var device: String; var ref: String; var callId: Int?; var hasVitals: Bool }

    /// The events the server acknowledged, shared by the sending lanes.
    final class AckLog: Sendable {
        private let list = Mutex<[Ack]>([])
        func append(_ ack: Ack) { list.withLock { $0.append(ack) } }
        var all: [Ack] { list.withLock { $0 } }
        var count: Int { list.withLock { $0.count } }
    }

    @Test func everyAcknowledgedEventIsStoredAfterSIGKILL() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "400", "--seed", "3", "--quiet"])
        let admin = try await server.token("admin", "crash-admin")
        try await server.start()
        let devices = try await server.request("GET", "/v1/devices?limit=200", token: admin).object["items"] as? [[String: Any]] ?? []
        let ids = devices.compactMap { $0["id"] as? String }
        #expect(ids.count == 200)

        let acks = AckLog()
        let port = UInt16(server.baseURL.split(separator: ":").last!)!
        let stop = Mutex(false)
        let lanes = (0..<6).map { lane in
            let thread = Thread {
                let connection = SocketSender(port: port)
                var n = 0
                while !stop.withLock({ $0 }) {
                    let device = ids[(lane * 33 + n) % ids.count]
                    let ref = "crash-\(lane)-\(n)"
                    n += 1
                    // One event in five carries a heart rate, as a watch's would.
                    let hasVitals = n % 5 == 0
                    let vitals = hasVitals ? #","vitals":{"heartRate":\#(60 + n % 90)}"# : ""
                    let body =
                        #"{"ref":"\#(ref)","kind":"alarm","code":"\#(n % 3 == 0 ? "fall" : "sos")","occurredAt":"\#(ISO8601DateFormatter().string(from: Date()))"\#(vitals)}"#
                    let path = "/v1/devices/\(device)/events"
                    let ts = String(Int(Date().timeIntervalSince1970))
                    let sig = EventSignature.sign(
                        method: "POST", path: path, timestamp: ts, body: Data(body.utf8),
                        secret: RegistryStore.demoDeviceSecret(seed: 3, deviceId: device))
                    let request = Array(
                        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Eldercare-Timestamp: \(ts)\r\nX-Eldercare-Signature: \(sig)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                            .utf8)
                    guard let (status, reply) = connection.send(request) else { usleep(10_000); continue }
                    if status == 202 {
                        let callId = (try? JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any])?["callId"] as? Int
                        acks.append(Ack(device: device, ref: ref, callId: callId, hasVitals: hasVitals))
                    }
                }
            }
            thread.start()
            return thread
        }
        // Let a few hundred events through, then pull the plug.
        let deadline = Date().addingTimeInterval(20)
        while acks.count < 300 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        server.kill()
        stop.withLock { $0 = true }
        while lanes.contains(where: { $0.isExecuting }) { try await Task.sleep(for: .milliseconds(20)) }
        let acknowledged = acks.all
        #expect(acknowledged.count >= 300)

        try await server.start()
        var stored: [String: Set<String>] = [:]
        for device in Set(acknowledged.map(\.device)) {
            var cursor = ""
            repeat {
                let page = try await server.request("GET", "/v1/devices/\(device)/events?limit=500\(cursor)", token: admin).object
                for item in page["items"] as? [[String: Any]] ?? [] { stored[device, default: []].insert(item["ref"] as? String ?? "") }
                cursor = (page["nextCursor"] as? String).map { "&cursor=\($0)" } ?? ""
            } while !cursor.isEmpty
        }
        let missing = acknowledged.filter { !(stored[$0.device]?.contains($0.ref) ?? false) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5).map(\.ref))")
        // Every acknowledged reading is an Observation naming its event.
        let elderOf = Dictionary(
            devices.compactMap { d in (d["id"] as? String).flatMap { id in (d["elderId"] as? Int).map { (id, $0) } } },
            uniquingKeysWith: { a, _ in a })
        var archived: [Int: String] = [:]
        let withVitals = acknowledged.filter(\.hasVitals)
        #expect(withVitals.count >= 50)
        for elder in Set(withVitals.compactMap { elderOf[$0.device] }) {
            archived[elder] = try await server.request("GET", "/fhir/R4/Observation?patient=\(elder)&_count=1000", token: admin).text
        }
        let lostReadings = withVitals.filter { ack in
            !(elderOf[ack.device].flatMap { archived[$0] }?.contains(#""value":"\#(ack.device)/\#(ack.ref)""#) ?? false)
        }
        #expect(lostReadings.isEmpty, "acknowledged readings missing from the archive: \(lostReadings.prefix(5).map(\.ref))")
        for callId in Set(acknowledged.compactMap(\.callId)) {
            #expect(try await server.request("GET", "/v1/calls/\(callId)", token: admin).status == 200, "call \(callId)")
        }
        #expect(try await server.command(["backup", server.dataDirectory + "/after-crash.sqlite"]).contains("integrity check ok"))
        #expect(server.stop() == 0)
    }
}
