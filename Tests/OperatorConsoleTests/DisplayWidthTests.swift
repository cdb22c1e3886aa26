import Testing

@testable import OperatorConsole

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("abc", 3), ("黄秀英", 6), ("Li 娜", 5), ("，。！", 6), ("ＡＢ１", 6), ("한국", 4),
        ("ひらがな", 8), ("e\u{301}", 1), ("…", 1), ("·", 1), ("", 0), ("𠀋", 2), ("😀", 2), ("\u{1B}", 0),
    ])
    func widths(_ text: String, _ expected: Int) {
        #expect(DisplayWidth.of(text) == expected)
    }

    @Test func fitPadsByColumnsNotCharacters() {
        #expect(DisplayWidth.fit("王芳", 8) == "王芳    ")
        #expect(DisplayWidth.fit("Li Na", 8) == "Li Na   ")
        #expect(DisplayWidth.fit("86", 4, alignRight: true) == "  86")
    }

    @Test func fitCutsWithAnEllipsisWithoutSplittingAWideCharacter() {
        // 6 characters, 12 columns, into 10: four ideographs (8) and the ellipsis (1), then a space.
        #expect(DisplayWidth.fit("欧阳玉凤凰花", 10) == "欧阳玉凤… ")
        #expect(DisplayWidth.of(DisplayWidth.fit("欧阳玉凤凰花", 10)) == 10)
        // Into 9: the same four and the ellipsis fill it exactly.
        #expect(DisplayWidth.fit("欧阳玉凤凰花", 9) == "欧阳玉凤…")
        #expect(DisplayWidth.fit("Zhang Weiming", 8) == "Zhang W…")
        #expect(DisplayWidth.fit("黄秀英", 1) == "…")
        #expect(DisplayWidth.fit("anything", 0) == "")
    }

    @Test func everyFitIsExactlyItsWidth() {
        let samples = ["", "a", "黄", "a黄b秀c英", "广西壮族自治区玉林市玉州区名山街道", "Zhang 伟 Ming", "ｆｕｌｌ"]
        for text in samples {
            for width in 0...24 {
                #expect(DisplayWidth.of(DisplayWidth.fit(text, width)) == width, "\(text) in \(width)")
            }
        }
    }

    @Test func controlCharactersNeverReachTheTerminal() {
        let hostile = "note\u{1B}[2J\nsecond\tline\u{9B}"
        let fitted = DisplayWidth.fit(hostile, 40)
        #expect(!fitted.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
        #expect(DisplayWidth.of(fitted) == 40)
    }

    @Test func truncateDoesNotPad() {
        #expect(DisplayWidth.truncate("黄秀英", 10) == "黄秀英")
        #expect(DisplayWidth.truncate("欧阳玉凤凰花", 10) == "欧阳玉凤…")
    }

    @Test func wrapBreaksAtSpacesAndBetweenIdeographs() {
        #expect(DisplayWidth.wrap("玉州区名山街道金港路123号", 10) == ["玉州区名山", "街道金港路", "123号"])
        #expect(DisplayWidth.wrap("Slipped in the bathroom, no injury", 12) == ["Slipped in", "the", "bathroom, no", "injury"])
        #expect(DisplayWidth.wrap("", 10) == [""])
        for line in DisplayWidth.wrap("广西壮族自治区玉林市 Yulin 玉州区 Fumian Road 名山街道", 7) {
            #expect(DisplayWidth.of(line) <= 7)
        }
    }
}
