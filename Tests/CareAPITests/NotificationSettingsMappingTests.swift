import CareConfig
import CareModel
import Notifications
import Testing

@testable import CareAPI

@Suite("The notifications worker's settings from configuration")
struct NotificationSettingsMappingTests {
    @Test func channelsAndQuietHoursAreReadFromTheirKeys() throws {
        var c = CareSettings.Notifications()
        c.channelOrder = "push, sms"
        c.quietHoursStart = "23:30"
        c.quietHoursEnd = "06:00"
        c.smsURL = "https://sms.example.cn/send"
        c.smsFormat = .query
        c.language = .en
        let settings = try NotificationSettings(c)
        #expect(settings.channelOrder == [.push, .sms])
        #expect(settings.quietHours == QuietHours(start: 1410, end: 360, utcOffsetMinutes: 480))
        #expect(settings.sms?.format == .query)
        #expect(settings.language == .en)
    }

    /// A channel no key allows used to be dropped from the order without a word.
    @Test func aValueNoKeyAllowsIsRefusedNamingTheKey() throws {
        var c = CareSettings.Notifications()
        c.channelOrder = "sms,email"
        let problem = try #require(throws: ConfigurationProblem.self) { try NotificationSettings(c) }
        #expect(problem.key == "notifications.channelOrder")
        #expect(problem.value == "sms,email")
    }
}
