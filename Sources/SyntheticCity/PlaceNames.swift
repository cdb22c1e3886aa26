/// Word pools for generated place names: communities, villages, village groups, town streets and
/// private care homes. Names are invented but built the way places in southern Guangxi are named.
enum PlaceNames {
    /// Stems of urban residents' communities (社区).
    static let urbanCommunityStems = [
        "东门", "西门", "南门", "北门", "新民", "人民", "和平", "民主", "解放", "建设", "文化", "江滨",
        "城东", "城南", "城西", "城北", "园丁", "金港", "广场", "东环", "西环", "大北", "江南", "教育",
        "公园", "秀水", "富民", "东明", "新华", "中山", "玉洲", "南江", "鹿峰", "桂园", "榕园", "金城",
        "清湾", "新村", "站前", "五一", "东兴", "西岭", "南华", "北湖", "长寿", "惠民", "安居", "育才",
        "荔园", "新城", "华侨", "塘北", "凤凰", "东岳", "万花", "城站", "沿江", "锦绣", "宁康", "幸福",
    ]

    /// Stems of communities in a township's market town (圩镇).
    static let townCommunityStems = [
        "新街", "东街", "西街", "南街", "北街", "新华", "民安", "中和", "圩镇", "河东", "河西", "新兴",
        "兴隆", "车站", "建新", "和平",
    ]

    /// First and second syllables of village names (e.g. 石岭, 六塘, 新垌).
    static let villageFirst = [
        "大", "小", "新", "旧", "上", "下", "东", "西", "南", "北", "石", "龙", "凤", "马", "牛", "鹤",
        "黄", "白", "高", "长", "平", "沙", "竹", "木", "茶", "荔", "桂", "松", "六", "三", "双", "塘",
        "罗", "古", "岭", "水", "金", "福", "莲", "榕", "良", "安", "清", "民", "红", "泗", "文", "蒙",
    ]
    static let villageSecond = [
        "岭", "塘", "垌", "坡", "山", "江", "头", "田", "冲", "湾", "坑", "坪", "寨", "岗", "圩", "河",
        "洞", "屋", "埌", "村", "桥", "垠", "口", "陂", "湖", "坝", "石", "园", "林", "安",
    ]

    /// Village groups (村民小组), the last part of a rural address.
    static let villageGroups = [
        "一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组", "十组", "十一组", "十二组",
        "大屋组", "新屋组", "上村组", "下村组", "岭头组", "塘边组", "坡心组", "石岭组", "竹园组", "榕树组",
        "旧屋组", "高田组", "长垌组", "井头组", "禾塘组", "木棉组", "河背组", "松山组",
    ]

    /// Streets of a market town, for addresses in town communities.
    static let townStreets = [
        "新街", "中山街", "解放街", "和平街", "建设街", "民主街", "人民街", "东兴街", "南华街", "沿江路",
        "圩镇大道", "商贸街", "文明街", "车站路", "新兴路", "府前街",
    ]

    /// Words for private care homes (e.g. 福寿颐养院).
    static let careHomeWords = [
        "福寿", "康乐", "夕阳红", "松鹤", "长寿", "百福", "安康", "颐和", "仁爱", "同福", "椿萱", "怡园",
    ]
    static let careHomeKinds = ["颐养院", "康养中心", "老年公寓", "养老院", "护养院"]
}
