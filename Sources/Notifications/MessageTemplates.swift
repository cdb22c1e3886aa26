import CareModel
import Foundation

/// The words of every message, in Chinese and English. Pure: the planner gathers the facts
/// into a ``MessageFacts`` and gets back a title and a text.
///
/// What never goes in: the elder's full name (``ElderName``), identity numbers, addresses,
/// health details. A message may be read by anyone holding the phone.
public struct MessageTemplates: Sendable {
    public var language: NotificationSettings.Language
    /// Put in 【】 (or [ ]) at the start of every text.
    public var signature: String
    /// For clock times in texts.
    public var utcOffsetMinutes: Int

    public init(language: NotificationSettings.Language, signature: String, utcOffsetMinutes: Int) {
        self.language = language; self.signature = signature; self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// What a message says, as (title, text).
    public func render(_ kind: MessageKind, _ f: MessageFacts) -> (title: String, text: String) {
        let zh = language == .zh
        let who = f.elder
        let (title, body): (String, String)
        switch kind {
        case .emergency:
            let code = zh ? f.codeLabel.chinese : f.codeLabel.english
            title = zh ? "紧急呼叫" : "Emergency call"
            var b =
                zh
                ? "紧急：您的家人\(who)的设备于\(clock(f.at))发出“\(code)”（\(f.priority)），平台已接警处置。"
                : "Emergency: \(who)'s device raised \"\(code)\" (\(f.priority)) at \(clock(f.at)). The care centre is handling it."
            if let link = f.ackURL {
                b += zh ? "请点击确认收到：\(link)" : " Please confirm you have seen this: \(link)"
            } else {
                b += zh ? "请尽快与老人或平台联系。" : " Please contact the elder or the care centre."
            }
            body = b
        case .chainExhausted(let contacts):
            let code = zh ? f.codeLabel.chinese : f.codeLabel.english
            title = zh ? "家属未确认" : "No family member confirmed"
            body =
                contacts == 0
                ? (zh
                    ? "呼叫#\(f.callId ?? 0)：\(who)的“\(code)”（\(f.priority)）没有登记紧急联系人，请安排人员联系。"
                    : "Call #\(f.callId ?? 0): \"\(code)\" (\(f.priority)) for \(who), who has no emergency contact on file. Please arrange for someone to check.")
                : (zh
                    ? "呼叫#\(f.callId ?? 0)：\(who)的“\(code)”（\(f.priority)）已依次通知\(contacts)位家属，无人确认收到，请安排电话联系。"
                    : "Call #\(f.callId ?? 0): \"\(code)\" (\(f.priority)) for \(who). All \(contacts) family contacts were told in turn and none confirmed. Please phone them.")
        case .responderDispatched:
            title = zh ? "已派出救助人员" : "Help is on the way"
            let list = f.responders.isEmpty ? (zh ? "救助人员" : "a responder") : f.responders.joined(separator: zh ? "、" : ", ")
            body =
                zh
                ? "平台已为您的家人\(who)派出\(list)，正在赶往。"
                : "The care centre has sent \(list) to \(who); they are on the way."
        case .responderOnScene:
            title = zh ? "救助人员已到达" : "Responder on scene"
            let name = f.responderName ?? (zh ? "救助人员" : "The responder")
            body = zh ? "\(name)已到达您的家人\(who)身边。" : "\(name) has reached \(who)."
        case .resolved:
            title = zh ? "呼叫已处置" : "Call resolved"
            let outcome = f.outcomeLabel.map { zh ? $0.chinese : $0.english }
            body =
                zh
                ? "您的家人\(who)的呼叫已处置完毕" + (outcome.map { "：\($0)。" } ?? "。")
                : "The call for \(who) has been resolved" + (outcome.map { ": \($0)." } ?? ".")
        case .escalated:
            title = zh ? "呼叫超时升级" : "Call escalated"
            let code = zh ? f.codeLabel.chinese : f.codeLabel.english
            let count = f.escalationCount.map { zh ? "（第\($0)次）" : " (escalation \($0))" } ?? ""
            let what: String =
                switch f.deadline {
                case .unclaimed?: zh ? "超时无人接警" : "has not been claimed in time"
                case .responderOnScene?: zh ? "救助人员超时未到达" : "has a responder who is late reaching the elder"
                case .followUp?: zh ? "回访已逾期" : "is overdue for its follow-up call"
                case nil: zh ? "已超时" : "is overdue"
                }
            body =
                zh
                ? "呼叫#\(f.callId ?? 0)（\(who)，\(f.priority) \(code)）\(what)\(count)，请立即处理。"
                : "Call #\(f.callId ?? 0) (\(who), \(f.priority) \(code)) \(what)\(count). Please act now."
        case .bookingConfirmed(let toProvider):
            title = zh ? "预约已确认" : "Booking confirmed"
            body =
                toProvider
                ? (zh ? "新预约：\(f.service)，\(dateTime(f.at))，老人\(who)。" : "New booking: \(f.service), \(dateTime(f.at)), for \(who).")
                : (zh
                    ? "\(who)预约的\(f.service)已确认，服务时间\(dateTime(f.at))。"
                    : "\(who)'s booking for \(f.service) is confirmed for \(dateTime(f.at)).")
        case .bookingReminder:
            title = zh ? "服务提醒" : "Reminder"
            body =
                zh
                ? "提醒：\(who)明天（\(dateTime(f.at))）有\(f.service)服务。"
                : "Reminder: \(f.service) for \(who) tomorrow, \(dateTime(f.at))."
        case .workerAssigned:
            title = zh ? "已安排服务人员" : "Worker assigned"
            let worker = f.worker ?? (zh ? "服务人员" : "a worker")
            body =
                zh
                ? "\(who)的\(f.service)（\(dateTime(f.at))）已安排服务人员\(worker)。"
                : "\(worker) will provide \(f.service) for \(who) on \(dateTime(f.at))."
        case .visitMissed(let toProvider):
            title = zh ? "服务未按时上门" : "Visit missed"
            body =
                toProvider
                ? (zh
                    ? "服务未按时上门：\(f.service)，\(dateTime(f.at))，老人\(who)，请立即处理。"
                    : "Missed visit: \(f.service), \(dateTime(f.at)), for \(who). Please act now.")
                : (zh
                    ? "\(who)的\(f.service)（\(dateTime(f.at))）服务人员未按时上门，平台正在跟进。"
                    : "Nobody came for \(who)'s \(f.service) (\(dateTime(f.at))). The care centre is following it up.")
        case .workerOnTheWay:
            title = zh ? "服务人员已出发" : "Worker on the way"
            let worker = f.worker ?? (zh ? "服务人员" : "The worker")
            body =
                zh
                ? "\(worker)已出发前往\(who)家提供\(f.service)（\(dateTime(f.at))）。"
                : "\(worker) is on the way to \(who) for \(f.service) (\(dateTime(f.at)))."
        case .complaint:
            title = zh ? "服务投诉" : "Complaint about a visit"
            let text = f.record ?? ""
            body =
                zh
                ? "\(who)对\(dateTime(f.at))的\(f.service)服务提出投诉：“\(text)”。请在规定时限内处理并回复，民政部门可查阅。"
                : "\(who) complained about \(f.service) on \(dateTime(f.at)): \"\(text)\". Please handle and reply in time; the civil-affairs bureau can see it."
        case .rectification:
            let overdue = f.service == "overdue"
            let day = CalendarDate(date: f.at)
            let domain = f.record ?? ""
            title = zh ? (overdue ? "整改逾期" : "整改期限将至") : (overdue ? "Rectification overdue" : "Rectification due")
            body =
                zh
                ? (overdue
                    ? "贵机构检查发现的问题（\(domain)）未在\(day.month)月\(day.day)日前整改完毕，运营补贴已暂停，公示前可提交说明。"
                    : "贵机构检查发现的问题（\(domain)）须在\(day.month)月\(day.day)日前整改完毕。")
                : (overdue
                    ? "The finding (\(domain)) was not rectified by \(day); the operating subsidy is suspended. You may reply before it is published."
                    : "The finding (\(domain)) must be rectified by \(day).")
        case .certificateExpiring:
            title = zh ? "证书即将到期" : "Certificate expiring"
            let worker = f.worker ?? (zh ? "服务人员" : "a worker")
            let kind = f.record ?? (zh ? "资格" : "qualification")
            let day = CalendarDate(date: f.at)
            body =
                zh
                ? "\(worker)的\(kind)证书将于\(day.month)月\(day.day)日到期，到期后不能再安排相关服务，请及时办理。"
                : "\(worker)'s \(kind) certificate expires on \(day). After that they cannot be assigned services that need it."
        case .syncConflict:
            title = zh ? "档案同步冲突" : "Sync conflict"
            body =
                zh
                ? "健康档案同步冲突：记录\(f.record ?? "-")，请登录平台处理。"
                : "Health archive sync conflict on record \(f.record ?? "-"). Please resolve it on the platform."
        }
        let prefix = signature.isEmpty ? "" : (zh ? "【\(signature)】" : "[\(signature)] ")
        return (title, prefix + body)
    }

    /// `02:11`, local time.
    func clock(_ date: Date) -> String {
        let local = Int((date.timeIntervalSince1970 + Double(utcOffsetMinutes * 60)).rounded(.down))
        let s = ((local % 86_400) + 86_400) % 86_400
        return two(s / 3600) + ":" + two(s % 3600 / 60)
    }

    /// `11月24日 09:00` / `24 Nov 09:00`, local time.
    func dateTime(_ date: Date) -> String {
        let local = Int((date.timeIntervalSince1970 + Double(utcOffsetMinutes * 60)).rounded(.down))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let day = CalendarDate(daysSinceEpoch: days)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return language == .zh
            ? "\(day.month)月\(day.day)日 \(clock(date))"
            : "\(day.day) \(months[day.month - 1]) \(clock(date))"
    }

    private func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

/// Which message to write.
public enum MessageKind: Sendable, Hashable {
    /// To a family contact in the escalation chain.
    case emergency
    /// To the supervisor when the chain ran out (`contacts` were told, or there were none).
    case chainExhausted(contacts: Int)
    case responderDispatched
    case responderOnScene
    case resolved
    /// To the supervisor when a call missed a deadline.
    case escalated
    case bookingConfirmed(toProvider: Bool)
    case bookingReminder
    case workerAssigned
    case visitMissed(toProvider: Bool)
    case syncConflict
    case workerOnTheWay
    /// To a provider: one of its workers' certificates expires soon.
    case certificateExpiring
    /// To a provider: an elder or family complained about a visit.
    case complaint
    /// To an institution: an inspection finding's rectification deadline nears or has passed.
    case rectification
}

/// The facts a message may use, already cleaned: the elder's name is the short form.
public struct MessageFacts: Sendable {
    /// 黄女士 or 黄**.
    public var elder: String
    public var callId: Int64?
    public var codeLabel: (chinese: String, english: String)
    public var priority: String
    /// When the call opened, or the booked time.
    public var at: Date
    public var ackURL: String?
    public var responders: [String] = []
    public var responderName: String?
    public var outcomeLabel: (chinese: String, english: String)?
    public var deadline: CallDeadlineKind?
    public var escalationCount: Int?
    public var service: String = ""
    public var worker: String?
    public var record: String?

    public init(
        elder: String, callId: Int64? = nil, codeLabel: (chinese: String, english: String) = ("报警", "alarm"),
        priority: String = "", at: Date, ackURL: String? = nil
    ) {
        self.elder = elder; self.callId = callId; self.codeLabel = codeLabel; self.priority = priority; self.at = at
        self.ackURL = ackURL
    }
}
