import CareModel
import Foundation
import Synchronization
import Testing

/// A thousand requests race over HTTP for the same worker and slot against the real server:
/// exactly one booking, and 999 clear 409s.
@Suite("Booking races end to end", .serialized)
struct BookingRaceEndToEndTests {
    @Test func aThousandRequestsForOneSlotMakeOneBooking() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "10", "--seed", "7", "--quiet"])
        let admin = try await server.token("admin", "e2e-admin")
        let desk = try await server.token("operator", "e2e-desk")
        try await server.start()

        let elders = try await server.request("GET", "/v1/elders?limit=1", token: admin).object["items"] as? [[String: Any]] ?? []
        let elder = try #require(elders.first)
        let elderId = try #require(elder["id"] as? Int), region = try #require(elder["regionCode"] as? String)
        let institution = try await server.request(
            "POST", "/v1/institutions", token: admin,
            json: #"{"kind":"home_care_centre","name":"玉州居家养老服务中心","regionCode":"\#(region)","address":"人民路1号","phone":"0775-2821234"}"#)
        #expect(institution.status == 201, "\(institution.text)")
        let provider = try #require(institution.object["id"] as? Int)
        let saved = try await server.request(
            "PUT", "/v1/providers/\(provider)", token: admin,
            json: #"{"regions":["\#(region)"],"contractNumber":"YL-2026-001","contractUntil":"2027-12-31"}"#)
        #expect(saved.status == 200, "\(saved.text)")
        let expires = CalendarDate(daysSinceEpoch: CalendarDate(date: Date()).daysSinceEpoch + 365)
        let worker = try await server.request(
            "POST", "/v1/workers", token: admin,
            json: """
                {"providerId":\(provider),"name":"张丽","skills":["housekeeping"],
                 "certificates":[{"kind":"housekeeping","number":"HK-001","issuer":"玉林市人社局","expiresOn":"\(expires)"}],
                 "workingHours":[{"weekdays":[1,2,3,4,5,6,7],"start":"08:00","end":"18:00"}],
                 "home":{"latitude":22.63,"longitude":110.15}}
                """)
        #expect(worker.status == 201, "\(worker.text)")
        let workerId = try #require(worker.object["id"] as? Int)

        let day = CalendarDate(daysSinceEpoch: CalendarDate(date: Date()).daysSinceEpoch + 2)
        let start = ISO8601DateFormatter().string(from: LocalTime.midnight(day).addingTimeInterval(9 * 3600))
        let body = #"{"elderId":\#(elderId),"service":"cleaning","start":"\#(start)","workerId":\#(workerId)}"#
        let replies = try await withThrowingTaskGroup(of: RunningServer.Reply.self) { group in
            for _ in 0..<1000 {
                group.addTask { try await server.request("POST", "/v1/bookings", token: desk, json: body) }
            }
            return try await group.reduce(into: [RunningServer.Reply]()) { $0.append($1) }
        }
        let created = replies.filter { $0.status == 201 }
        let refused = replies.filter { $0.status == 409 }
        #expect(created.count == 1, "statuses: \(Dictionary(grouping: replies, by: \.status).mapValues(\.count))")
        #expect(refused.count == 999)
        let detail = refused.first?.object["detail"] as? String ?? ""
        #expect(refused.allSatisfy { $0.headers["content-type"] == "application/problem+json" })
        #expect(detail.hasPrefix("Worker \(workerId) is not free at \(day) 09:00"), "\(detail)")

        let listed = try await server.request("GET", "/v1/bookings?worker=\(workerId)", token: admin).object["items"] as? [[String: Any]]
        #expect(listed?.count == 1)

        // A retry with the same Idempotency-Key gets the first answer, not a 409.
        let later = ISO8601DateFormatter().string(from: LocalTime.midnight(day).addingTimeInterval(13 * 3600))
        let retried = #"{"elderId":\#(elderId),"service":"cleaning","start":"\#(later)","workerId":\#(workerId)}"#
        let first = try await server.request("POST", "/v1/bookings", token: desk, json: retried, headers: ["Idempotency-Key": "r-1"])
        let again = try await server.request("POST", "/v1/bookings", token: desk, json: retried, headers: ["Idempotency-Key": "r-1"])
        #expect(first.status == 201 && again.status == 201, "\(again.text)")
        #expect(again.headers["idempotent-replayed"] == "true")
        func ids(_ r: RunningServer.Reply) -> [Int] { (r.object["bookings"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? [] }
        #expect(!ids(first).isEmpty && ids(again) == ids(first))
    }
}

/// A worker's phone, authenticated as the worker, checks in and out over HTTP: outside the radius
/// is refused, another worker's visit is not found, and the completed visit is verified.
@Suite("Visits end to end", .serialized)
struct VisitEndToEndTests {
    @Test func theWorkersPhoneChecksInAndOut() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "10", "--seed", "8", "--quiet"])
        let admin = try await server.token("admin", "e2e-admin")
        let phone = try await server.token("worker", "张丽")
        let stranger = try await server.token("worker", "路人")
        let courier = try await server.token("worker", "送餐员")
        // A visit can start within minutes, so the test need not wait for the usual notice.
        try await server.start(environment: ["ELDERCARE_BOOKINGS_MINIMUM_NOTICE_MINUTES": "0"])

        let me = try await server.request("GET", "/v1/me", token: phone).object
        let account = try #require(me["accountId"] as? Int)
        let elders = try await server.request("GET", "/v1/elders?limit=10", token: admin).object["items"] as? [[String: Any]] ?? []
        let elder = try #require(elders.first { $0["location"] is [String: Any] })
        let elderId = try #require(elder["id"] as? Int), region = try #require(elder["regionCode"] as? String)
        let home = try #require(elder["location"] as? [String: Any])
        let lat = try #require(home["latitude"] as? Double), lon = try #require(home["longitude"] as? Double)
        let institution = try await server.request(
            "POST", "/v1/institutions", token: admin,
            json: #"{"kind":"home_care_centre","name":"测试服务站","regionCode":"\#(region)","address":"人民路2号","phone":"0775-2821234"}"#)
        let provider = try #require(institution.object["id"] as? Int)
        _ = try await server.request(
            "PUT", "/v1/providers/\(provider)", token: admin,
            json: #"{"regions":["\#(region)"],"contractNumber":"YL-2026-002","contractUntil":"2027-12-31"}"#)
        let worker = try await server.request(
            "POST", "/v1/workers", token: admin,
            json: """
                {"providerId":\(provider),"accountId":\(account),"name":"张丽","skills":["companionship"],
                 "workingHours":[{"weekdays":[1,2,3,4,5,6,7],"start":"00:00","end":"23:59"}],
                 "home":{"latitude":\(lat),"longitude":\(lon)}}
                """)
        #expect(worker.status == 201, "\(worker.text)")
        let workerId = try #require(worker.object["id"] as? Int)

        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.up) * 60 + 600)
        let made = try await server.request(
            "POST", "/v1/bookings", token: admin,
            json:
                #"{"elderId":\#(elderId),"service":"companionship","start":"\#(ISO8601DateFormatter().string(from: start))","workerId":\#(workerId)}"#
        )
        #expect(made.status == 201, "\(made.text)")
        let booking = try #require((made.object["bookings"] as? [[String: Any]])?.first?["id"] as? Int)

        let door = #"{"place":{"latitude":\#(lat + 0.0003),"longitude":\#(lon)}}"#
        let far = try await server.request(
            "POST", "/v1/visits/\(booking)/check-in", token: phone, json: #"{"place":{"latitude":\#(lat + 0.02),"longitude":\#(lon)}}"#)
        #expect(far.status == 422, "\(far.text)")
        #expect((far.object["detail"] as? String)?.contains("m from the elder's home") == true)
        let other = try await server.request("POST", "/v1/visits/\(booking)/check-in", token: stranger, json: door)
        #expect(other.status == 404)
        let checkedIn = try await server.request("POST", "/v1/visits/\(booking)/check-in", token: phone, json: door)
        #expect(checkedIn.status == 200, "\(checkedIn.text)")
        let out = try await server.request("POST", "/v1/visits/\(booking)/check-out", token: phone, json: door)
        #expect(out.status == 200, "\(out.text)")
        #expect(out.object["verified"] as? Bool == true)
        // Staff see the visit; the worker's token reads nothing else.
        let visit = try await server.request("GET", "/v1/visits/\(booking)", token: admin)
        #expect(visit.object["checkInDistanceMeters"] as? Int ?? 999 < 50)
        #expect(try await server.request("GET", "/v1/bookings", token: phone).status == 403)

        // A meal nobody opened the door for puts a welfare-check call in the operators' queue.
        let courierAccount = try #require(try await server.request("GET", "/v1/me", token: courier).object["accountId"] as? Int)
        let mealWorker = try await server.request(
            "POST", "/v1/workers", token: admin,
            json: """
                {"providerId":\(provider),"accountId":\(courierAccount),"name":"送餐员","skills":["meal_delivery"],
                 "workingHours":[{"weekdays":[1,2,3,4,5,6,7],"start":"00:00","end":"23:59"}],
                 "home":{"latitude":\(lat),"longitude":\(lon)}}
                """)
        let mealWorkerId = try #require(mealWorker.object["id"] as? Int)
        let certificate = try await server.request(
            "POST", "/v1/workers/\(mealWorkerId)/certificates", token: admin,
            json: #"{"kind":"food_handler","number":"JK-2026-118","issuer":"玉林市市场监督管理局","expiresOn":"2030-01-01"}"#)
        #expect(certificate.status == 201, "\(certificate.text)")
        let meal = try await server.request(
            "POST", "/v1/bookings", token: admin,
            json:
                #"{"elderId":\#(elderId),"service":"meal","start":"\#(ISO8601DateFormatter().string(from: start))","workerId":\#(mealWorkerId)}"#
        )
        #expect(meal.status == 201, "\(meal.text)")
        let mealId = try #require((meal.object["bookings"] as? [[String: Any]])?.first?["id"] as? Int)
        #expect(try await server.request("POST", "/v1/visits/\(mealId)/check-in", token: courier, json: door).status == 200)
        let undelivered = try await server.request(
            "POST", "/v1/visits/\(mealId)/check-out", token: courier,
            json: #"{"place":{"latitude":\#(lat + 0.0003),"longitude":\#(lon)},"meal":{"delivered":false}}"#)
        #expect(undelivered.status == 200, "\(undelivered.text)")
        let welfare =
            try await server.request("GET", "/v1/calls?code=welfare_check", token: admin).object["items"] as? [[String: Any]] ?? []
        #expect(welfare.count == 1 && welfare.first?["elderId"] as? Int == elderId, "\(welfare)")
        #expect((welfare.first?["reason"] as? String)?.contains("无人开门") == true)

        // The elder presses the green key: the request waits on the worklist until a booking answers it.
        let devices = try await server.request("GET", "/v1/devices?elderId=\(elderId)", token: admin).object["items"] as? [[String: Any]]
        let device = try #require(devices?.first?["id"] as? String)
        let press = try await server.sendAlarm("service_request", device: device, seed: 8, ref: "green-1")
        #expect(press.status == 202, "\(press.text)")
        let waiting = try await server.request("GET", "/v1/service-requests?status=new", token: admin).object["items"] as? [[String: Any]]
        let request = try #require(waiting?.first { $0["elderId"] as? Int == elderId })
        let requestId = try #require(request["id"] as? Int)
        #expect(request["callId"] is Int && request["deviceId"] as? String == device)
        let tomorrow = ISO8601DateFormatter().string(from: start.addingTimeInterval(86_400))
        let answered = try await server.request(
            "POST", "/v1/bookings", token: admin,
            json: #"{"elderId":\#(elderId),"service":"companionship","start":"\#(tomorrow)","serviceRequestId":\#(requestId)}"#)
        #expect(answered.status == 201, "\(answered.text)")
        let after = try await server.request("GET", "/v1/service-requests/\(requestId)", token: admin).object
        #expect(after["status"] as? String == "booked" && after["bookingId"] is Int)
        #expect(
            try await server.request("POST", "/v1/service-requests/\(requestId)/decline", token: admin, json: #"{"reason":"x"}"#).status
                == 409)
    }
}
