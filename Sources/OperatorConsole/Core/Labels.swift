import CareModel

/// Short names the console shows for values CareModel does not label itself, Chinese first
/// where operators read Chinese, English where the screen has room.
enum Labels {
    static func relation(_ relation: Relation) -> String {
        switch relation {
        case .spouse: "配偶"
        case .son: "儿子"
        case .daughter: "女儿"
        case .sonInLaw: "女婿"
        case .daughterInLaw: "儿媳"
        case .grandchild: "孙辈"
        case .sibling: "兄弟姐妹"
        case .relative: "亲属"
        case .neighbour: "邻居"
        case .friend: "朋友"
        case .communityWorker: "社区工作人员"
        case .volunteer: "志愿者"
        case .guardian: "监护人"
        case .other: "其他"
        }
    }

    static func living(_ living: LivingSituation) -> String {
        switch living {
        case .alone: "独居 lives alone"
        case .withSpouse: "与配偶同住 with spouse"
        case .withFamily: "与家人同住 with family"
        }
    }

    static func care(_ level: CareLevel) -> String {
        switch level {
        case .selfCare: "自理 self-care"
        case .semiDisabled: "半失能 semi-disabled"
        case .disabled: "失能 disabled"
        }
    }

    static func sex(_ sex: Sex) -> String { sex == .female ? "女" : "男" }

    static func responderStatus(_ status: ResponderStatus) -> String {
        switch status {
        case .assigned: "已派 assigned"
        case .onTheWay: "在路上 on the way"
        case .onScene: "已到达 on scene"
        case .done: "已完成 done"
        case .declined: "未能前往 declined"
        }
    }

    static func device(_ type: DeviceType) -> String {
        switch type {
        case .sosPendant: "SOS pendant"
        case .fallDetector: "fall detector"
        case .watch: "watch"
        case .doorSensor: "door sensor"
        case .smokeSensor: "smoke sensor"
        case .gasSensor: "gas sensor"
        case .bedSensor: "bed sensor"
        case .wallButton: "wall button"
        }
    }

    /// A timeline entry's action: an operator's, or intake's own (`opened`, `joined`, …).
    static func timelineAction(_ action: String) -> String {
        if let kind = CallActionKind(rawValue: action) { return kind.label.chinese + " " + kind.label.english }
        switch action {
        case "opened": return "报警 opened"
        case "joined": return "重复报警 repeat alarm"
        case "cancelled_at_device", "cancelled": return "设备取消 cancelled at device"
        default: return action
        }
    }

    /// The verb for "You cannot … call #4812 now".
    static func verb(_ kind: CallActionKind) -> String {
        switch kind {
        case .claim: "claim"
        case .release: "release"
        case .note: "add a note to"
        case .startCallback: "start a callback on"
        case .dispatch: "dispatch anyone for"
        case .updateResponder: "mark responder progress on"
        case .resolve: "resolve"
        case .recordFollowUp: "record a follow-up for"
        case .close: "close"
        case .reopen: "reopen"
        case .escalate: "escalate"
        }
    }
}
