import Testing

@testable import CareAPI

/// How the live feed spaces its broadcasts: a control room of a few consoles gets every change
/// at once; a large one gets fewer, larger writes, never more than 20 ms apart.
@Suite("Live feed broadcast spacing")
struct CallFeedSpacingTests {
    @Test(arguments: [0, 1, 10])
    func aFewConsolesGetEveryChangeAtOnce(_ subscribers: Int) {
        #expect(CallFeed.gatherWindow(subscribers: subscribers) == .zero)
    }

    @Test func manyConsolesShareWritesUpToTwentyMilliseconds() {
        #expect(CallFeed.gatherWindow(subscribers: 11) == .microseconds(1_100))
        #expect(CallFeed.gatherWindow(subscribers: 100) == .milliseconds(10))
        #expect(CallFeed.gatherWindow(subscribers: 200) == .milliseconds(20))
        #expect(CallFeed.gatherWindow(subscribers: 5_000) == .milliseconds(20))
    }
}
