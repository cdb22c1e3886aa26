import CurlHTTP
import Testing

/// The event-stream parser on its own, chunk boundaries included.
@Suite struct ServerSentEventParserTests {
    /// Feeds `chunks` in order and returns everything produced.
    private func parse(_ chunks: [String], parser: inout ServerSentEventParser) -> [ServerSentEventParser.Output] {
        chunks.flatMap { parser.feed(Array($0.utf8)) }
    }

    private func parse(_ chunks: String...) -> [ServerSentEventParser.Output] {
        var parser = ServerSentEventParser()
        return parse(chunks, parser: &parser)
    }

    private func event(_ data: String, id: String? = nil, type: String = "message") -> ServerSentEventParser.Output {
        .event(ServerSentEvent(id: id, event: type, data: data))
    }

    @Test func aBlankLineDispatchesTheEvent() {
        #expect(parse("data: hello\n") == [])
        #expect(parse("data: hello\n\n") == [event("hello")])
        #expect(parse("event: alert\ndata: {\"p\":1}\n\n") == [event("{\"p\":1}", type: "alert")])
    }

    @Test func dataLinesAreJoinedWithLineFeeds() {
        #expect(parse("data: a\ndata: b\ndata\ndata:\n\n") == [event("a\nb\n\n")])
        #expect(parse("data\n\n") == [event("")])
    }

    @Test func onlyOneSpaceAfterTheColonIsDropped() {
        #expect(parse("data:x\n\ndata:  x\n\n") == [event("x"), event(" x")])
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEndingWorks(ending: String) {
        let text = ["id: 7", "event: e", "data: a", "data: b", "", ""].joined(separator: ending)
        #expect(parse(text) == [event("a\nb", id: "7", type: "e")])
    }

    @Test func mixedLineEndings() {
        #expect(parse("data: a\r\ndata: b\rdata: c\n\r\n") == [event("a\nb\nc")])
    }

    @Test func aSplitBetweenCarriageReturnAndLineFeedIsOneLineEnding() {
        // Were the \n after a chunk-final \r read as a second line ending, "a" would be dispatched alone.
        #expect(parse("data: a\r", "\ndata: b\r", "\n\r", "\n") == [event("a\nb")])
    }

    @Test func aLoneCarriageReturnAtTheEndOfAChunkStillEndsTheLine() {
        #expect(parse("data: a\r", "\r") == [event("a")])
        #expect(parse("data: a\r", "data: b\r\r") == [event("a\nb")])
    }

    @Test func aSplitInsideAMultiByteCharacterIsReassembled() {
        let bytes = Array("data: 紧急呼叫 🚑\n\n".utf8)
        for cut in 1..<bytes.count {
            var parser = ServerSentEventParser()
            let outputs = parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
            #expect(outputs == [event("紧急呼叫 🚑")], "cut at \(cut)")
        }
    }

    @Test func byteByByteFeedingGivesTheSameResult() {
        let stream = "\u{FEFF}: hi\nretry: 2500\nid: 1\nevent: a\ndata: x\r\n\r\nid\ndata: 跌倒\r\r: ping\ndata: z\n\n"
        var whole = ServerSentEventParser()
        let expected = whole.feed(Array(stream.utf8))
        var single = ServerSentEventParser()
        let outputs = Array(stream.utf8).flatMap { single.feed([$0]) }
        #expect(outputs == expected)
        #expect(expected.count == 5)
    }

    @Test func commentsAreSurfacedButAreNotEvents() {
        #expect(parse(": keep-alive\n\n") == [.comment("keep-alive")])
        #expect(parse("data: a\n:ping\ndata: b\n\n") == [.comment("ping"), event("a\nb")])
    }

    @Test func theIDPersistsUntilChanged() {
        var parser = ServerSentEventParser()
        let outputs = parse(["id: 1\ndata: a\n\n", "data: b\n\n", "id: 2\ndata: c\n\n", "id\ndata: d\n\n"], parser: &parser)
        #expect(outputs == [event("a", id: "1"), event("b", id: "1"), event("c", id: "2"), event("d")])
        #expect(parser.lastEventID == nil)
    }

    @Test func anIDWithoutDataStillCountsForReconnecting() {
        var parser = ServerSentEventParser()
        #expect(parse(["id: 41\n\n"], parser: &parser) == [])
        #expect(parser.lastEventID == "41")
        #expect(parse(["data: x\n\n"], parser: &parser) == [event("x", id: "41")])
    }

    @Test func anIDTakesEffectWhenItsEventIsDispatched() {
        var parser = ServerSentEventParser(lastEventID: "9")
        _ = parser.feed(Array("id: 10\ndata: half".utf8))
        #expect(parser.lastEventID == "9")  // Connection lost now? Resume after 9: event 10 never arrived.
        _ = parser.feed(Array("\n\n".utf8))
        #expect(parser.lastEventID == "10")
    }

    @Test func anIDContainingNULIsIgnored() {
        #expect(parse("id: 1\n\nid: 2\0x\ndata: a\n\n") == [event("a", id: "1")])
    }

    @Test func aResumedParserStartsWithTheGivenID() {
        var parser = ServerSentEventParser(lastEventID: "99")
        #expect(parse(["data: a\n\n"], parser: &parser) == [event("a", id: "99")])
    }

    @Test func retrySetsTheReconnectionTimeOnlyForDigits() {
        var parser = ServerSentEventParser()
        let outputs = parse(["retry: 3000\ndata: a\n\n", "retry: 2s\ndata: b\n\n", "retry\ndata: c\n\n"], parser: &parser)
        let retries = outputs.map { output -> Duration? in
            guard case .event(let event) = output else { return nil }
            return event.retry
        }
        #expect(retries == [.seconds(3), .seconds(3), .seconds(3)])
        #expect(parser.reconnectionTime == .seconds(3))
    }

    @Test func theEventTypeResetsAfterEachEvent() {
        #expect(parse("event: a\ndata: 1\n\ndata: 2\n\nevent: b\n\ndata: 3\n\n") == [event("1", type: "a"), event("2"), event("3")])
    }

    @Test func unknownFieldsAreIgnored() {
        #expect(parse("foo: bar\ndata: a\nDATA: b\n\n") == [event("a")])
    }

    @Test func aByteOrderMarkIsDroppedOnlyAtTheStart() {
        #expect(parse("\u{FEFF}data: a\n\n") == [event("a")])
        #expect(parse("data: a\n\n\u{FEFF}data: b\n\n") == [event("a")])  // "\u{FEFF}data" is an unknown field.
    }

    @Test func anUnfinishedEventIsNotDispatched() {
        #expect(parse("data: a\n\ndata: b\n") == [event("a")])
    }
}
