import CareModel
import CareStore
import Emergency
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The device path, `POST /v1/devices/{deviceId}/events`, answered inside the connection's
/// channel pipeline instead of through the router.
///
/// Every device event is signed, checked and stored durably before its 202, and a city's fleet
/// sends thousands a second, so the platform's throughput is decided here. Through the router, a
/// request costs about twice what the intake itself does: its parts cross from the event loop
/// into an async sequence, a task runs the middleware chain (each layer generic over the request
/// context), and the response crosses back through an async writer, with a thread wake-up at
/// each crossing. This handler sits in the pipeline just after the HTTP codec (Hummingbird's
/// `additionalChannelHandlers`), collects the event's body on the event loop, hands it to
/// ``AlarmIntake`` with a receiver, and writes the reply from the event loop when the group
/// commit that holds the event is durable. The intake, its checks, its answers and its
/// problem+json refusals are the same as the route's (``AlarmController``), which still serves
/// whatever this handler passes on.
///
/// It passes on, untouched, every request that is not a device event, and a device event when:
/// the server is not ready yet (the router answers 503), the path has a query or percent-escapes,
/// the client expects `100 Continue`, or an earlier request on the connection still waits for the
/// router's response (HTTP/1.1 answers in order; devices do not pipeline, so this is rare). While
/// its own event is being stored it holds back any later request on the connection, for the
/// same reason.
final class DeviceEventHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private struct Event {
        var deviceId: String
        var path: String
        var timestamp: String?
        var signature: String?
        var requestId: String
        var body: ByteBuffer
        var tooLarge = false
        var started: ContinuousClock.Instant
        /// `Connection: close`: the connection ends after the answer.
        var closeAfter = false
    }

    private enum State {
        case idle
        /// A request on its way to the router; its remaining parts follow it.
        case passing
        case collecting(Event)
        /// The event is complete and with the intake; later parts wait in `held`.
        case storing(Event)
    }

    private let intake: AlarmIntake
    private let readiness: Readiness
    private let logger: Logger
    private let serverName: String
    private var state = State.idle
    /// Requests passed to the router whose response has not ended yet.
    private var routerResponsesDue = 0
    private var held = CircularBuffer<HTTPRequestPart>()
    private var removed = false

    init(intake: AlarmIntake, readiness: Readiness, logger: Logger, serverName: String) {
        self.intake = intake
        self.readiness = readiness
        self.logger = logger
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .storing = state {
            held.append(part)
        } else {
            handle(part, context: context)
        }
    }

    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let request)):
            if routerResponsesDue == 0, let event = deviceEvent(request) {
                state = .collecting(event)
            } else {
                routerResponsesDue += 1
                state = .passing
                context.fireChannelRead(wrapInboundOut(part))
            }
        case (.collecting(var event), .body(let buffer)):
            if event.tooLarge || event.body.readableBytes + buffer.readableBytes > intake.policy.maxEventBytes {
                event.tooLarge = true
                event.body.clear()
            } else {
                var buffer = buffer
                event.body.writeBuffer(&buffer)
            }
            state = .collecting(event)
        case (.collecting(let event), .end):
            state = .storing(event)
            store(event, context: context)
        case (.passing, .end):
            state = .idle
            context.fireChannelRead(wrapInboundOut(part))
        default:
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routerResponsesDue = max(0, routerResponsesDue - 1) }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
    }

    /// The event this request carries, or nil when the router should have the request.
    private func deviceEvent(_ request: HTTPRequest) -> Event? {
        guard request.method == .post, readiness.isReady, let path = request.path,
            request.headerFields[.expect] == nil,
            let deviceId = Self.deviceId(inPath: path)
        else { return nil }
        let fields = request.headerFields
        let requestId =
            fields[.requestID].flatMap { RequestEnvelopeMiddleware.isSane($0) ? $0 : nil }
            ?? RequestID().description
        return Event(
            deviceId: deviceId, path: path, timestamp: fields[.eventTimestamp], signature: fields[.eventSignature],
            requestId: requestId, body: ByteBuffer(), started: .now,
            closeAfter: fields[.connection]?.lowercased() == "close")
    }

    /// `SOS-00000042` from `/v1/devices/SOS-00000042/events`; nil for any other path, or one with
    /// a query or percent-escapes (the router decodes those).
    static func deviceId(inPath path: String) -> String? {
        let prefix = "/v1/devices/", suffix = "/events"
        guard path.hasPrefix(prefix), path.hasSuffix(suffix), path.utf8.count > prefix.utf8.count + suffix.utf8.count
        else { return nil }
        let id = path.dropFirst(prefix.count).dropLast(suffix.count)
        guard !id.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "?") })
        else { return nil }
        return String(id)
    }

    private func store(_ event: Event, context: ChannelHandlerContext) {
        if event.tooLarge {
            reply(.failure(IntakeError.tooLarge(limit: intake.policy.maxEventBytes)), to: event, context: context)
            return
        }
        let replier = Replier(handler: NIOLoopBound((self, context), eventLoop: context.eventLoop), event: event)
        intake.receive(
            deviceId: event.deviceId, path: event.path, timestamp: event.timestamp, signature: event.signature,
            body: Data(event.body.readableBytesView), receiver: replier)
    }

    /// Carries the intake's answer back to the connection's event loop.
    private final class Replier: IntakeReplyReceiver {
        let handler: NIOLoopBound<(DeviceEventHandler, ChannelHandlerContext)>
        let event: NIOLoopBound<Event>

        init(handler: NIOLoopBound<(DeviceEventHandler, ChannelHandlerContext)>, event: Event) {
            self.handler = handler
            self.event = NIOLoopBound(event, eventLoop: handler.eventLoop)
        }

        func intakeReplied(_ result: Result<Data, any Error>) {
            let loop = handler.eventLoop
            if loop.inEventLoop {
                finish(result)
            } else {
                loop.execute { self.finish(result) }
            }
        }

        private func finish(_ result: Result<Data, any Error>) {
            let (handler, context) = self.handler.value
            handler.reply(result, to: event.value, context: context)
        }
    }

    private func reply(_ result: Result<Data, any Error>, to event: Event, context: ChannelHandlerContext) {
        guard !removed else { return }
        let status: HTTPResponse.Status
        var fields = HTTPFields()
        let body: ByteBuffer
        switch result {
        case .success(let reply):
            status = .accepted
            fields[.contentType] = "application/json; charset=utf-8"
            body = context.channel.allocator.buffer(bytes: reply)
        case .failure(let error):
            var problem = Problem.from(Self.apiError(error), bodyLimit: intake.policy.maxEventBytes)
            problem.instance = event.path
            problem.requestId = event.requestId
            if problem.type == "urn:eldercare:problem:internal" {
                var metadata: Logger.Metadata = [
                    "error": "\(String(reflecting: type(of: error)))", "hb.request.id": "\(event.requestId)",
                ]
                // SQLite's own words, never GRDB's description (it can carry the statement's arguments).
                if let fault = DatabaseFault(error) {
                    metadata["sqlite.code"] = "\(fault.code)"
                    metadata["sqlite.message"] = .string(fault.message)
                }
                logger.error("request failed", metadata: metadata)
            }
            status = .init(code: problem.status)
            fields = problem.headerFields
            body = problem.body(allocator: context.channel.allocator)
        }
        fields[.contentLength] = String(body.readableBytes)
        fields[.requestID] = event.requestId
        fields[.server] = serverName
        fields[.date] = HTTPDate.now
        if event.closeAfter { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        logger.info(
            "request",
            metadata: [
                "method": "POST", "path": "\(event.path)", "status": "\(status.code)",
                "ms": "\(String(format: "%.2f", (ContinuousClock.now - event.started) / .milliseconds(1)))",
                "hb.request.id": "\(event.requestId)",
            ])
        state = .idle
        if event.closeAfter {
            // As the router does for `Connection: close`: nothing after this request is read.
            held.removeAll()
            context.close(promise: nil)
            return
        }
        // Requests that arrived meanwhile, in order, until one of them is a device event again.
        while !held.isEmpty {
            if case .storing = state { return }
            handle(held.removeFirst(), context: context)
        }
    }

    private static func apiError(_ error: any Error) -> any Error {
        if let intakeError = error as? IntakeError { return APIError.from(intakeError) }
        return error
    }
}

/// The `Date` header (RFC 9110 IMF-fixdate), made once a second.
enum HTTPDate {
    private static let cache = Mutex((second: Int64.min, text: ""))
    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static var now: String { text(forSecond: Int64(Date().timeIntervalSince1970.rounded(.down))) }

    static func text(forSecond second: Int64) -> String {
        cache.withLock { cached in
            if cached.second != second {
                cached = (second, format(second))
            }
            return cached.text
        }
    }

    static func format(_ second: Int64) -> String {
        let dayNumber = second >= 0 ? second / 86_400 : (second - 86_399) / 86_400
        let rest = Int(second - dayNumber * 86_400)
        let day = CalendarDate(daysSinceEpoch: Int(dayNumber))
        func two(_ n: Int) -> String { n < 10 ? "0" + String(n) : String(n) }
        let weekday = days[Int(((dayNumber % 7) + 7) % 7)]
        return weekday + ", " + two(day.day) + " " + months[day.month - 1] + " " + String(day.year) + " "
            + two(rest / 3600) + ":" + two(rest / 60 % 60) + ":" + two(rest % 60) + " GMT"
    }
}
