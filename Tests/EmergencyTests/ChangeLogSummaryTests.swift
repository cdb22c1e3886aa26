import CareModel
import Foundation
import Testing

@testable import CareStore
@testable import Emergency

/// Intake rebuilds a joined or cancelled call's change-log summary in Swift (`CallSummaryText`)
/// instead of reading the `call_summary` view; the feed must not be able to tell.
@Suite("Change-log summaries written by intake")
struct ChangeLogSummaryTests {
    /// The newest change-log payload of `callId`, and what the view says of the call now.
    func latestPayloadAndView(_ h: IntakeHarness, callId: Int64) async throws -> (payload: String, view: String) {
        let changes = try await h.calls.callChanges(after: 0, limit: 10_000).filter {
            $0.payload.hasPrefix(#"{"id":\#(callId),"#)
        }
        let view = try await h.calls.viewSummaryJSON(callId: callId)
        return (try #require(changes.last).payload, try #require(view))
    }

    @Test func everyIntakeChangeLogsTheViewsTextByteForByte() async throws {
        var h = try await IntakeHarness.make()
        defer { h.remove() }
        let device = try await h.addElder(1, birthYear: 1938, living: .alone)
        var step = 0
        func send(_ kind: String, _ code: String?, extra: String = "") async throws -> EventReply {
            step += 1
            h.testClock.advance(1.25)
            return try await h.send(device, h.event("s\(step)", kind, code, extra: extra))
        }
        func check(_ reply: EventReply, _ what: Comment) async throws {
            let callId = try #require(reply.callId)
            let (payload, view) = try await latestPayloadAndView(h, callId: callId)
            #expect(payload == view, what)
        }

        let opened = try await send("alarm", "door_open_night")
        try await check(opened, "opened (read from the view)")
        try await check(try await send("alarm", "door_open_night"), "joined, same priority")
        #expect(h.calls.caches.openCalls.summary(call: try #require(opened.callId)) != nil, "the join was rebuilt, not read")
        try await check(try await send("alarm", "sos", extra: #","location":{"area":"bathroom"}"#), "joined, raised to P1")
        try await check(try await send("alarm", "fall"), "joined again")
        try await check(try await send("cancel", nil), "cancelled at the device")
        try await check(try await send("alarm", "sos"), "joined after the cancel")

        // An operator claims it: the kept text is dropped, read afresh, and carries the claim.
        let callId = try #require(opened.callId)
        let detail = try await h.calls.callDetail(id: callId, for: CallActor(accountId: 7, name: "王\"芳\\", isSupervisor: true))
        _ = try await h.calls.act(
            on: callId, .claim, expectedVersion: detail.call.version,
            by: CallActor(accountId: 7, name: "王\"芳\\", isSupervisor: true))
        try await check(try await send("alarm", "sos"), "joined a claimed call (view read once more)")
        try await check(try await send("alarm", "fall"), "joined a claimed call (from the kept text)")

        // The elder renamed: the next summary names them as now stored.
        let elderId = try #require(try await h.openCalls().first).elderId
        _ = try await h.database.registry.updateElder(id: elderId, by: .commandLine) { elder, _ in
            var elder = elder
            elder.name = "测试改名"
            return elder
        }
        try await check(try await send("alarm", "sos"), "joined after the elder was renamed")
    }

    @Test func theSplitTextRendersTheSameFieldsItWasCutFrom() throws {
        let json =
            #"{"id":5,"elderId":9,"elderName":"张\",\"priority\":伟","age":81,"regionCode":"450902001000","district":null,"deviceId":"SOS-1","code":"sos","priority":"P1","reason":"SOS","status":"new","eventCount":1,"openedAt":"2026-11-23T02:11:21Z","lastEventAt":"2026-11-23T02:11:21Z","claimedBy":null,"claimedAt":null,"escalated":false,"outcome":null,"version":1}"#
        let text = try #require(CallSummaryText(viewJSON: json))
        let call = Call(
            id: 5, elderId: 9, deviceId: "SOS-1", code: .sos, priority: .p1, reason: "SOS", status: .new, eventCount: 1,
            openedAt: Date(), lastEventAt: Date(), version: 1)
        #expect(text.render(call, lastEventAt: "2026-11-23 02:11:21.999") == json)
        var quoted = ""
        CallSummaryText.appendQuoted("a\"b\\c\n\u{1}\t", to: &quoted)
        #expect(quoted == #""a\"b\\c\n\u0001\t""#)
    }
}
