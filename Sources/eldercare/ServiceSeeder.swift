import Bookings
import CareModel
import CareStore
import Foundation

/// The home-service network of the demo city: each district's home-care centre becomes a
/// provider serving its district, with certified workers (one whose certificates expire in 40
/// days, so their provider is warned ten days on), a volunteer, worker accounts, and a week of bookings for some of its elders.
/// Shared by `seed` and `demo`; it does nothing when providers already exist.
struct ServiceSeeder {
    var seed: UInt64
    var workersPerProvider = 4
    var eldersPerProvider = 24

    struct Report {
        var providers = 0
        var workers = 0
        var bookings = 0
    }

    static let names = ["张丽", "李娟", "黄春梅", "陈秀兰", "梁建华", "韦海燕", "莫志强", "覃小红", "庞玉兰", "钟国庆", "冯桂芳", "吴德明"]

    func seed(_ database: CareDatabase, now: Date = Date()) async throws -> Report {
        // Demo data may start sooner than the configured notice, so the simulated workers have
        // visits to check in to within the demo's first minutes.
        var policy = BookingPolicy.standard
        policy.minimumNoticeMinutes = 0
        // Demo bookings are not news for anyone: nothing goes to the outbox.
        let store = BookingStore(database, policy: policy, notifies: false)
        guard try await store.providers().isEmpty else { return Report() }
        var random = SplitMix(seed)
        var report = Report()
        let today = CalendarDate(date: now)
        let centres = try await database.registry.institutions(InstitutionFilter(kind: .homeCareCentre), page: PageRequest(limit: 500))
            .items
        // One provider per district: the district's centre (its name has no street in it).
        var byDistrict: [String: Institution] = [:]
        for c in centres where c.name.hasSuffix("居家养老服务中心") {
            byDistrict[String(c.regionCode.prefix(6)) + "000000"] = byDistrict[String(c.regionCode.prefix(6)) + "000000"] ?? c
        }
        for (district, centre) in byDistrict.sorted(by: { $0.key < $1.key }) {
            _ = try await store.saveProvider(
                ServiceProvider(
                    institutionId: centre.id, regions: [district], contractNumber: "YL-\(today.year)-\(centre.id)",
                    contractUntil: CalendarDate(year: today.year + 1, month: 12, day: 31)!, status: .active), by: .commandLine)
            report.providers += 1
            let base = centre.location ?? Coordinates(latitude: 22.63, longitude: 110.15)
            for n in 0...workersPerProvider {
                let volunteer = n == workersPerProvider
                let name = Self.names[Int(random.next() % UInt64(Self.names.count))]
                let account = try await database.createAccount(
                    NewAccount(name: "\(name)-\(centre.id)-\(n)", role: .worker), by: .commandLine)
                let expires = CalendarDate(daysSinceEpoch: today.daysSinceEpoch + (n == 1 ? 40 : 400))
                var certificates = [
                    Certificate(kind: "housekeeping", number: "HK\(centre.id)\(n)", issuer: "玉林市人力资源和社会保障局", expiresOn: expires),
                    Certificate(kind: "food_handler", number: "FH\(centre.id)\(n)", issuer: "玉林市市场监督管理局", expiresOn: expires),
                    Certificate(kind: "care_worker", number: "CW\(centre.id)\(n)", issuer: "玉林市人力资源和社会保障局", expiresOn: expires),
                ]
                var skills = ["housekeeping", "meal_delivery", "personal_care", "companionship", "errands"]
                if n == 2 {
                    skills.append("rehabilitation")
                    certificates.append(Certificate(kind: "nurse", number: "RN\(centre.id)", issuer: "广西壮族自治区卫生健康委员会", expiresOn: expires))
                }
                if volunteer {
                    skills = ["companionship", "errands"]
                    certificates = []
                }
                let home = Coordinates(
                    latitude: base.latitude + (Double(random.next() % 200) - 100) / 10_000,
                    longitude: base.longitude + (Double(random.next() % 200) - 100) / 10_000)
                _ = try await store.createWorker(
                    NewServiceWorker(
                        providerId: centre.id, accountId: account.id, name: name, skills: skills, certificates: certificates,
                        workingHours: [
                            volunteer
                                ? WorkingHours(weekdays: [1, 2, 3, 4, 5, 6, 7], start: "09:00", end: "12:00")
                                : WorkingHours(weekdays: [1, 2, 3, 4, 5, 6], start: "08:00", end: "18:00")
                        ], home: home, volunteerGroup: volunteer ? "玉林市为老志愿服务队" : nil), by: .commandLine)
                report.workers += 1
            }
            // A week of bookings: a few within the hour (the demo's workers check in to them), then each day.
            let elders = try await database.registry.elders(ElderFilter(region: district), page: PageRequest(limit: eldersPerProvider))
                .items
            for (i, elder) in elders.enumerated() {
                let services = ["cleaning", "meal", "companionship", "shopping", "bathing", "laundry"]
                let service = services[Int(random.next() % UInt64(services.count))]
                let day = CalendarDate(daysSinceEpoch: today.daysSinceEpoch + 1 + i % 7)
                let slot = 8 * 60 + Int(random.next() % 15) * 30
                var starts = [LocalTime.midnight(day).addingTimeInterval(Double(slot * 60))]
                if i < 4 {
                    // Soon: within the demo's first hour, on whole ten minutes.
                    let soon = now.addingTimeInterval(Double(5 + i * 15) * 60)
                    starts.append(Date(timeIntervalSince1970: (soon.timeIntervalSince1970 / 600).rounded(.up) * 600))
                }
                for start in starts {
                    let request = NewBooking(elderId: elder.id, service: service, start: start, note: "演示预约")
                    if let made = try? await store.create(request, idempotencyKey: nil, by: .commandLine) {
                        report.bookings += made.result.bookings.count
                    }
                }
            }
        }
        return report
    }
}

/// SplitMix64: the seeder's own small deterministic generator.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1330_11EB
        return z ^ (z >> 31)
    }
}
