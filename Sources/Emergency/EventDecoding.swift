import CareModel
import Foundation

/// Reads device event bodies: ISO-8601 times with or without fractional seconds, since device
/// firmware writes both.
public enum EventDecoding {
    /// The event in `body`: the purpose-built ``DeviceEventParser`` for the usual shape, and
    /// `JSONDecoder` for everything else, which also words every refusal.
    public static func decode(_ body: Data) throws -> DeviceEvent {
        if let event = DeviceEventParser.parse(body) { return event }
        return try decoder.decode(DeviceEvent.self, from: body)
    }

    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = Timestamp.parse(text) { return date }
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "\"\(text)\" is not an ISO-8601 date-time such as 2026-11-23T02:11:20Z"))
        }
        return d
    }()
}
