import Testing

@testable import CareConfig

@Suite("Redaction")
struct RedactionTests {
    @Test(
        "Identity card numbers keep their first 6 and last 4 characters",
        arguments: [
            ("11010519491231002X", "110105********002X"),
            ("11010519491231002x", "110105********002x"),
            ("450902195001011234", "450902********1234"),
            ("id=450902195001011234", "id=450902********1234"),
            ("身份证11010519491231002X，请核对", "身份证110105********002X，请核对"),
            ("(450902195001011234)", "(450902********1234)"),
        ])
    func identityNumbers(input: String, expected: String) {
        #expect(Redaction.redact(input) == expected)
    }

    @Test(
        "Mobile numbers keep their last 4 digits",
        arguments: [
            ("13812345678", "*******5678"),
            ("call 13812345678 now", "call *******5678 now"),
            ("+8613812345678", "+86*******5678"),
            ("+86 13812345678", "+86 *******5678"),
            ("电话：19912345678。", "电话：*******5678。"),
            ("phone=13812345678&x=1", "phone=*******5678&x=1"),
        ])
    func mobileNumbers(input: String, expected: String) {
        #expect(Redaction.redact(input) == expected)
    }

    @Test("Several numbers in one text are all masked")
    func several() {
        #expect(
            Redaction.redact("elder 11010519491231002X, contact 13812345678 and 13987654321")
                == "elder 110105********002X, contact *******5678 and *******4321")
    }

    @Test(
        "Other numbers are left alone",
        arguments: [
            "12345678",  // 8 digits
            "12345678901234567890",  // 20 digits
            "1101051949123100211",  // 19 digits: an ID inside a longer run
            "11010519491231002",  // 17 digits without a check character
            "1381234567",  // 10 digits
            "138123456789",  // 12 digits starting with 1
            "23812345678",  // 11 digits not starting with 1
            "8613812345678",  // 13 digits without "+"
            "1732328480123",  // a millisecond timestamp
            "1732328480",  // a second timestamp
            "2026-11-23T02:11:20.123Z",
            "2026-11-23 02:11:20",
            "138-1234-5678",  // separated digits are not a standalone 11-digit run
            "page 3 of 500, limit=50",
            "",
        ])
    func leftAlone(input: String) {
        #expect(Redaction.redact(input) == input)
    }

    @Test("Sensitive metadata keys")
    func sensitiveKeys() {
        for key in [
            "password", "dbPassword", "authToken", "token", "Authorization", "client_secret", "apiKey", "Cookie", "X-API-KEY", "my.SeCrEt",
            "设备token",
        ] {
            #expect(Redaction.isSensitiveKey(key), "\(key)")
        }
        for key in ["elderId", "path", "status", "durationMs", "region", "", "tok", "secre", "api key"] {
            #expect(!Redaction.isSensitiveKey(key), "\(key)")
        }
    }
}
