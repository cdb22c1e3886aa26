public import CareModel
import Foundation

/// A realistic, reproducible synthetic city in Yulin (玉林市), Guangxi: the real districts and
/// townships, generated communities and villages, care institutions, and as many elders as asked for.
///
/// ```swift
/// var city = SyntheticCity(seed: 42, referenceDate: CalendarDate(year: 2025, month: 6, day: 1)!)
/// store.insert(city.regions)            // parents before children
/// store.insert(city.institutions)
/// for _ in 0..<1_000_000 { let e = city.nextElder(); … }
/// ```
///
/// The map (``regions``) and ``institutions`` are the same for every seed: they are the city's
/// geography. The elders depend on the seed: the same seed always gives the same sequence, and every
/// identity number within one sequence is unique. Generation is fast (no Foundation formatting, one
/// `[UInt16]` counter array for identity numbers) so a million elders take a few seconds.
public struct SyntheticCity: Sendable {
    /// The region tree: Yulin, its 7 county-level divisions, their streets and townships, and their
    /// communities and villages, ordered so that every parent comes before its children.
    public let regions: [Region]
    /// Care homes, day-care centres, rural happiness homes, home-care service centres, a health centre
    /// per street, hospitals and the city's 120 station.
    public let institutions: [NewInstitution]
    /// "Today" for ages: every elder is 60–105 on this day.
    public let referenceDate: CalendarDate
    /// The `createdAt`/`updatedAt` of every elder: 09:00 China time on ``referenceDate``.
    public let timestamp: Date

    private let model: ElderModel
    private var random: RandomSource
    private var ids: IDAllocator

    /// - Parameters:
    ///   - seed: decides the elders; the same seed gives the same elders.
    ///   - referenceDate: the day ages are reckoned on (1960 or later).
    public init(seed: UInt64, referenceDate: CalendarDate) {
        precondition(referenceDate.year >= 1960, "the reference date must be 1960 or later")
        let map = CityMap()
        self.regions = map.regions
        self.institutions = InstitutionPlanner.plan(on: map)
        self.referenceDate = referenceDate
        self.timestamp = Date(timeIntervalSince1970: Double(referenceDate.daysSinceEpoch * 86_400 + 3_600))
        self.model = ElderModel(map: map, referenceDate: referenceDate)
        self.random = RandomSource(seed: seed, stream: 3)
        self.ids = IDAllocator(
            districtCount: map.districts.count, firstDay: model.firstBirthDay,
            lastDay: model.lastBirthDay)
    }

    /// The next synthetic elder. Deterministic: the same seed gives the same sequence.
    public mutating func nextElder() -> SyntheticElder {
        let m = model
        let community = m.communities[m.communityTable.draw(&random)]
        let district = community.district

        // Age, sex and birth date; the identity number may move the birth date by a day or two.
        var ageIndex = m.ageTable.draw(&random)
        let female = !random.chance(m.maleShare[ageIndex])
        let wantedDay = m.ageLowestDay[ageIndex] + random.below(m.ageDayCount[ageIndex])
        let (day, sequence) = ids.allocate(district: district, day: wantedDay, female: female)
        let birthDate = CalendarDate(daysSinceEpoch: day)
        if day != wantedDay {
            ageIndex = birthDate.years(until: referenceDate) - Demography.youngestAge
        }
        let age = Demography.youngestAge + ageIndex
        let nationalId = IDNumber.make(
            region: m.districtNumbers[district], year: birthDate.year,
            month: birthDate.month, day: birthDate.day, sequence: sequence)

        let generation: NamePicker.Generation = birthDate.year < 1950 ? .old : .young
        let surname = m.names.surname(&random)
        let name = surname + m.names.givenName(generation, female: female, &random)
        let phone: String? = random.chance(0.85) ? Phones.mobile(&random) : nil

        // Household and health.
        let roll = random.unit()
        let living: LivingSituation =
            roll < m.aloneShare[ageIndex]
            ? .alone
            : roll < m.aloneShare[ageIndex] + (female ? m.spouseShareFemale[ageIndex] : m.spouseShareMale[ageIndex])
                ? .withSpouse : .withFamily
        let careRoll = random.unit()
        let care: CareLevel =
            careRoll < m.disabledShare[ageIndex]
            ? .disabled
            : careRoll < m.disabledShare[ageIndex] + m.semiDisabledShare[ageIndex] ? .semiDisabled : .selfCare

        // Subsidies, in SubsidyCategory.allCases order (as the store gives them back).
        var supported = false  // 三无/五保: no family obliged to support them
        var categories: [SubsidyCategory] = []
        if living == .alone {
            if community.isVillage {
                if random.chance(ElderModel.wubaoShareOfVillagersAlone) { categories.append(.wubao); supported = true }
            } else if random.chance(ElderModel.sanwuShareOfTownspeopleAlone) {
                categories.append(.sanwu); supported = true
            }
        }
        if !supported {
            let r = random.unit()
            if r < 0.05 { categories.append(.dibao) } else if r < 0.13 { categories.append(.lowIncome) }
        }
        if care == .disabled && random.chance(0.6) { categories.append(.disabled) }
        if age >= 80 { categories.append(.highAge) }

        let consent = Consent(
            shareHealthArchive: random.chance(0.70), useLocation: random.chance(0.90),
            notifyFamily: random.chance(0.95))

        let address = makeAddress(community)
        let location = Coordinates(
            latitude: clamp(community.latitude + random.signedUnit() * community.spread, m.districtLatitudes[district]),
            longitude: clamp(community.longitude + random.signedUnit() * community.spread, m.districtLongitudes[district]))

        let elder = Elder(
            id: 0, name: name, nationalId: nationalId, birthDate: birthDate, sex: female ? .female : .male,
            phone: phone, address: address, location: location, regionCode: community.code,
            livingSituation: living, careLevel: care, categories: categories, consent: consent,
            status: .active, version: 1, createdAt: timestamp, updatedAt: timestamp)
        let contacts = makeContacts(
            surname: surname, female: female, generation: generation,
            living: living, withoutFamily: supported)
        let devices = makeDevices(living: living, care: care)
        return SyntheticElder(elder: elder, contacts: contacts, devices: devices)
    }

    /// 「玉林市玉州区玉城街道东门社区人民东路12号3栋2单元501」, 「…温泉镇新街社区解放街8号」 or
    /// 「…米场镇石岭村大屋组18号」.
    private mutating func makeAddress(_ c: CommunityInfo) -> String {
        let numbers = model.smallNumbers
        var text = ""
        text.reserveCapacity(c.addressPrefix.utf8.count + 64)
        text += c.addressPrefix
        text += c.ways[random.below(c.ways.count)]
        if c.isVillage {
            text += numbers[1 + random.below(80)]
            text += "号"
        } else if c.isUrban && random.chance(0.75) {
            text += numbers[1 + random.below(300)]
            text += "号"
            text += numbers[1 + random.below(20)]
            text += "栋"
            text += numbers[1 + random.below(4)]
            text += "单元"
            text += numbers[1 + random.below(18)]
            text += "0"
            text += numbers[1 + random.below(4)]
        } else {
            text += numbers[1 + random.below(c.isUrban ? 300 : 120)]
            text += "号"
        }
        return text
    }

    /// 1–3 contacts in call order: usually a child or the spouse first.
    private mutating func makeContacts(
        surname: String, female: Bool, generation: NamePicker.Generation,
        living: LivingSituation, withoutFamily: Bool
    ) -> [NewContact] {
        let names = model.names
        let roll = random.unit()
        let count = roll < 0.25 ? 1 : roll < 0.70 ? 2 : 3
        var contacts: [NewContact] = []
        contacts.reserveCapacity(count)
        // Children carry their father's surname: the elder's own for a man, the husband's for a woman.
        let husbandSurname = female ? names.surname(&random) : surname
        var spouseUsed = false

        for position in 0..<count {
            let relation: Relation
            if withoutFamily {
                guard position < 2 else { break }
                relation = position == 0 ? .communityWorker : .neighbour
            } else if position == 0 {
                if living == .withSpouse && random.chance(0.4) {
                    relation = .spouse
                } else if random.chance(0.93) {
                    relation = random.chance(0.55) ? .son : .daughter
                } else {
                    relation = living == .alone ? .communityWorker : .neighbour
                }
            } else {
                let r = random.below(100)
                if living == .withSpouse && !spouseUsed && r < 20 {
                    relation = .spouse
                } else if r < 48 {
                    relation = .son
                } else if r < 74 {
                    relation = .daughter
                } else if r < 84 {
                    relation = .daughterInLaw
                } else if r < 94 {
                    relation = .neighbour
                } else {
                    relation = .communityWorker
                }
            }
            if relation == .spouse { spouseUsed = true }

            let name: String
            let keyChance: Double
            switch relation {
            case .spouse:
                name =
                    (female ? husbandSurname : names.surname(&random))
                    + names.givenName(generation, female: !female, &random)
                keyChance = 1
            case .son:
                name = husbandSurname + names.givenName(.child, female: false, &random)
                keyChance = 0.5
            case .daughter:
                name = husbandSurname + names.givenName(.child, female: true, &random)
                keyChance = 0.4
            case .daughterInLaw:
                name = names.surname(&random) + names.givenName(.child, female: true, &random)
                keyChance = 0.4
            case .neighbour:
                name = names.surname(&random) + names.givenName(generation, female: random.chance(0.6), &random)
                keyChance = 0.3
            default:
                name = names.surname(&random) + names.givenName(.child, female: random.chance(0.7), &random)
                keyChance = 0.15
            }
            let hasKey = random.chance(position == 0 ? 0.6 : keyChance)
            contacts.append(NewContact(name: name, relation: relation, phone: Phones.mobile(&random), hasKey: hasKey))
        }
        return contacts
    }

    /// 1–2 devices: mostly an SOS pendant; those living alone or disabled more often get a second.
    private mutating func makeDevices(living: LivingSituation, care: CareLevel) -> [SyntheticDevice] {
        let types = model.deviceTypes
        let first = types[model.firstDeviceTable.draw(&random)]
        let secondChance = (living == .alone ? 0.6 : 0.25) + (care == .disabled ? 0.2 : 0)
        guard random.chance(secondChance) else { return [SyntheticDevice(type: first)] }
        var second = types[model.secondDeviceTable.draw(&random)]
        while second == first { second = types[model.secondDeviceTable.draw(&random)] }
        return [SyntheticDevice(type: first), SyntheticDevice(type: second)]
    }
}
