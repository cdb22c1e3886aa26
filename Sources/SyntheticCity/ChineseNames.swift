/// Chinese personal names for the synthetic city: surnames weighted by how common they are in Yulin
/// (where 陈 李 黄 梁 lead and 钟 庞 覃 韦 莫 陆 are far more common than nationally), and given names
/// typical of each generation and sex.
enum ChineseNames {
    /// Surnames with relative weights (per cent, roughly), all single-character so that full names
    /// have two or three characters.
    static let surnames: [(String, Double)] = [
        ("陈", 8.0), ("李", 7.0), ("黄", 6.0), ("梁", 4.5), ("刘", 4.0), ("林", 3.5), ("张", 3.5), ("王", 3.0),
        ("钟", 2.5), ("庞", 2.2), ("杨", 2.2), ("吴", 2.0), ("何", 2.0), ("冯", 1.6), ("罗", 1.6), ("苏", 1.5),
        ("谢", 1.4), ("邓", 1.4), ("朱", 1.3), ("莫", 1.3), ("陆", 1.2), ("覃", 1.0), ("韦", 1.0), ("周", 1.0),
        ("宁", 1.0), ("卢", 1.0), ("赖", 0.9), ("廖", 0.9), ("邱", 0.8), ("曾", 0.8), ("彭", 0.8), ("骆", 0.8),
        ("徐", 0.7), ("赵", 0.7), ("胡", 0.7), ("郭", 0.6), ("许", 0.6), ("叶", 0.6), ("潘", 0.6), ("唐", 0.6),
        ("蔡", 0.5), ("龙", 0.5), ("文", 0.5), ("孙", 0.5), ("马", 0.5), ("高", 0.5), ("郑", 0.5), ("谭", 0.5),
        ("丘", 0.4), ("凌", 0.4), ("温", 0.4), ("肖", 0.4), ("蒋", 0.4), ("余", 0.4), ("石", 0.4), ("黎", 0.4),
        ("封", 0.3), ("宋", 0.3), ("韩", 0.3), ("曹", 0.3), ("田", 0.3), ("董", 0.3), ("袁", 0.3), ("杜", 0.3),
        ("程", 0.3), ("魏", 0.3), ("吕", 0.3), ("丁", 0.3), ("沈", 0.3), ("姚", 0.3), ("范", 0.3), ("方", 0.3),
        ("邹", 0.3), ("江", 0.3), ("雷", 0.3), ("欧", 0.3), ("甘", 0.3), ("汪", 0.2), ("夏", 0.2), ("熊", 0.2),
        ("植", 0.2), ("劳", 0.2), ("牟", 0.2), ("车", 0.1), ("揭", 0.1),
    ]

    /// Given names of men born before 1950.
    static let oldMale = [
        "德明", "福生", "有才", "桂生", "金福", "炳坤", "汉文", "家祥", "振华", "永福", "光明", "树森",
        "德华", "世昌", "荣华", "锦堂", "耀宗", "绍基", "兆祥", "庆祥", "春生", "秋生", "水生", "日新",
        "德胜", "国栋", "柏林", "炳南", "金水", "木生", "宗汉", "启明", "其昌", "泽民", "培德", "瑞麟",
        "汉章", "伯强", "绍光", "景森", "德才", "永祥", "国才", "家兴",
    ]
    static let oldMaleSingle = ["福", "财", "昌", "荣", "贵", "发", "旺", "祥", "根", "满", "汉", "德"]

    /// Given names of men born 1950–1966.
    static let youngMale = [
        "建国", "国强", "志明", "建华", "卫国", "红军", "援朝", "跃进", "卫东", "建军", "国庆", "建平",
        "国华", "振东", "向东", "东升", "新民", "立新", "爱国", "胜利", "永红", "铁军", "学军", "志刚",
        "志强", "建明", "国良", "伟雄", "汉林", "海生", "金华", "家强", "荣光", "锦文", "善荣", "卫民",
        "建新", "和平", "文明", "红旗",
    ]
    static let youngMaleSingle = ["伟", "勇", "军", "强", "平", "华", "明", "斌", "刚", "超", "忠", "林"]

    /// Given names of women born before 1950.
    static let oldFemale = [
        "秀英", "桂英", "玉兰", "淑珍", "秀兰", "凤英", "桂兰", "玉英", "金凤", "月娥", "秀珍", "素珍",
        "亚妹", "玉珍", "桂芳", "丽珍", "翠英", "玉梅", "桂香", "月英", "金花", "银花", "秀芳", "惠芳",
        "瑞英", "美英", "玉清", "亚娣", "亚英", "带娣", "来娣", "群英", "凤娇", "桂珍", "少兰", "玉莲",
    ]
    static let oldFemaleSingle = ["英", "兰", "珍", "芳", "凤", "娥", "妹", "秀", "梅", "香"]

    /// Given names of women born 1950–1966.
    static let youngFemale = [
        "红梅", "丽华", "秀琼", "淑芬", "美玲", "建英", "红英", "秀梅", "小红", "丽娟", "凤琼", "桂莲",
        "卫红", "红霞", "爱华", "秀云", "丽萍", "小燕", "玉霞", "春梅", "冬梅", "海燕", "素梅", "惠萍",
        "凤莲", "雪梅", "美华", "少珍", "丽英", "桂萍", "秀娟", "爱萍", "月华", "玉娟",
    ]
    static let youngFemaleSingle = ["燕", "红", "芳", "萍", "霞", "梅", "丽", "琼", "玲", "娟"]

    /// Given names of the elders' children's generation (born 1970–1995): sons, daughters,
    /// daughters-in-law and community workers.
    static let childMale = [
        "志强", "海波", "建平", "永强", "文杰", "俊杰", "小军", "振宇", "海军", "明辉", "家豪", "志勇",
        "伟明", "剑锋", "晓东", "国辉", "文华", "海涛", "俊辉", "锦涛", "嘉俊", "伟强", "德龙", "庆华",
        "春林", "宇航", "子健", "浩然",
    ]
    static let childMaleSingle = ["伟", "勇", "军", "斌", "鹏", "杰", "涛", "辉", "亮", "宁"]
    static let childFemale = [
        "海燕", "丽萍", "春燕", "小玲", "晓红", "丽娟", "美华", "秋萍", "惠玲", "雪梅", "艳红", "丽芳",
        "小燕", "玉婷", "晓敏", "婷婷", "秀梅", "丽梅", "春花", "美玲", "少芳", "凤娟", "雅琴", "晓丽",
        "嘉欣", "思敏", "雨婷", "丽清",
    ]
    static let childFemaleSingle = ["丽", "艳", "婷", "静", "敏", "芳", "霞", "燕", "娟", "玲"]
}

/// Draws names quickly: surname by weight, given name from the pool of a generation and sex.
struct NamePicker: Sendable {
    /// Which pool of given names to use.
    enum Generation: Sendable { case old, young, child }

    private let surnames: [String]
    private let surnameTable: WeightedTable
    private let pools: [[String]]  // index = generation * 4 + (female ? 2 : 0) + (single ? 1 : 0)

    init() {
        surnames = ChineseNames.surnames.map(\.0)
        surnameTable = WeightedTable(ChineseNames.surnames.map(\.1))
        pools = [
            ChineseNames.oldMale, ChineseNames.oldMaleSingle, ChineseNames.oldFemale, ChineseNames.oldFemaleSingle,
            ChineseNames.youngMale, ChineseNames.youngMaleSingle, ChineseNames.youngFemale, ChineseNames.youngFemaleSingle,
            ChineseNames.childMale, ChineseNames.childMaleSingle, ChineseNames.childFemale, ChineseNames.childFemaleSingle,
        ]
    }

    /// A surname, weighted by frequency.
    @inline(__always)
    func surname(_ random: inout RandomSource) -> String {
        surnames[surnameTable.draw(&random)]
    }

    /// A given name of one or two characters.
    @inline(__always)
    func givenName(_ generation: Generation, female: Bool, _ random: inout RandomSource) -> String {
        let singleShare: Double =
            switch generation {
            case .old: 0.08
            case .young: 0.14
            case .child: 0.2
            }
        let g =
            switch generation {
            case .old: 0
            case .young: 1
            case .child: 2
            }
        let index = g * 4 + (female ? 2 : 0) + (random.chance(singleShare) ? 1 : 0)
        return random.pick(pools[index])
    }

    /// A full name: `surname` followed by a given name.
    @inline(__always)
    func fullName(surname: String, _ generation: Generation, female: Bool, _ random: inout RandomSource) -> String {
        surname + givenName(generation, female: female, &random)
    }
}
