import CareModel
import CareStore
import Foundation
import Testing

@testable import Notifications

extension PlannerTests {
    @Test func anExpiringCertificateGoesToItsProviderWithoutAnElder() {
        let provider = Institution(
            id: 5, kind: .homeCareCentre, name: "玉州居家养老服务中心", regionCode: "450902000000", address: "人民路1号", location: nil,
            phone: "13600000000", beds: 0, nursingBeds: 0, status: .active, version: 1, createdAt: morning, updatedAt: morning)
        let message = OutboxMessage(
            id: 2, topic: "certificate_expiring", key: "certificate:3:expiring", elderId: nil, callId: nil,
            payload: ["providerId": "5", "worker": "张丽", "certificate": "nurse", "expiresOn": "2026-12-20"], createdAt: morning)
        let plan = planner().plan(FanOutContext(message: message, institutions: [5: provider]), now: morning)
        #expect(plan.notifications.map(\.recipient.key) == ["provider:5"])
        #expect(plan.notifications[0].text.contains("张丽的nurse证书将于12月20日到期"))
        // Without the provider, nothing (and a note why).
        let lost = planner().plan(FanOutContext(message: message), now: morning)
        #expect(lost.notifications.isEmpty && lost.note.contains("provider"))
    }

    @Test func theWorkerOnTheWayIsNewsForTheElder() {
        let plan = planner().plan(
            context(
                "worker_on_the_way", payload: ["service": "助浴", "at": "2026-11-24T01:00:00Z", "worker": "张丽"],
                elder: elder(phone: "13700000000")),
            now: morning)
        #expect(plan.notifications.map(\.recipient.key) == ["elder:7"])
        #expect(plan.notifications[0].text.contains("张丽已出发"))
    }
}
