import CareModel

/// The tables ``SyntheticCity/nextElder()`` draws from, built once per city.
final class ElderModel: Sendable {
    /// Calibrated so that about 1% of all elders are 五保 (rural, alone) and 0.3% 三无 (urban, alone).
    static let wubaoShareOfVillagersAlone = 0.075
    static let sanwuShareOfTownspeopleAlone = 0.045

    let communities: [CommunityInfo]
    let communityTable: WeightedTable
    let districtNumbers: [Int]
    let districtLatitudes: [ClosedRange<Double>]
    let districtLongitudes: [ClosedRange<Double>]

    let ageTable: WeightedTable
    /// Per age from 60: the earliest birth day giving that age on the reference date, and how many days.
    let ageLowestDay: [Int]
    let ageDayCount: [Int]
    let firstBirthDay: Int
    let lastBirthDay: Int
    let maleShare: [Double]
    let aloneShare: [Double]
    let spouseShareMale: [Double]
    let spouseShareFemale: [Double]
    let semiDisabledShare: [Double]
    let disabledShare: [Double]

    let names: NamePicker
    let smallNumbers: [String]
    let deviceTypes: [DeviceType]
    let firstDeviceTable: WeightedTable
    let secondDeviceTable: WeightedTable

    init(map: CityMap, referenceDate: CalendarDate) {
        communities = map.communities
        communityTable = WeightedTable(map.communities.map(\.weight))
        districtNumbers = map.districts.map { Int($0.code)! }
        districtLatitudes = map.districts.map(\.latitudes)
        districtLongitudes = map.districts.map(\.longitudes)

        let ages = Array(Demography.youngestAge...Demography.oldestAge)
        ageTable = WeightedTable(Demography.ageWeights())
        // The last day on which someone turns `age` on the reference date is the reference date
        // `age` years back (28 February standing in for a missing 29th).
        func lastDay(ofAge age: Int) -> Int {
            let year = referenceDate.year - age
            let day = min(referenceDate.day, CalendarDate.daysIn(month: referenceDate.month, year: year))
            return CalendarDate(year: year, month: referenceDate.month, day: day)!.daysSinceEpoch
        }
        ageLowestDay = ages.map { lastDay(ofAge: $0 + 1) + 1 }
        ageDayCount = ages.map { lastDay(ofAge: $0) - lastDay(ofAge: $0 + 1) }
        firstBirthDay = lastDay(ofAge: Demography.oldestAge + 1) + 1
        lastBirthDay = lastDay(ofAge: Demography.youngestAge)
        maleShare = ages.map(Demography.maleShare(age:))
        aloneShare = ages.map(Demography.aloneShare(age:))
        spouseShareMale = ages.map { Demography.spouseShare(age: $0, female: false) }
        spouseShareFemale = ages.map { Demography.spouseShare(age: $0, female: true) }
        semiDisabledShare = ages.map { Demography.careShares(age: $0).semi }
        disabledShare = ages.map { Demography.careShares(age: $0).disabled }

        names = NamePicker()
        smallNumbers = Phones.smallNumbers
        deviceTypes = DeviceType.allCases
        func weights(_ table: [DeviceType: Double]) -> [Double] { DeviceType.allCases.map { table[$0] ?? 0 } }
        firstDeviceTable = WeightedTable(
            weights([
                .sosPendant: 0.62, .watch: 0.15, .fallDetector: 0.08, .wallButton: 0.05, .bedSensor: 0.04,
                .doorSensor: 0.03, .smokeSensor: 0.015, .gasSensor: 0.015,
            ]))
        secondDeviceTable = WeightedTable(
            weights([
                .doorSensor: 0.25, .smokeSensor: 0.18, .gasSensor: 0.18, .fallDetector: 0.14, .bedSensor: 0.10,
                .wallButton: 0.08, .watch: 0.04, .sosPendant: 0.03,
            ]))
    }
}
