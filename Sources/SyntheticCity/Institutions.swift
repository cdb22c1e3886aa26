import CareModel

/// Lays out the city's care institutions and service points over the map: care homes, day-care
/// centres, rural happiness homes, home-care service centres, a health centre per street,
/// hospitals and the city's 120 station. Fixed, like the map.
enum InstitutionPlanner {
    static func plan(on map: CityMap) -> [NewInstitution] {
        var random = RandomSource(seed: 0x5955_4C49_4E00_0002)
        var result: [NewInstitution] = []

        func place(
            _ kind: InstitutionKind, _ name: String, at c: CommunityInfo, phone: String? = nil,
            beds: Int? = nil, nursingBeds: Int? = nil
        ) {
            let district = map.districts[c.district]
            let way = random.pick(c.ways)
            let address = c.addressPrefix + way + Phones.decimal(random.int(in: 1...399)) + "号"
            let location = Coordinates(
                latitude: clamp(c.latitude + random.signedUnit() * 0.002, district.latitudes),
                longitude: clamp(c.longitude + random.signedUnit() * 0.002, district.longitudes))
            result.append(
                NewInstitution(
                    kind: kind, name: name, regionCode: c.code, address: address, location: location,
                    phone: phone ?? Phones.landline(localPrefix: district.landlinePrefix, &random),
                    beds: beds, nursingBeds: nursingBeds))
        }
        func withNursing(_ beds: Int) -> Int { Int(Double(beds) * (0.30 + 0.30 * random.unit())) }

        for (d, district) in map.districts.enumerated() {
            let streets = map.streets.filter { $0.district == d }
            let urban = streets.filter(\.isUrban).flatMap { map.communities[$0.communities] }.filter { !$0.isVillage }
            let towns = streets.filter { !$0.isUrban }
            let villages = map.communities.filter { $0.district == d && $0.isVillage }

            // The city's own institutions sit in Yuzhou, the city seat.
            if d == 0 {
                place(.emergency120, "玉林市120急救指挥中心", at: urban[0], phone: "120")
                let beds = 500
                place(.careHome, "玉林市社会福利院", at: random.pick(urban), beds: beds, nursingBeds: withNursing(beds))
            }

            for hospital in district.hospitals {
                place(.hospital, hospital.name, at: random.pick(urban), beds: hospital.beds, nursingBeds: 0)
            }

            // Care homes: the district's public welfare home, one or two private ones, and the
            // township homes (敬老院) of a few townships.
            let welfareBeds = random.int(in: 150...400)
            place(
                .careHome, district.name + "社会福利院", at: random.pick(urban),
                beds: welfareBeds, nursingBeds: withNursing(welfareBeds))
            var words = PlaceNames.careHomeWords.shuffled(using: &random)
            for _ in 0..<random.int(in: 1...2) {
                let beds = random.int(in: 80...600)
                place(
                    .careHome, district.name + words.removeLast() + random.pick(PlaceNames.careHomeKinds),
                    at: random.pick(urban), beds: beds, nursingBeds: withNursing(beds))
            }
            for town in towns.shuffled(using: &random).prefix(random.int(in: 1...2)) {
                let beds = random.int(in: 50...120)
                place(
                    .careHome, district.name + town.name + "敬老院", at: map.communities[town.communities.lowerBound],
                    beds: beds, nursingBeds: withNursing(beds))
            }

            for c in urban.shuffled(using: &random).prefix(random.int(in: 2...4)) {
                place(.dayCareCentre, district.name + c.name + "老年人日间照料中心", at: c)
            }

            for v in villages.shuffled(using: &random).prefix(random.int(in: 3...6)) {
                let townName = map.streets[v.street].name
                place(
                    .ruralHappinessHome, townName + v.name + "农村幸福院", at: v,
                    beds: random.int(in: 10...30), nursingBeds: 0)
            }

            place(.homeCareCentre, district.name + "居家养老服务中心", at: random.pick(urban))
            for street in streets where street.isUrban && random.chance(0.5) {
                place(
                    .homeCareCentre, district.name + street.name + "居家养老服务站",
                    at: map.communities[street.communities.lowerBound])
            }

            for street in streets {
                let isJiedao = street.name.hasSuffix("街道")
                place(
                    .communityHealthCentre,
                    district.name + street.name + (isJiedao ? "社区卫生服务中心" : "卫生院"),
                    at: map.communities[street.communities.lowerBound])
            }
        }
        return result
    }
}
