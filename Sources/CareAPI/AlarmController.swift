import CareModel
import CareStore
import Emergency
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Device events (signed by the device, no token) and devices' event histories.
///
/// Most device events never reach this route: ``DeviceEventHandler`` answers them in the
/// channel pipeline. The route answers what the handler passes on, with the same intake and
/// the same problem documents.
struct AlarmController: Sendable {
    let env: APIEnvironment
    let intake: AlarmIntake
    /// Emergency's store, for the events a device has sent.
    let calls: CallStore

    var routes: [APIRoute] {
        [
            APIRoute(.post, "/v1/devices/:deviceId/events", .deviceSignature, receive),
            APIRoute(.get, "/v1/devices/:deviceId/events", .permission(.readDevices), events),
        ]
    }

    @Sendable func receive(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let deviceId = context.parameters.get("deviceId") ?? ""
        let limit = intake.policy.maxEventBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.tooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: limit)
        }
        do {
            let reply = try await intake.receive(
                deviceId: deviceId, path: request.uri.path,
                timestamp: request.headers[.eventTimestamp], signature: request.headers[.eventSignature],
                body: Data(buffer.readableBytesView))
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .accepted, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply)))
        } catch let error as IntakeError {
            throw APIError.from(error)
        }
    }

    @Sendable func events(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let events = try await calls.deviceEvents(
            deviceId: context.parameters.get("deviceId") ?? "",
            page: try env.pageRequest(request))
        return try JSONCoding.response(events)
    }
}

extension APIError {
    /// The problem an intake refusal becomes, on the route and in ``DeviceEventHandler`` alike.
    static func from(_ error: IntakeError) -> APIError {
        switch error {
        case .unauthenticated:
            .deviceUnauthenticated
        case .rateLimited(let seconds): .rateLimited(retryAfterSeconds: seconds)
        case .tooLarge(let limit): .tooLarge(limit: limit)
        case .undecodable(let decoding): JSONCoding.describe(decoding)
        case .malformed(let detail): .malformed(field: nil, detail: detail)
        case .invalid(let failure): .invalid(failure)
        case .unavailable: .notReady("The device registry could not be read just now; retry the event with the same ref.")
        }
    }
}

extension HTTPField.Name {
    static let eventTimestamp = Self(EventSignature.timestampHeader)!
    static let eventSignature = Self(EventSignature.signatureHeader)!
}
