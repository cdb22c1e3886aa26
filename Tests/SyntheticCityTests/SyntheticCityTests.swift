import CareModel
import Foundation
import SyntheticCity
import Testing

private let referenceDate = CalendarDate(year: 2025, month: 6, day: 1)!

private func elders(seed: UInt64, count: Int) -> [SyntheticElder] {
    var city = SyntheticCity(seed: seed, referenceDate: referenceDate)
    return (0..<count).map { _ in city.nextElder() }
}

@Suite("Synthetic city")
struct SyntheticCityTests {
    @Test("the same seed gives the same city and the same first 1,000 elders")
    func sameSeedSameSequence() {
        let a = elders(seed: 2025, count: 1_000)
        let b = elders(seed: 2025, count: 1_000)
        #expect(a.map(\.elder) == b.map(\.elder))
        #expect(a.map(\.contacts) == b.map(\.contacts))
        #expect(a.map(\.devices) == b.map(\.devices))

        let c1 = SyntheticCity(seed: 2025, referenceDate: referenceDate)
        let c2 = SyntheticCity(seed: 2025, referenceDate: referenceDate)
        #expect(c1.regions == c2.regions)
        #expect(
            c1.institutions.map { "\($0.name)|\($0.regionCode)|\($0.phone)|\($0.address)|\($0.beds ?? -1)" }
                == c2.institutions.map { "\($0.name)|\($0.regionCode)|\($0.phone)|\($0.address)|\($0.beds ?? -1)" })
    }

    @Test("a different seed gives different elders")
    func differentSeedDiffers() {
        let a = elders(seed: 1, count: 1_000).map(\.elder)
        let b = elders(seed: 2, count: 1_000).map(\.elder)
        #expect(a != b)
        #expect(zip(a, b).filter { $0.nationalId == $1.nationalId }.count < 10)
    }

    @Test("identity numbers validate, match birth date and sex, and are unique among 200,000 elders")
    func nationalIDs() throws {
        var city = SyntheticCity(seed: 99, referenceDate: referenceDate)
        var seen = Set<String>()
        seen.reserveCapacity(200_000)
        var duplicates = 0
        var mismatches = 0
        for i in 0..<200_000 {
            let e = city.nextElder().elder
            if !seen.insert(e.nationalId).inserted { duplicates += 1 }
            let id = try NationalID(validating: e.nationalId, today: city.timestamp)
            if id.birthDate != e.birthDate || id.sex != e.sex || id.regionCode != String(e.regionCode.prefix(6)) {
                mismatches += 1
            }
            if i < 5_000 {
                let sequence = Int(e.nationalId.dropFirst(14).prefix(3))!
                let made = NationalID.make(regionCode: id.regionCode, birthDate: e.birthDate, sequence: sequence)
                #expect(made.value == e.nationalId)
            }
        }
        #expect(duplicates == 0)
        #expect(mismatches == 0)
    }

    @Test("ages follow the target distribution: 55% 60–69, 30% 70–79, 13% 80–89, 2% 90+")
    func ageDistribution() {
        let sample = elders(seed: 7, count: 50_000)
        var buckets = [0, 0, 0, 0]
        var highAgeMismatches = 0
        for s in sample {
            let age = s.elder.age(on: referenceDate)
            #expect((60...105).contains(age))
            buckets[min(3, (age - 60) / 10)] += 1
            if (age >= 80) != s.elder.categories.contains(.highAge) { highAgeMismatches += 1 }
        }
        let shares = buckets.map { Double($0) / Double(sample.count) }
        #expect(abs(shares[0] - 0.55) < 0.02)
        #expect(abs(shares[1] - 0.30) < 0.02)
        #expect(abs(shares[2] - 0.13) < 0.02)
        #expect(abs(shares[3] - 0.02) < 0.01)
        #expect(highAgeMismatches == 0)
        let women = sample.filter { $0.elder.sex == .female }.count
        #expect((0.50...0.60).contains(Double(women) / Double(sample.count)))
    }

    @Test("elders live in communities of the map, inside Yulin, with valid phones and names")
    func eldersAreWellFormed() throws {
        var city = SyntheticCity(seed: 3, referenceDate: referenceDate)
        let communities = Set(city.regions.filter { $0.level == .community }.map(\.code))
        let villages = Set(city.regions.filter { $0.level == .community && $0.name.hasSuffix("村") }.map(\.code))
        for _ in 0..<20_000 {
            let s = city.nextElder()
            let e = s.elder
            #expect(communities.contains(e.regionCode))
            #expect(e.id == 0 && e.version == 1 && e.status == .active)
            #expect(e.createdAt == city.timestamp && e.updatedAt == city.timestamp)
            #expect((2...3).contains(e.name.count))
            let location = try #require(e.location)
            #expect((21.6...23.2).contains(location.latitude))
            #expect((109.5...110.9).contains(location.longitude))
            if let phone = e.phone { #expect(PhoneNumber.isValid(phone) && phone.count == 11) }
            #expect(e.address.hasPrefix("玉林市"))
            #expect((1...3).contains(s.contacts.count))
            for c in s.contacts {
                #expect(PhoneNumber.isValid(c.phone))
                #expect((2...3).contains(c.name.count))
                #expect(c.hasKey != nil)
            }
            #expect(s.contacts.filter { $0.relation == .spouse }.count <= 1)
            #expect((1...2).contains(s.devices.count))
            #expect(Set(s.devices.map(\.type)).count == s.devices.count)
            for d in s.devices { #expect(d.heartbeatSeconds == d.type.defaultHeartbeatSeconds) }
            if e.categories.contains(.wubao) { #expect(villages.contains(e.regionCode)) }
            if e.categories.contains(.disabled) { #expect(e.careLevel == .disabled) }
            #expect(e.categories == SubsidyCategory.set(fromMask: SubsidyCategory.mask(e.categories)))
            // What the API would accept.
            _ = try NewElder(
                name: e.name, nationalId: e.nationalId, birthDate: e.birthDate, sex: e.sex, phone: e.phone,
                address: e.address, location: e.location, regionCode: e.regionCode,
                livingSituation: e.livingSituation, careLevel: e.careLevel, categories: e.categories,
                consent: e.consent
            ).validated(now: city.timestamp)
            try NewContact.validate(s.contacts)
        }
    }

    @Test("the region tree is consistent and holds Yulin's seven real districts")
    func regionTree() throws {
        let regions = SyntheticCity(seed: 0, referenceDate: referenceDate).regions
        var byCode: [String: Region] = [:]
        for r in regions {
            #expect(byCode[r.code] == nil, "duplicate code \(r.code)")
            byCode[r.code] = r
        }
        let city = try #require(byCode["450900000000"])
        #expect(city.level == .city && city.parentCode == nil && city.name == "玉林市")
        let expected = [
            "450902": "玉州区", "450903": "福绵区", "450921": "容县", "450922": "陆川县",
            "450923": "博白县", "450924": "兴业县", "450981": "北流市",
        ]
        let districts = regions.filter { $0.level == .district }
        #expect(Dictionary(uniqueKeysWithValues: districts.map { (String($0.code.prefix(6)), $0.name) }) == expected)

        var position: [String: Int] = [:]
        for (i, r) in regions.enumerated() { position[r.code] = i }
        for r in regions {
            #expect(RegionCode.isWellFormed(r.code))
            #expect(RegionCode.level(of: r.code) == r.level)
            #expect(!r.name.isEmpty)
            guard let parentCode = r.parentCode else {
                #expect(r.level == .city)
                continue
            }
            let parent = try #require(byCode[parentCode], "parent \(parentCode) of \(r.code) is missing")
            #expect(parent.level.child == r.level)
            #expect(r.code.hasPrefix(parent.descendantPrefix) && r.code != parent.code)
            #expect(position[parentCode]! < position[r.code]!, "parents come before children")
            // The store's own rule for new regions.
            _ = try NewRegion(code: r.code, name: r.name, parentCode: r.parentCode).validated()
        }
        for d in districts {
            let streets = regions.filter { $0.parentCode == d.code }
            #expect((6...15).contains(streets.count))
            for s in streets { #expect(s.name.hasSuffix("街道") || s.name.hasSuffix("镇")) }
            #expect(streets.first?.code == String(d.code.prefix(6)) + "001000")
        }
        let yuzhou = Set(regions.filter { $0.parentCode == "450902000000" }.map(\.name))
        #expect(
            yuzhou.isSuperset(of: [
                "玉城街道", "南江街道", "城西街道", "城北街道", "名山街道",
                "大塘镇", "茂林镇", "仁东镇", "仁厚镇",
            ]))
        for s in regions where s.level == .street {
            #expect(!regions.filter { $0.parentCode == s.code }.isEmpty, "\(s.name) has communities")
        }
    }

    @Test("institutions pass validation and cover every kind")
    func institutions() throws {
        let city = SyntheticCity(seed: 0, referenceDate: referenceDate)
        let codes = Set(city.regions.map(\.code))
        for i in city.institutions {
            let valid = try i.validated(now: city.timestamp)
            #expect(codes.contains(valid.regionCode))
            #expect(valid.nursingBeds <= valid.beds)
            let location = try #require(i.location)
            #expect((21.6...23.2).contains(location.latitude) && (109.5...110.9).contains(location.longitude))
            switch i.kind {
            case .careHome:
                #expect((50...600).contains(valid.beds))
                #expect(Double(valid.nursingBeds) >= 0.3 * Double(valid.beds) - 1)
                #expect(Double(valid.nursingBeds) <= 0.6 * Double(valid.beds))
            case .ruralHappinessHome:
                #expect((10...30).contains(valid.beds))
                #expect(i.name.contains("村"))
            case .hospital:
                #expect(valid.beds > 0)
            default:
                break
            }
        }
        let kinds = Set(city.institutions.map(\.kind))
        #expect(kinds == Set(InstitutionKind.allCases))
        #expect(city.institutions.filter { $0.kind == .emergency120 }.map(\.name) == ["玉林市120急救指挥中心"])
        #expect(city.institutions.contains { $0.name == "玉林市第一人民医院" && $0.regionCode.hasPrefix("450902") })
        let streets = city.regions.filter { $0.level == .street }.count
        #expect(city.institutions.filter { $0.kind == .communityHealthCentre }.count == streets)
        for d in city.regions where d.level == .district {
            let prefix = String(d.code.prefix(6))
            let hospitals = city.institutions.filter { $0.kind == .hospital && $0.regionCode.hasPrefix(prefix) }
            #expect((1...3).contains(hospitals.count))
            #expect(city.institutions.contains { $0.kind == .careHome && $0.regionCode.hasPrefix(prefix) })
        }
    }
}
