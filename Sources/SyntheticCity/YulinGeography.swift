/// One county-level division of Yulin (玉林市) as the synthetic city models it: its real code, name and
/// townships, a rough population weight and a rough map box.
struct DistrictProfile: Sendable {
    /// The six-digit administrative code, e.g. `450902`.
    let code: String
    let name: String
    /// Relative share of the city's elders (roughly the registered population).
    let populationWeight: Double
    /// Where the district's seat lies.
    let centreLatitude: Double
    let centreLongitude: Double
    /// A box that lies within the district (and within Yulin).
    let latitudes: ClosedRange<Double>
    let longitudes: ClosedRange<Double>
    /// Streets (街道) and townships (镇) in code order: the first gets `…001000`.
    let streets: [String]
    /// The township that is the county seat when the district has no 街道 (its first entry), else nil.
    let seatTown: String?
    /// Roads of the urban core, used for addresses in urban communities.
    let roads: [String]
    /// The first digits of the district's seven-digit landline numbers (after `0775-`).
    let landlinePrefix: String
    /// Public hospitals with their approximate number of beds.
    let hospitals: [(name: String, beds: Int)]
}

/// The geography of Yulin, Guangxi: 7 county-level divisions, their real streets and townships.
enum YulinGeography {
    static let cityCode = "450900000000"
    static let cityName = "玉林市"
    /// The landline area code of the whole city.
    static let areaCode = "0775"
    /// A box around the whole city.
    static let latitudes: ClosedRange<Double> = 21.6...23.2
    static let longitudes: ClosedRange<Double> = 109.5...110.9

    static let districts: [DistrictProfile] = [
        DistrictProfile(
            code: "450902", name: "玉州区", populationWeight: 10,
            centreLatitude: 22.632, centreLongitude: 110.151,
            latitudes: 22.54...22.76, longitudes: 110.04...110.28,
            streets: [
                "玉城街道", "南江街道", "城西街道", "城北街道", "名山街道",
                "大塘镇", "茂林镇", "仁东镇", "仁厚镇",
            ],
            seatTown: nil,
            roads: [
                "人民东路", "人民中路", "人民西路", "教育东路", "教育中路", "教育西路", "民主中路",
                "民主南路", "民主北路", "江滨路", "一环东路", "一环南路", "一环西路", "二环北路",
                "广场东路", "东明路", "金港大道", "玉州路", "新民路", "城站路", "清宁路", "大北路",
                "五一路", "中秀路", "永丰路", "解放路", "西环路", "玉东大道",
            ],
            landlinePrefix: "28",
            hospitals: [("玉林市第一人民医院", 2800), ("玉林市红十字会医院", 1500), ("玉林市中医医院", 1200)]),
        DistrictProfile(
            code: "450903", name: "福绵区", populationWeight: 5,
            centreLatitude: 22.585, centreLongitude: 110.059,
            latitudes: 22.42...22.62, longitudes: 109.94...110.16,
            streets: ["福绵镇", "成均镇", "樟木镇", "新桥镇", "沙田镇", "石和镇"],
            seatTown: "福绵镇",
            roads: ["福绵大道", "福绵路", "新福路", "兴福路", "福华路", "福兴街", "车站路", "福龙路"],
            landlinePrefix: "36",
            hospitals: [("福绵区人民医院", 320)]),
        DistrictProfile(
            code: "450921", name: "容县", populationWeight: 9,
            centreLatitude: 22.857, centreLongitude: 110.558,
            latitudes: 22.58...23.08, longitudes: 110.30...110.84,
            streets: [
                "容州镇", "杨梅镇", "灵山镇", "六王镇", "黎村镇", "杨村镇", "县底镇", "自良镇",
                "松山镇", "罗江镇", "石头镇", "石寨镇", "十里镇", "容西镇", "浪水镇",
            ],
            seatTown: "容州镇",
            roads: [
                "容州大道", "人民路", "城西路", "城东路", "侨乡大道", "兴容路", "绣江路", "东外街",
                "西街", "南街", "沿江路", "经杰路", "黄忠路",
            ],
            landlinePrefix: "53",
            hospitals: [("容县人民医院", 900), ("容县中医医院", 480)]),
        DistrictProfile(
            code: "450922", name: "陆川县", populationWeight: 11,
            centreLatitude: 22.321, centreLongitude: 110.264,
            latitudes: 22.08...22.48, longitudes: 110.08...110.44,
            streets: [
                "温泉镇", "米场镇", "马坡镇", "珊罗镇", "平乐镇", "沙坡镇", "大桥镇", "乌石镇",
                "良田镇", "清湖镇", "古城镇", "沙湖镇", "横山镇", "滩面镇",
            ],
            seatTown: "温泉镇",
            roads: [
                "温泉路", "公园路", "新洲路", "城南路", "九洲江大道", "解放路", "东环路", "西环路",
                "龙珠路", "育英路", "城北路", "陆兴路",
            ],
            landlinePrefix: "72",
            hospitals: [("陆川县人民医院", 1000), ("陆川县中医医院", 520)]),
        DistrictProfile(
            code: "450923", name: "博白县", populationWeight: 19,
            centreLatitude: 22.272, centreLongitude: 109.975,
            latitudes: 21.70...22.48, longitudes: 109.64...110.18,
            streets: [
                "博白镇", "双凤镇", "顿谷镇", "水鸣镇", "那林镇", "江宁镇", "三滩镇", "黄凌镇",
                "亚山镇", "旺茂镇", "东平镇", "沙河镇", "龙潭镇", "英桥镇", "文地镇",
            ],
            seatTown: "博白镇",
            roads: [
                "城东路", "城西路", "解放路", "朝阳路", "新仁路", "文化路", "博白大道", "城南路",
                "环城路", "绿珠大道", "南州路", "东湖路", "新华路",
            ],
            landlinePrefix: "82",
            hospitals: [("博白县人民医院", 1200), ("博白县中医医院", 600)]),
        DistrictProfile(
            code: "450924", name: "兴业县", populationWeight: 7.5,
            centreLatitude: 22.736, centreLongitude: 109.876,
            latitudes: 22.58...23.06, longitudes: 109.58...110.02,
            streets: [
                "石南镇", "大平山镇", "葵阳镇", "城隍镇", "山心镇", "沙塘镇", "蒲塘镇", "北市镇",
                "龙安镇", "高峰镇", "小平山镇", "卖酒镇", "洛阳镇",
            ],
            seatTown: "石南镇",
            roads: [
                "兴业大道", "石南路", "城东路", "城南路", "二环路", "文化路", "兴业路", "新兴路",
                "石南大道", "府前路",
            ],
            landlinePrefix: "37",
            hospitals: [("兴业县人民医院", 600)]),
        DistrictProfile(
            code: "450981", name: "北流市", populationWeight: 15,
            centreLatitude: 22.708, centreLongitude: 110.354,
            latitudes: 22.38...22.92, longitudes: 110.22...110.68,
            streets: [
                "陵城街道", "城南街道", "城北街道", "新圩镇", "大里镇", "塘岸镇", "清水口镇",
                "民乐镇", "西埌镇", "新荣镇", "六靖镇", "石窝镇", "隆盛镇", "大伦镇", "山围镇",
            ],
            seatTown: nil,
            roads: [
                "北流大道", "新荣路", "城南路", "城北路", "陵城路", "新兴路", "解放路", "沿河路",
                "东环路", "西环路", "永顺路", "北流路", "金融路", "广场路",
            ],
            landlinePrefix: "62",
            hospitals: [("北流市人民医院", 1200), ("北流市中医医院", 620)]),
    ]
}
