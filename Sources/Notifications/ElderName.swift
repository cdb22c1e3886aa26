import CareModel
import Foundation

/// How a message names the elder.
public enum ElderNameStyle: String, Sendable, Hashable, CaseIterable {
    /// 黄秀英 → 黄女士 (黄先生 for a man); in English "Ms Huang" is not possible without
    /// romanisation, so "Ms 黄".
    case honorific
    /// 黄秀英 → 黄**.
    case masked
}

/// The elder's name as messages print it: never in full, since an SMS can be read by anyone
/// holding the phone, and never with an identity number.
///
/// ```swift
/// ElderName.short("黄秀英", sex: .female, style: .masked)       // "黄**"
/// ElderName.short("黄秀英", sex: .female, style: .honorific)    // "黄女士"
/// ElderName.short("欧阳建国", sex: .male, style: .honorific)    // "欧阳先生"
/// ElderName.short("欧阳建国", sex: .male, style: .masked)       // "欧阳**"
/// ```
public enum ElderName {
    public static func short(
        _ name: String, sex: Sex, style: ElderNameStyle,
        language: NotificationSettings.Language = .zh
    ) -> String {
        var trimmed = Substring(name)
        while trimmed.first?.isWhitespace == true { trimmed = trimmed.dropFirst() }
        while trimmed.last?.isWhitespace == true { trimmed = trimmed.dropLast() }
        guard let first = trimmed.first else { return language == .zh ? "老人" : "the elder" }
        // Transcribed minority or foreign names (阿依古丽·买买提, John Smith) have no surname
        // first: keep one character.
        let hasSurname = isHan(first) && !trimmed.contains("·") && !trimmed.contains(" ")
        let surname = hasSurname ? self.surname(of: String(trimmed)) : String(first)
        switch style {
        case .masked:
            let rest = max(1, trimmed.count - surname.count)
            return surname + String(repeating: "*", count: hasSurname ? rest : 2)
        case .honorific:
            guard hasSurname else { return String(first) + "**" }
            switch language {
            case .zh: return surname + (sex == .female ? "女士" : "先生")
            case .en: return (sex == .female ? "Ms " : "Mr ") + surname
            }
        }
    }

    /// The family name: a two-character one when the name starts with a known compound
    /// surname (and is longer than it), else the first character.
    public static func surname(of name: String) -> String {
        let two = String(name.prefix(2))
        if name.count > 2, compoundSurnames.contains(two) { return two }
        return String(name.prefix(1))
    }

    /// Common two-character surnames (复姓).
    static let compoundSurnames: Set<String> = [
        "欧阳", "太史", "端木", "上官", "司马", "东方", "独孤", "南宫", "万俟", "闻人", "夏侯", "诸葛", "尉迟",
        "公羊", "赫连", "澹台", "皇甫", "宗政", "濮阳", "公冶", "太叔", "申屠", "公孙", "慕容", "仲孙", "钟离",
        "长孙", "宇文", "司徒", "鲜于", "司空", "闾丘", "子车", "亓官", "司寇", "巫马", "公西", "颛孙", "壤驷",
        "公良", "漆雕", "乐正", "宰父", "谷梁", "拓跋", "夹谷", "轩辕", "令狐", "段干", "百里", "呼延", "东郭",
        "南门", "羊舌", "微生", "梁丘", "左丘", "西门", "第五",
    ]

    static func isHan(_ c: Character) -> Bool {
        guard let v = c.unicodeScalars.first?.value else { return false }
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
    }
}
