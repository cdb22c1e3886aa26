import Testing

@testable import OperatorConsole

@Suite struct KeyDecoderTests {
    private func decode(_ bytes: [UInt8]) -> [ConsoleKey] {
        var decoder = KeyDecoder()
        return decoder.feed(bytes) + decoder.flush()
    }

    @Test func arrowsInBothForms() {
        #expect(decode([0x1B, 0x5B, 0x41, 0x1B, 0x5B, 0x42, 0x1B, 0x5B, 0x43, 0x1B, 0x5B, 0x44]) == [.up, .down, .right, .left])
        #expect(decode([0x1B, 0x4F, 0x41, 0x1B, 0x4F, 0x42]) == [.up, .down])
        // Ctrl-Up (`ESC [ 1 ; 5 A`) is still up.
        #expect(decode(Array("\u{1B}[1;5A".utf8)) == [.up])
    }

    @Test func editingAndPagingKeys() {
        #expect(
            decode(Array("\u{1B}[5~\u{1B}[6~\u{1B}[H\u{1B}[F\u{1B}[3~\u{1B}[Z".utf8))
                == [.pageUp, .pageDown, .home, .end, .delete, .backTab])
        #expect(decode([0x0D, 0x0A, 0x0D, 0x0A, 0x7F, 0x08, 0x09]) == [.enter, .enter, .backspace, .backspace, .tab])
    }

    @Test func controlKeys() {
        #expect(decode([0x03]) == [.ctrlC])
        #expect(decode([0x0C, 0x15]) == [.control("l"), .control("u")])
    }

    @Test func printableAndChineseText() {
        #expect(decode(Array("c/p1 王芳".utf8)) == ConsoleKey.typing("c/p1 王芳"))
    }

    @Test func sequencesAndCharactersSplitAcrossReads() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0x1B]) == [])
        #expect(decoder.hasPending)
        #expect(decoder.feed([0x5B]) == [])
        #expect(decoder.feed([0x42]) == [.down])
        let wang = Array("王".utf8)
        #expect(decoder.feed(wang.prefix(2)) == [])
        #expect(decoder.feed(wang.suffix(1)) == [.char("王")])
        #expect(!decoder.hasPending)
    }

    @Test func aLoneEscapeIsTheEscKeyOnlyAfterAPause() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0x1B]) == [])
        #expect(decoder.flush() == [.escape])
        // Esc typed and then a letter quickly: both keys.
        #expect(decoder.feed([0x1B, UInt8(ascii: "q")]) == [.escape, .char("q")])
        // Esc followed by an unfinished sequence that never completes.
        #expect(decoder.feed([0x1B, 0x5B]) == [])
        #expect(decoder.flush() == [.escape, .char("[")])
    }

    @Test func unknownSequencesAndBadBytesAreIgnored() {
        // Bracketed-paste markers and F5 mean nothing here.
        #expect(decode(Array("\u{1B}[200~x\u{1B}[201~\u{1B}[15~".utf8)) == [.char("x")])
        #expect(decode([0xFF, 0x80, UInt8(ascii: "j")]) == [.char("j")])
    }
}
