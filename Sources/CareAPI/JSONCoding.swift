import CareModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A request body with fields a client may set to `null` to clear them; the paths are as in a
/// problem's `errors` with array indices left out (`contacts[].phone`), and each must be
/// documented as nullable in Docs/api/openapi.yaml.
protocol NullableFields {
    static var nullableFields: Set<String> { get }
}

/// JSON in and out of HTTP: the body limit, the media type, responses, and errors that name the
/// field. The coders are CareJSON's, so the API writes JSON as every other module does.
enum JSONCoding {
    /// Reads the body (refusing more than `limit` bytes) and decodes it.
    ///
    /// Syntax errors are 400; a missing field, a wrong type or an unknown enum value is 422
    /// naming the field path, because the JSON itself was fine.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.tooLarge(limit: limit)
        }
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw APIError.unsupportedMediaType("Send the body as application/json, not \(contentType).")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: limit)
        }
        guard buffer.readableBytes > 0 else {
            throw APIError.malformed(field: nil, detail: "The request body is empty; send a JSON object.")
        }
        let data = Data(buffer.readableBytesView)
        try refuseNulls(in: data, allowed: (T.self as? any NullableFields.Type)?.nullableFields ?? [])
        do {
            return try CareJSON.decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error)
        }
    }

    /// `null` is a value only where the document says so (a field a client may clear); anywhere
    /// else an optional field would read it as absent and the request would be half ignored, so
    /// it is refused, naming every such field. Bodies without the bytes `null` are not parsed twice.
    static func refuseNulls(in data: Data, allowed: Set<String>) throws {
        guard data.firstRange(of: Data("null".utf8)) != nil,
            let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return }
        var v = Validator()
        func walk(_ value: Any, _ path: String, _ shape: String) {
            switch value {
            case is NSNull:
                if !allowed.contains(shape) { v.add(path.isEmpty ? "body" : path, "must not be null") }
            case let object as [String: Any]:
                for key in object.keys.sorted() {
                    walk(object[key]!, path.isEmpty ? key : path + "." + key, shape.isEmpty ? key : shape + "." + key)
                }
            case let array as [Any]:
                for (i, element) in array.enumerated() { walk(element, path + "[\(i)]", shape + "[]") }
            default: break
            }
        }
        walk(json, "", "")
        if !v.issues.isEmpty { throw APIError.invalid(ValidationFailure(v.issues)) }
    }

    static func describe(_ error: DecodingError) -> APIError {
        let path = CareJSON.fieldPath
        switch error {
        case .dataCorrupted(let c) where c.codingPath.isEmpty:
            return .malformed(field: nil, detail: "The body is not valid JSON: \(c.underlyingError.map { "\($0)" } ?? c.debugDescription)")
        case .dataCorrupted(let c):
            return .invalid(ValidationFailure(field: path(c.codingPath), reason: cleaned(c.debugDescription)))
        case .keyNotFound(let key, let c):
            return .invalid(ValidationFailure(field: path(c.codingPath + [key]), reason: "is required"))
        case .valueNotFound(_, let c):
            return .invalid(ValidationFailure(field: path(c.codingPath), reason: "must not be null"))
        case .typeMismatch(let type, let c):
            return .invalid(ValidationFailure(field: path(c.codingPath), reason: "must be \(CareJSON.describe(type))"))
        @unknown default:
            return .malformed(field: nil, detail: "The body could not be read.")
        }
    }

    /// Turns Swift's enum-decoding message into something an API user can read.
    /// "Cannot initialize CareLevel from invalid String value bedridden" →
    /// "has an unknown value bedridden; use one of: self_care, semi_disabled, disabled".
    private static func cleaned(_ message: String) -> String {
        guard let from = message.range(of: "from invalid String value ") else { return message }
        let value = message[from.upperBound...].trimmingCharacters(in: .punctuationCharacters)
        let typeName = message.components(separatedBy: " ").dropFirst(2).first ?? ""
        guard let allowed = enumValues[typeName] else { return "has an unknown value \(value)" }
        return "has an unknown value \(value); use one of: \(allowed.joined(separator: ", "))"
    }

    /// The values of every enum a request body may hold, by type name.
    private static let enumValues: [String: [String]] = {
        func values<E: CaseIterable & RawRepresentable>(_: E.Type) -> (String, [String]) where E.RawValue == String {
            (String(describing: E.self), E.allCases.map(\.rawValue))
        }
        return Dictionary(uniqueKeysWithValues: [
            values(LivingSituation.self), values(CareLevel.self), values(SubsidyCategory.self), values(Sex.self),
            values(RecordStatus.self), values(DeviceType.self), values(DeviceStatus.self), values(InstitutionKind.self),
            values(Relation.self), values(Role.self), values(RegionLevel.self),
        ])
    }()

    /// A JSON response.
    /// JSON already written as bytes.
    static func response(json bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var h = headers
        h[.contentType] = "application/json; charset=utf-8"
        let data = try CareJSON.encoder.encode(value)
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
