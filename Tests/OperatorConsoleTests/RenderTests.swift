import CareModel
import Foundation
import Testing

@testable import OperatorConsole

/// What holds for every frame, whatever is on it: the exact size, and colour only when asked.
@Suite struct RenderTests {
    /// The text a terminal shows for a line: the ANSI sequences removed.
    static func visible(_ line: String) -> String {
        line.replacing(/\x1B\[[0-9;?]*[A-Za-z]/, with: "")
    }

    static func scenes(width: Int, height: Int) -> [ConsoleState] {
        var filtering = Scene.queue(width: width, height: height)
        filtering.press(.char("/"))
        filtering.type("p1 黄秀英 unclaimed 4509")
        var typing = Scene.callInProgress(width: width, height: height)
        typing.press(.char("n"))
        typing.type(String(repeating: "老人情况稳定，", count: 30))
        var picking = Scene.callInProgress(width: width, height: height)
        picking.press(.char("d"))
        var help = Scene.queue(width: width, height: height)
        help.press(.char("?"))
        var offline = Scene.queue(width: width, height: height)
        offline.apply(.connection(.retrying(at: Fixture.now.addingTimeInterval(8), reason: "Connection refused")))
        var scrolled = Scene.callInProgress(width: width, height: height)
        scrolled.press(.pageDown, .pageDown, .pageDown)
        var loading = Scene.queue(width: width, height: height)
        loading.press(.enter)
        var empty = ConsoleState(now: Fixture.now, timeZone: Fixture.zone)
        empty.apply(.resized(width: width, height: height))
        return [
            Scene.queue(width: width, height: height), Scene.callInProgress(width: width, height: height),
            Scene.confirmResolve(width: width, height: height), Scene.supervisor(width: width, height: height),
            filtering, typing, picking, help, offline, scrolled, loading, empty,
        ]
    }

    @Test(arguments: [
        (40, 8), (41, 9), (63, 17), (79, 24), (80, 24), (81, 25), (119, 30), (120, 30), (121, 31),
        (160, 48), (211, 60), (30, 5), (80, 3),
    ])
    func everyLineIsExactlyTheWidthAndThereAreExactlyHeightLines(_ width: Int, _ height: Int) {
        for state in Self.scenes(width: width, height: height) {
            for color in [true, false] {
                let lines = render(state, width: width, height: height, color: color)
                #expect(lines.count == height)
                for (i, line) in lines.enumerated() {
                    #expect(DisplayWidth.of(Self.visible(line)) == width, "\(state.screen) line \(i) at \(width)x\(height)")
                }
            }
        }
    }

    @Test func withoutColourThereAreNoColourCodesButThingsStillStandOut() {
        let state = Scene.queue(width: 80, height: 24)
        let mono = render(state, width: 80, height: 24, color: false).joined()
        let parameters = mono.matches(of: /\x1B\[([0-9;]*)m/).flatMap { $0.output.1.split(separator: ";") }
        #expect(!parameters.contains { $0.count == 2 && ($0.hasPrefix("3") || $0.hasPrefix("4")) })
        // The unclaimed P1 is in reverse video, the selection bold and underlined.
        let rows = render(state, width: 80, height: 24, color: false)
        #expect(rows[4].contains("\u{1B}[1;7m"))
        #expect(rows[3].contains("\u{1B}[1;4m"))

        let colour = render(state, width: 80, height: 24, color: true)
        #expect(colour[4].contains("\u{1B}[1;37;41m"))  // white on red
    }

    @Test func theAgesTick() {
        var state = Scene.queue(width: 80, height: 24)
        #expect(state.screen()[4].contains(" 03:39 "))
        state.apply(.tick(Fixture.now.addingTimeInterval(21)))
        #expect(state.screen()[4].contains(" 04:00 "))
        state.apply(.tick(Fixture.now.addingTimeInterval(3600)))
        #expect(state.screen()[4].contains(" 1h03m "))
    }

    @Test func ageFormats() {
        let start = Fixture.now
        let cases: [(TimeInterval, String)] = [
            (0, "00:00"), (7, "00:07"), (3599, "59:59"), (3600, "1h00m"),
            (3900, "1h05m"), (36_000, "10h00"), (86_399, "23h59"),
            (86_400 * 3 + 3600 * 4, "3d04h"), (-5, "00:00"),
        ]
        for (seconds, text) in cases {
            #expect(TimeText.age(since: start, now: start.addingTimeInterval(seconds)) == text)
        }
        #expect(TimeText.clock(Fixture.now, Fixture.zone) == "10:15:00")
    }

    @Test func onlyTheVisibleRowsOfAHugeQueueAreDrawn() {
        var state = ConsoleState(now: Fixture.now, timeZone: Fixture.zone)
        state.apply(.signedIn(Fixture.me))
        state.apply(.resized(width: 80, height: 24))
        let names = ["欧阳玉凤凰花", "黄秀英", "Zhang Weiming", "李建国"]
        state.apply(
            .snapshot(
                (0..<10_000).map { i in
                    var call = Fixture.vitals
                    call.id = Int64(i + 1)
                    call.elderName = names[i % 4]
                    call.priority = Priority(rawValue: i % 4 + 1)!
                    call.status = i % 3 == 0 ? .new : .claimed
                    call.claimedBy = i % 3 == 0 ? nil : Fixture.colleague
                    call.openedAt = Fixture.now.addingTimeInterval(-Double(i))
                    return call
                }))
        state.press(.end)
        let lines = state.screen()
        #expect(lines.count == 24)
        #expect(lines[1].hasPrefix(" Open 10000  P1 2500  P2 2500  P3 2500  P4 2500  unclaimed 3334"))
        #expect(lines[21].hasPrefix(">  P4 "))
        let started = ContinuousClock.now
        for _ in 0..<10 { _ = render(state, width: 160, height: 48, color: true) }
        // Informative only (debug build, busy machine); Docs/performance.md has the release figure.
        print("render, 10,000 open calls, 160x48, debug build: \((ContinuousClock.now - started) / 10) per frame")
    }
}

@Suite struct FrameDiffTests {
    @Test func onlyChangedLinesAreWritten() {
        var diff = FrameDiff()
        let first = ["a", "b", "c"]
        let whole = diff.output(for: first)
        #expect(whole == "\u{1B}[0m\u{1B}[2J\u{1B}[1;1Ha\u{1B}[2;1Hb\u{1B}[3;1Hc")
        #expect(diff.output(for: first) == "")
        #expect(diff.output(for: ["a", "B", "c"]) == "\u{1B}[2;1HB")
        diff.invalidate()
        #expect(diff.output(for: ["a", "B", "c"]).hasPrefix("\u{1B}[0m\u{1B}[2J"))
        // A new size (another line count) repaints everything.
        #expect(diff.output(for: ["a", "B"]).hasPrefix("\u{1B}[0m\u{1B}[2J"))
    }

    @Test func aTickRewritesOnlyTheLinesWithAges() {
        var state = Scene.queue(width: 80, height: 24)
        var diff = FrameDiff()
        _ = diff.output(for: render(state, width: 80, height: 24, color: true))
        state.apply(.tick(Fixture.now.addingTimeInterval(1)))
        let output = diff.output(for: render(state, width: 80, height: 24, color: true))
        // The clock and the three ages under an hour (1h13m and 2d00h do not move in a second): 4 lines of 24.
        #expect(output.matches(of: /\x1B\[\d+;1H/).count == 4)
    }
}

@Suite struct ColourChoiceTests {
    @Test func noColorAndDumbTerminalsTurnColourOff() {
        #expect(OperatorConsole.usesColor(["TERM": "xterm-256color"]))
        #expect(!OperatorConsole.usesColor(["NO_COLOR": "1", "TERM": "xterm-256color"]))
        #expect(OperatorConsole.usesColor(["NO_COLOR": ""]))
        #expect(!OperatorConsole.usesColor(["TERM": "dumb"]))
    }
}
