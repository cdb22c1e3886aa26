import CareModel
import Foundation

/// The answer to a device's event, as JSON bytes: stored with the event, so a retry of the same
/// reference gets the same bytes back.
enum DeviceReply {
    /// Built by hand because it runs for every event: refs are validated to `[A-Za-z0-9._:-]`,
    /// so nothing in it needs escaping. Decodes as ``EventReply``.
    static func json(ref: String, outcome: EventOutcome, callId: Int64?, callVersion: Int? = nil, heartbeatSeconds: Int) -> Data {
        var text = #"{"ref":""# + ref + #"","status":""# + outcome.rawValue + #"""#
        if let callId { text += #","callId":"# + String(callId) }
        if let callVersion { text += #","callVersion":"# + String(callVersion) }
        text += #","heartbeatSeconds":"# + String(heartbeatSeconds) + "}"
        return Data(text.utf8)
    }
}
