import Foundation

/// The admin side of the API (listings, secret rotation, health), over one keep-alive
/// connection. One per thread; not for the hot path (it uses JSONDecoder).
final class APIClient {
    let settings: ServerSettings
    private let connection: HTTPConnection
    private let decoder = JSONDecoder()

    init(_ settings: ServerSettings) {
        self.settings = settings
        connection = HTTPConnection(address: settings.address, timeoutSeconds: settings.timeoutSeconds)
    }

    /// `GET /health`: nil when healthy, else a sentence saying what is wrong.
    func healthProblem() -> String? {
        do {
            let response = try exchange("GET", "/health", authorized: false)
            return response.status == 200
                ? nil : "The server at \(settings.address.url) answered GET /health with \(response.status), not 200."
        } catch {
            return "\(error)"
        }
    }

    func get<T: Decodable>(_ pathAndQuery: String, as type: T.Type) throws -> T {
        try decode(type, from: try checked("GET", pathAndQuery), what: "GET \(pathAndQuery)")
    }

    func post<T: Decodable>(_ path: String, as type: T.Type) throws -> T {
        try decode(type, from: try checked("POST", path), what: "POST \(path)")
    }

    /// Every page of a listing, page by page, until `visit` returns false or the last page.
    /// `path` carries its query (with `limit`); the cursor is added here.
    func forEachPage<Item: Decodable>(_ path: String, of: Item.Type, _ visit: ([Item]) throws -> Bool) throws {
        var cursor: String?
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let page = try get(path + (cursor.map { "\(separator)cursor=\(Self.queryEscape($0))" } ?? ""), as: ListPage<Item>.self)
            guard try visit(page.items) else { return }
            cursor = page.nextCursor
        } while cursor != nil
    }

    // MARK: - Plumbing

    /// A 2xx response, or an error that says what the server objected to.
    private func checked(_ method: String, _ path: String) throws -> HTTPResponse {
        guard settings.token != nil else {
            throw SimError("This needs an admin API token: pass --token ec_… (or set ELDERCARE_TOKEN).")
        }
        let response = try exchange(method, path, authorized: true)
        guard (200..<300).contains(response.status) else {
            let problem = try? decoder.decode(ProblemBody.self, from: Data(response.body))
            let why = problem?.detail ?? problem?.title ?? String(decoding: response.body.prefix(200), as: UTF8.self)
            switch response.status {
            case 401: throw SimError("The server refused the admin token for \(method) \(path) (401): \(why)")
            case 403: throw SimError("The token is not allowed \(method) \(path) (403; the simulator needs an admin token): \(why)")
            case 404: throw SimError("\(method) \(path) answered 404 (is this server new enough for the device protocol?): \(why)")
            default: throw SimError("\(method) \(path) answered \(response.status): \(why)")
            }
        }
        return response
    }

    /// One exchange, retried (up to 3 times, reconnecting) when the connection fails: admin
    /// calls are reads, or secret rotations whose last answer is the one that holds.
    private func exchange(_ method: String, _ path: String, authorized: Bool) throws -> HTTPResponse {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(settings.address.hostHeader)\r\nAccept: application/json\r\n"
        if authorized, let token = settings.token { request += "Authorization: Bearer \(token)\r\n" }
        if method == "POST" { request += "Content-Length: 0\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        var attempt = 0
        while true {
            do {
                return try connection.exchange(bytes)
            } catch {
                attempt += 1
                guard attempt <= 3 else {
                    throw SimError("\(method) \(path) to \(settings.address.url) failed after 3 retries: \(error). Is the server running?")
                }
                SimClock.sleep(seconds: 0.1 * Double(attempt))
            }
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse, what: String) throws -> T {
        do {
            return try decoder.decode(type, from: Data(response.body))
        } catch {
            throw SimError("The answer to \(what) was not what the simulator expects: \(error)")
        }
    }

    /// Cursors are URL-safe already; escape anything else anyway.
    static func queryEscape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
