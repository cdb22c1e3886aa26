import CareModel
import CurlHTTP
import Foundation

/// The demo's simulated workers: through the public API, they check in at the elder's door to
/// visits starting within the hour, and check out a minute later (a meal handed over, a
/// shopping receipt), so visits, their verification and billable events appear while the demo runs.
struct DemoVisits: Sendable {
    let baseURL: String
    let adminToken: String
    /// Seconds between rounds.
    let every: Int

    func run() async {
        guard let client = try? CurlClient(configuration: .init(usesEnvironmentProxy: false)) else { return }
        try? await Task.sleep(for: .seconds(5))
        while !Task.isCancelled {
            let (checkedIn, checkedOut) = (try? await round(client)) ?? (0, 0)
            if checkedIn + checkedOut > 0 {
                print("demo: simulated workers checked in \(checkedIn) and out of \(checkedOut) visits")
                fflush(nil)
            }
            try? await Task.sleep(for: .seconds(every))
        }
        await client.shutdown()
    }

    private func round(_ client: CurlClient) async throws -> (Int, Int) {
        let now = Date()
        let f = ISO8601DateFormatter()
        let soon = try await get(
            client, "/v1/bookings?status=confirmed&from=\(f.string(from: now))&to=\(f.string(from: now.addingTimeInterval(3600)))&limit=20")
        var checkedIn = 0, checkedOut = 0
        for booking in soon {
            guard let id = booking["id"] as? Int, let elderId = booking["elderId"] as? Int else { continue }
            let place = try await home(client, elderId)
            if try await post(client, "/v1/visits/\(id)/check-in", #"{"place":\#(place)}"#) { checkedIn += 1 }
        }
        let started = try await get(client, "/v1/bookings?status=in_progress&limit=20")
        for booking in started {
            guard let id = booking["id"] as? Int, let elderId = booking["elderId"] as? Int else { continue }
            let place = try await home(client, elderId)
            let extra: String =
                switch booking["service"] as? String {
                case "meal": #","meal":{"delivered":true}"#
                case "shopping": #","shopping":{"items":["大米 5kg","青菜"],"amountFen":4650,"photo":"demo/receipt.jpg"}"#
                default: ""
                }
            if try await post(client, "/v1/visits/\(id)/check-out", #"{"place":\#(place),"notes":"演示：服务完成"\#(extra)}"#) { checkedOut += 1 }
        }
        return (checkedIn, checkedOut)
    }

    /// The elder's home as JSON coordinates (the door, for the check-in's radius).
    private func home(_ client: CurlClient, _ elderId: Int) async throws -> String {
        let response = try await client.send(
            HTTPRequest(url: baseURL + "/v1/elders/\(elderId)", headers: ["Authorization": "Bearer \(adminToken)"]))
        let elder = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        let location = elder?["location"] as? [String: Any]
        let lat = location?["latitude"] as? Double ?? 22.63, lon = location?["longitude"] as? Double ?? 110.15
        return #"{"latitude":\#(lat),"longitude":\#(lon)}"#
    }

    private func get(_ client: CurlClient, _ path: String) async throws -> [[String: Any]] {
        let response = try await client.send(HTTPRequest(url: baseURL + path, headers: ["Authorization": "Bearer \(adminToken)"]))
        let page = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        return page?["items"] as? [[String: Any]] ?? []
    }

    private func post(_ client: CurlClient, _ path: String, _ body: String) async throws -> Bool {
        let response = try await client.send(
            HTTPRequest(
                method: .post, url: baseURL + path,
                headers: ["Authorization": "Bearer \(adminToken)", "Content-Type": "application/json"], body: Data(body.utf8)))
        return response.status == 200
    }
}
