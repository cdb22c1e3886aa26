import CareModel
import Foundation

@testable import OperatorConsole

/// The screens the snapshot tests draw, each a state reached the way an operator would reach it.
enum Scene {
    static let wang = Claimant(accountId: 17, name: "王芳")

    /// The queue as the floor stands at 10:15.
    static func queue(width: Int, height: Int) -> ConsoleState {
        Fixture.state(width: width, height: height)
    }

    /// 王芳's long-named caller: a callback made, her daughter on the way, a long address.
    static func callInProgress(width: Int, height: Int) -> ConsoleState {
        var state = Fixture.state(width: width, height: height)
        state.press(.enter)
        var detail = Fixture.detail(
            of: Fixture.longName, status: .dispatched, version: 6, claimedBy: wang,
            responders: [
                Responder(
                    id: 1, kind: .emergencyContact, name: "李娟", phone: "13807751234",
                    referenceId: 5531, status: .onTheWay,
                    assignedAt: Fixture.date("2026-11-23T02:08:00Z"),
                    updatedAt: Fixture.date("2026-11-23T02:09:30Z")),
                Responder(
                    id: 2, kind: .communityWorker, name: "覃志明", phone: "13977512345",
                    status: .assigned, assignedAt: Fixture.date("2026-11-23T02:10:00Z"),
                    updatedAt: Fixture.date("2026-11-23T02:10:00Z")),
            ],
            allowed: [.note, .startCallback, .dispatch, .updateResponder, .resolve])
        detail.elder.address = "广西壮族自治区玉林市北流市北流镇城南社区东门路幸福里小区十二栋三单元六楼六零二室（门口有轮椅）"
        detail.elder.district = "北流市"
        detail.elder.livingSituation = .withSpouse
        detail.elder.careLevel = .disabled
        detail.lastLocation = EventLocation(area: .bedroom, text: "12栋3单元602")
        detail.call.reason = "SOS button pressed three times within two minutes"
        detail.timeline = [
            entry("02:05:00", nil, "opened", .new, .new, note: "SOS button pressed"),
            entry("02:06:10", wang, "claim", .new, .claimed),
            entry("02:06:40", wang, "start_callback", .claimed, .contacting),
            entry(
                "02:07:30", wang, "note", .contacting, .contacting,
                note: "老人说胸口闷，说话有些喘，老伴在旁边。已让老人坐下不要走动，等女儿过来。"),
            entry("02:08:00", wang, "dispatch", .contacting, .dispatched, detail: ["responderIds": "1"]),
            entry(
                "02:09:30", wang, "update_responder", .dispatched, .dispatched,
                detail: ["responderId": "1", "responder": "李娟", "responderFrom": "assigned", "responderTo": "on_the_way"]),
            entry("02:10:00", wang, "dispatch", .dispatched, .dispatched, detail: ["responderIds": "2"]),
        ]
        state.apply(.detailLoaded(detail))
        return state
    }

    /// Resolving 黄秀英's fall: outcome chosen, note typed, the confirmation on screen.
    static func confirmResolve(width: Int, height: Int) -> ConsoleState {
        var state = Fixture.state(width: width, height: height)
        state.press(.char("j"), .enter)
        state.apply(
            .detailLoaded(
                Fixture.detail(
                    status: .claimed, version: 3, claimedBy: wang,
                    allowed: [.release, .note, .startCallback, .dispatch, .resolve])))
        state.press(.char("x"), .char("3"))
        state.type("女儿到场，老人在卫生间滑倒，无明显外伤，已扶到床上休息")
        state.press(.enter)
        return state
    }

    /// The supervisor view with the server's figures.
    static func supervisor(width: Int, height: Int) -> ConsoleState {
        var state = Fixture.state(width: width, height: height)
        state.press(.char("s"))
        state.apply(
            .overviewLoaded(
                CallOverview(
                    openByPriority: ["P1": 2, "P2": 1, "P3": 1, "P4": 1], unclaimed: 3, escalated: 1,
                    oldestUnclaimed: Fixture.offline, claimedWithin60sToday: 0.9821, claimedToday: 57,
                    operatorsOnline: ["王芳", "李明", "覃海燕"])))
        return state
    }

    private static func entry(
        _ time: String, _ actor: Claimant?, _ action: String, _ from: CallStatus, _ to: CallStatus,
        note: String? = nil, detail: [String: String] = [:]
    ) -> CallTimelineEntry {
        CallTimelineEntry(
            at: Fixture.date("2026-11-23T\(time)Z"), actorId: actor?.accountId, actorName: actor?.name,
            action: action, from: from, to: to, note: note, detail: detail)
    }
}
