import CareModel
import Foundation

/// Reads device event bodies: ISO-8601 times with or without fractional seconds, since device
/// firmware writes both.
public enum EventDecoding {
    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = Timestamp.parse(text) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "\"\(text)\" is not an ISO-8601 date-time such as 2026-11-23T02:11:20Z"))
        }
        return d
    }()
}
