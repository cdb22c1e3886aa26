import CurlHTTP
import Testing

@Suite struct HTTPHeadersTests {
    @Test func lookupIgnoresCaseAndKeepsOrderAndRepeats() {
        var headers: HTTPHeaders = ["Content-Type": "text/plain", "Link": "<a>"]
        headers.add(name: "link", value: "<b>")
        #expect(headers["content-TYPE"] == "text/plain")
        #expect(headers.values(for: "LINK") == ["<a>", "<b>"])
        #expect(headers.map(\.name) == ["Content-Type", "Link", "link"])
        headers.set(name: "LINK", value: "<c>")
        #expect(headers.values(for: "link") == ["<c>"])
        #expect(headers["Content-Typ"] == nil)
    }
}
