/// The parts of the server's JSON the simulator reads. Fields it does not need are left out,
/// and fields it can live without are optional, so a server that adds fields breaks nothing.

/// One page of a listing (`nextCursor` absent on the last page).
struct ListPage<Item: Decodable>: Decodable {
    var items: [Item]
    var nextCursor: String?
}

/// A registered device, as `GET /v1/devices` lists it.
struct DeviceRecord: Decodable, Sendable {
    var id: String
    var type: String
    var elderId: Int64
    var heartbeatSeconds: Int
    var status: String
}

/// `POST /v1/devices/{id}/secret`.
struct RotatedSecret: Decodable, Sendable {
    var device: DeviceRecord
    var secret: String
}

/// An emergency call, as `GET /v1/calls` lists it.
struct CallRecord: Decodable, Sendable {
    var id: Int64
    var elderId: Int64?
    var deviceId: String?
    var code: String
    var priority: String
    var reason: String?
    var status: String
    var eventCount: Int?
    var openedAt: String?
    var lastEventAt: String?
}

/// A stored device event, as `GET /v1/devices/{id}/events` lists it.
struct StoredEvent: Decodable, Sendable {
    var ref: String
    var kind: String?
    var code: String?
    var receivedAt: String?
    var outcome: String?
    var callId: Int64?
}

/// RFC 9457 problem details, for error messages.
struct ProblemBody: Decodable {
    var title: String?
    var detail: String?
}
