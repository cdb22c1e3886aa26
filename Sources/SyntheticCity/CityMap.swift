import CareModel

/// A street (街道) or township (镇) of the synthetic city.
struct StreetInfo: Sendable {
    let code: String
    let name: String
    let district: Int
    /// A 街道 of an urban district, or the township that is a county seat.
    let isUrban: Bool
    let latitude: Double
    let longitude: Double
    /// Indices of its communities and villages in ``CityMap/communities``.
    let communities: Range<Int>
}

/// A community (社区) or village (村): everything an elder's record needs about where they live.
struct CommunityInfo: Sendable {
    let code: String
    let name: String
    let district: Int
    let street: Int
    let isVillage: Bool
    /// A community of a 街道 or county seat: flats in buildings, so addresses carry 栋/单元/room.
    let isUrban: Bool
    /// 「玉林市玉州区玉城街道东门社区」: the address up to the community or village.
    let addressPrefix: String
    let latitude: Double
    let longitude: Double
    /// How far (in degrees) homes lie from the centre.
    let spread: Double
    /// Roads (urban), town streets (town communities) or village groups (villages).
    let ways: [String]
    /// Relative share of the city's elders living here.
    var weight: Double
}

/// The region tree of the synthetic Yulin, built once from ``YulinGeography`` with a fixed generator,
/// so every seed shares the same map.
struct CityMap: Sendable {
    /// City, then the 7 districts, then all streets, then all communities: parents before children.
    let regions: [Region]
    let streets: [StreetInfo]
    let communities: [CommunityInfo]
    let districts: [DistrictProfile]

    init() {
        var random = RandomSource(seed: 0x5955_4C49_4E00_0001)  // "YULIN", fixed: the map never varies
        let districts = YulinGeography.districts
        self.districts = districts
        var districtRegions: [Region] = []
        var streetRegions: [Region] = []
        var communityRegions: [Region] = []
        var streets: [StreetInfo] = []
        var communities: [CommunityInfo] = []

        for (d, district) in districts.enumerated() {
            let districtCode = district.code + "000000"
            districtRegions.append(
                Region(
                    code: districtCode, name: district.name, level: .district,
                    parentCode: YulinGeography.cityCode))
            var urbanStems = PlaceNames.urbanCommunityStems
            urbanStems.shuffle(using: &random)
            var nextUrbanStem = 0
            var rawWeights: [Double] = []
            let firstCommunityOfDistrict = communities.count

            for (s, streetName) in district.streets.enumerated() {
                let streetCode = district.code + threeDigits(s + 1) + "000"
                let isJiedao = streetName.hasSuffix("街道")
                let isSeat = streetName == district.seatTown
                let isUrban = isJiedao || isSeat
                streetRegions.append(Region(code: streetCode, name: streetName, level: .street, parentCode: districtCode))

                // Urban streets cluster round the district seat; townships scatter over the district.
                let (lat, lon): (Double, Double)
                if isUrban {
                    lat = district.centreLatitude + random.signedUnit() * 0.022
                    lon = district.centreLongitude + random.signedUnit() * 0.022
                } else {
                    let latMargin = (district.latitudes.upperBound - district.latitudes.lowerBound) * 0.1
                    let lonMargin = (district.longitudes.upperBound - district.longitudes.lowerBound) * 0.1
                    lat =
                        district.latitudes.lowerBound + latMargin
                        + random.unit() * (district.latitudes.upperBound - district.latitudes.lowerBound - 2 * latMargin)
                    lon =
                        district.longitudes.lowerBound + lonMargin
                        + random.unit() * (district.longitudes.upperBound - district.longitudes.lowerBound - 2 * lonMargin)
                }

                let communityCount: Int
                let villageCount: Int
                if isJiedao {
                    communityCount = random.int(in: 6...10); villageCount = random.int(in: 0...4)
                } else if isSeat {
                    communityCount = random.int(in: 5...9); villageCount = random.int(in: 8...14)
                } else {
                    communityCount = random.int(in: 1...2); villageCount = random.int(in: 8...16)
                }

                let first = communities.count
                let streetPrefix = YulinGeography.cityName + district.name + streetName
                let townStem = String(streetName.dropLast())
                var usedNames: Set<String> = []

                for c in 0..<communityCount {
                    let stem: String
                    if isUrban {
                        stem = urbanStems[nextUrbanStem % urbanStems.count]
                        nextUrbanStem += 1
                    } else if c == 0 {
                        stem = townStem
                    } else {
                        stem = random.pick(PlaceNames.townCommunityStems.filter { !usedNames.contains($0 + "社区") })
                    }
                    let name = stem + "社区"
                    usedNames.insert(name)
                    let code = String(streetCode.prefix(9)) + threeDigits(c + 1)
                    let spreadAround = isUrban ? 0.010 : 0.004
                    let ways =
                        isUrban
                        ? Array(district.roads.shuffled(using: &random).prefix(random.int(in: 3...4)))
                        : Array(PlaceNames.townStreets.shuffled(using: &random).prefix(random.int(in: 2...3)))
                    communities.append(
                        CommunityInfo(
                            code: code, name: name, district: d, street: streets.count, isVillage: false, isUrban: isUrban,
                            addressPrefix: streetPrefix + name,
                            latitude: clamp(lat + random.signedUnit() * spreadAround, district.latitudes),
                            longitude: clamp(lon + random.signedUnit() * spreadAround, district.longitudes),
                            spread: isUrban ? 0.003 : 0.004, ways: ways, weight: 0))
                    rawWeights.append((isUrban ? 2.4 : 1.0) * (0.6 + 0.8 * random.unit()))
                    communityRegions.append(Region(code: code, name: name, level: .community, parentCode: streetCode))
                }
                for v in 0..<villageCount {
                    var name: String
                    repeat {
                        name = random.pick(PlaceNames.villageFirst) + random.pick(PlaceNames.villageSecond) + "村"
                    } while usedNames.contains(name) || name.hasPrefix(townStem)
                    usedNames.insert(name)
                    // Villages take 200 and up, as in the national statistical codes (村委会 2xx).
                    let code = String(streetCode.prefix(9)) + threeDigits(200 + v + 1)
                    let ways = Array(PlaceNames.villageGroups.shuffled(using: &random).prefix(random.int(in: 4...8)))
                    communities.append(
                        CommunityInfo(
                            code: code, name: name, district: d, street: streets.count, isVillage: true, isUrban: false,
                            addressPrefix: streetPrefix + name,
                            latitude: clamp(lat + random.signedUnit() * 0.04, district.latitudes),
                            longitude: clamp(lon + random.signedUnit() * 0.04, district.longitudes),
                            spread: 0.006, ways: ways, weight: 0))
                    rawWeights.append(0.7 * (0.6 + 0.8 * random.unit()))
                    communityRegions.append(Region(code: code, name: name, level: .community, parentCode: streetCode))
                }
                streets.append(
                    StreetInfo(
                        code: streetCode, name: streetName, district: d, isUrban: isUrban,
                        latitude: lat, longitude: lon, communities: first..<communities.count))
            }

            // Share the district's elders among its communities.
            let total = rawWeights.reduce(0, +)
            for (i, raw) in rawWeights.enumerated() {
                communities[firstCommunityOfDistrict + i].weight = district.populationWeight * raw / total
            }
        }

        let city = Region(code: YulinGeography.cityCode, name: YulinGeography.cityName, level: .city, parentCode: nil)
        self.regions = [city] + districtRegions + streetRegions + communityRegions
        self.streets = streets
        self.communities = communities
    }
}

/// `0…999` as three digits with leading zeros.
func threeDigits(_ n: Int) -> String {
    String(n / 100 % 10) + String(n / 10 % 10) + String(n % 10)
}

/// `value` moved inside `range`.
func clamp(_ value: Double, _ range: ClosedRange<Double>) -> Double {
    min(max(value, range.lowerBound), range.upperBound)
}
