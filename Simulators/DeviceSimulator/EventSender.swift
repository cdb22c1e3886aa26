/// The server's answer to an event:
/// `202 {"ref":…,"status":"accepted","callId":4812,"callVersion":1,"heartbeatSeconds":300}`.
struct EventAnswer: Sendable, Equatable {
    var status: String
    var callId: Int64?
    /// The call's version after this event; the live feed announces that change with the same
    /// version, which is how `load --subscribers` pairs a reply with its feed event.
    var callVersion: Int?
    var heartbeatSeconds: Int?

    /// Reads the fields by scanning bytes (no JSONDecoder on the hot path); nil when the
    /// body has no `status`.
    static func parse(_ body: [UInt8]) -> EventAnswer? {
        body.withUnsafeBufferPointer { buf in
            guard let status = JSONPeek.string("status", in: buf) else { return nil }
            return EventAnswer(
                status: status, callId: JSONPeek.integer("callId", in: buf).map(Int64.init),
                callVersion: JSONPeek.integer("callVersion", in: buf),
                heartbeatSeconds: JSONPeek.integer("heartbeatSeconds", in: buf))
        }
    }
}

/// What became of one event, retries included.
struct SendResult: Sendable {
    /// The HTTP status of the last attempt; 0 when no attempt got an answer.
    var status: Int
    var answer: EventAnswer?
    var retryAfter: Int?
    /// Attempts after the first (each with the same ref and body, freshly signed).
    var retries: Int
    var failure: HTTPFailure?
    var responseBody: [UInt8]

    var acknowledged: Bool { (200..<300).contains(status) }

    /// One line for people: `202 accepted, call 4812` or `401: {"title":…}` or `no answer (…)`.
    var summary: String {
        if let failure { return "no answer after \(retries + 1) attempts (\(failure))" }
        if let answer, acknowledged {
            var text = "\(status) \(answer.status)"
            if let callId = answer.callId { text += ", call \(callId)" }
            if let version = answer.callVersion { text += " version \(version)" }
            if let hb = answer.heartbeatSeconds { text += ", heartbeat interval \(hb) s" }
            return text
        }
        let body = String(decoding: responseBody.prefix(300), as: UTF8.self)
        return body.isEmpty ? "\(status)" : "\(status): \(body)"
    }
}

/// Signs and sends events for the devices of a keyring over one keep-alive connection; one per thread.
///
/// On a timeout or a connection error it retries like a real device: up to 3 times, on a new
/// connection, with the same ref and the same body bytes, re-signed with the current
/// timestamp (a retry that waited must still fall in the server's 40 s window).
final class EventSender {
    static let maxRetries = 3

    let keyring: DeviceKeyring
    let connection: HTTPConnection
    /// The current second, as the timestamp header and as `occurredAt`.
    private(set) var clock = SecondCache()
    private var request: [UInt8] = []
    private var body: [UInt8] = []
    private var ref: [UInt8] = []

    init(keyring: DeviceKeyring, settings: ServerSettings) {
        self.keyring = keyring
        connection = HTTPConnection(address: settings.address, timeoutSeconds: settings.timeoutSeconds)
        request.reserveCapacity(1024)
        body.reserveCapacity(512)
        ref.reserveCapacity(64)
    }

    /// An event with ref `refPrefix` + `refNumber`, happening now (the load generator's path:
    /// no String is built per event).
    func send(device: Int, template: EventTemplate, refPrefix: [UInt8], refNumber: Int) -> SendResult {
        writeBody(template: template, refPrefix: refPrefix, refNumber: refNumber)
        return send(device: device, body: body)
    }

    /// The event's body into `body`: ref `refPrefix` + `refNumber`, happening now.
    private func writeBody(template: EventTemplate, refPrefix: [UInt8], refNumber: Int) {
        clock.refresh()
        ref.removeAll(keepingCapacity: true)
        ref.append(contentsOf: refPrefix)
        DecimalText.append(refNumber, to: &ref)
        template.write(ref: ref[...], occurredAt: clock.iso[...], into: &body)
    }

    /// An event with the given ref, happening now.
    func send(device: Int, template: EventTemplate, ref: String) -> SendResult {
        clock.refresh()
        template.write(ref: ArraySlice(ref.utf8), occurredAt: clock.iso[...], into: &body)
        return send(device: device, body: body)
    }

    /// Sends the event without waiting for its answer; ``finish(device:)`` reads it. False
    /// when the send itself failed (``finish(device:)`` then retries).
    @discardableResult
    func start(device: Int, template: EventTemplate, refPrefix: [UInt8], refNumber: Int) -> Bool {
        writeBody(template: template, refPrefix: refPrefix, refNumber: refNumber)
        buildRequest(device: device, body: body)
        do {
            try connection.sendRequest(request)
            started = true
        } catch {
            started = false
        }
        return started
    }

    /// The answer to the event ``start(device:template:refPrefix:refNumber:)`` sent, retrying
    /// as ``send(device:body:)`` does when the first attempt failed.
    func finish(device: Int) -> SendResult {
        if started {
            started = false
            if let response = try? connection.receiveResponse() {
                return Self.result(response, retries: 0)
            }
        }
        return send(device: device, body: body, retriesSoFar: 1)
    }

    private var started = false

    private static func result(_ response: HTTPResponse, retries: Int) -> SendResult {
        let answer = (200..<300).contains(response.status) ? EventAnswer.parse(response.body) : nil
        return SendResult(
            status: response.status, answer: answer, retryAfter: response.retryAfter,
            retries: retries, failure: nil, responseBody: response.body)
    }

    /// Sends exact body bytes as `device`, retrying on timeouts and connection errors.
    func send(device: Int, body: [UInt8], retriesSoFar: Int = 0) -> SendResult {
        var retries = retriesSoFar
        if retries > 0 { SimClock.sleep(seconds: 0.05) }
        while true {
            clock.refresh()
            buildRequest(device: device, body: body)
            do {
                return Self.result(try connection.exchange(request), retries: retries)
            } catch {
                guard retries < Self.maxRetries else {
                    return SendResult(status: 0, answer: nil, retryAfter: nil, retries: retries, failure: error, responseBody: [])
                }
                retries += 1
                // Back off a little (50, 100, 200 ms) as devices do, so a restarting server is not hammered.
                SimClock.sleep(seconds: 0.05 * Double(1 << (retries - 1)))
            }
        }
    }

    /// Request line and headers (precomputed per device), timestamp, signature, length, body.
    private func buildRequest(device: Int, body: [UInt8]) {
        request.removeAll(keepingCapacity: true)
        request.append(contentsOf: keyring.requestHeads[device])
        request.append(contentsOf: clock.timestamp)
        request.append(contentsOf: "\r\nX-Eldercare-Signature: v1=".utf8)
        keyring.signers[device].appendSignature(timestamp: clock.timestamp[...], body: body, to: &request)
        request.append(contentsOf: "\r\nContent-Length: ".utf8)
        DecimalText.append(body.count, to: &request)
        request.append(contentsOf: "\r\n\r\n".utf8)
        request.append(contentsOf: body)
    }
}

/// Decimal digits straight into a byte buffer.
enum DecimalText {
    static func append(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")); append(-value, to: &out); return }
        if value >= 10 { append(value / 10, to: &out) }
        out.append(UInt8(48 + value % 10))
    }
}

/// Reads a top-level field of a small, flat JSON object without parsing all of it. Enough for
/// the server's compact answers; anything unusual falls back to "not found".
enum JSONPeek {
    /// Index just after `"key"` and its colon (and any spaces).
    static func valueStart(_ key: StaticString, in buf: UnsafeBufferPointer<UInt8>) -> Int? {
        let k = key.utf8Start
        let n = key.utf8CodeUnitCount
        var i = 0
        while i + n + 2 < buf.count {
            if buf[i] == UInt8(ascii: "\""), buf[i + n + 1] == UInt8(ascii: "\"") {
                var same = true
                for j in 0..<n where buf[i + 1 + j] != k[j] { same = false; break }
                if same {
                    var p = i + n + 2
                    while p < buf.count, buf[p] == 32 { p += 1 }
                    if p < buf.count, buf[p] == UInt8(ascii: ":") {
                        p += 1
                        while p < buf.count, buf[p] == 32 { p += 1 }
                        return p
                    }
                }
            }
            i += 1
        }
        return nil
    }

    static func string(_ key: StaticString, in buf: UnsafeBufferPointer<UInt8>) -> String? {
        guard var p = valueStart(key, in: buf), p < buf.count, buf[p] == UInt8(ascii: "\"") else { return nil }
        p += 1
        let start = p
        while p < buf.count, buf[p] != UInt8(ascii: "\"") {
            if buf[p] == UInt8(ascii: "\\") { return nil }  // our values never need escapes
            p += 1
        }
        guard p < buf.count else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: buf[start..<p]), as: UTF8.self)
    }

    static func integer(_ key: StaticString, in buf: UnsafeBufferPointer<UInt8>) -> Int? {
        guard var p = valueStart(key, in: buf) else { return nil }
        var value = 0
        let start = p
        while p < buf.count, buf[p] >= 48, buf[p] <= 57 { value = value &* 10 &+ Int(buf[p] - 48); p += 1 }
        return p == start ? nil : value
    }
}
