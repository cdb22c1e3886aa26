import CareModel
import Testing

/// One row of the mapping: a foreign code and what it must become.
struct ProtocolMappingRow: Sendable, CustomTestStringConvertible {
    let kind: EventKind
    let code: AlarmCode?
    let contactID: [(Int, Int)]
    let scaip: [(stc: String, mty: String?, dty: String?)]
    var testDescription: String { "\(kind.rawValue)/\(code?.rawValue ?? "-")" }
}

@Suite("Contact ID and SCAIP mapping")
struct ProtocolMappingTests {
    /// The table at the end of Docs/device-protocol.md, row by row, plus power failure.
    static let table: [ProtocolMappingRow] = [
        ProtocolMappingRow(
            kind: .alarm, code: .sos, contactID: [(1, 101), (1, 100), (1, 122), (1, 123)],
            scaip: [("0010", nil, nil)]),
        ProtocolMappingRow(
            kind: .alarm, code: .fall, contactID: [(1, 120), (1, 102)],
            scaip: [("0009", nil, "0005"), ("0009", nil, "0030")]),
        ProtocolMappingRow(kind: .alarm, code: .inactivity, contactID: [(1, 641), (1, 629)], scaip: [("0009", nil, "0010")]),
        ProtocolMappingRow(kind: .alarm, code: .smoke, contactID: [(1, 110), (1, 111)], scaip: [("0009", nil, "0023")]),
        ProtocolMappingRow(kind: .alarm, code: .gas, contactID: [(1, 151)], scaip: [("0009", nil, "0021")]),
        ProtocolMappingRow(kind: .alarm, code: .waterLeak, contactID: [(1, 154)], scaip: [("0009", nil, "0033")]),
        ProtocolMappingRow(kind: .alarm, code: .doorOpenNight, contactID: [(1, 134)], scaip: [("0009", nil, "0014")]),
        ProtocolMappingRow(kind: .alarm, code: .lowBattery, contactID: [(1, 302), (1, 384)], scaip: [("0016", nil, nil)]),
        ProtocolMappingRow(kind: .alarm, code: .tamper, contactID: [(1, 383), (1, 145)], scaip: []),
        ProtocolMappingRow(
            kind: .alarm, code: .deviceTest, contactID: [(1, 601), (1, 602)],
            scaip: [("0102", nil, nil), ("0103", nil, nil)]),
        ProtocolMappingRow(
            kind: .cancel, code: nil, contactID: [(1, 406), (3, 101), (3, 120)],
            scaip: [("0019", nil, nil), ("0092", nil, nil), ("0093", nil, nil), ("0010", "RE", nil)]),
        ProtocolMappingRow(kind: .heartbeat, code: nil, contactID: [], scaip: [("", "PI", nil), ("0010", "pi", nil)]),
        ProtocolMappingRow(
            kind: .info, code: nil, contactID: [(1, 661), (3, 661)],
            scaip: [("0110", nil, nil), ("0111", nil, nil), ("0081", nil, nil)]),
        ProtocolMappingRow(kind: .info, code: .powerFailure, contactID: [(1, 301)], scaip: [("0085", nil, nil)]),
    ]

    @Test(arguments: table)
    func contactIDRows(_ row: ProtocolMappingRow) {
        for (qualifier, event) in row.contactID {
            let got = ContactID.translate(qualifier: qualifier, event: event)
            #expect(got?.kind == row.kind && got?.code == row.code, "\(qualifier)-\(event)")
        }
    }

    @Test(arguments: table)
    func scaipRows(_ row: ProtocolMappingRow) {
        for (stc, mty, dty) in row.scaip {
            let got = SCAIP.translate(statusCode: stc, messageType: mty, deviceType: dty)
            #expect(got?.kind == row.kind && got?.code == row.code, "stc \(stc) mty \(mty ?? "-") dty \(dty ?? "-")")
        }
    }

    @Test func periodicTestIsAHeartbeatWhereUsedAsSupervision() {
        let got = ContactID.translate(qualifier: 1, event: 602, periodicTestIsCheckIn: true)
        #expect(got?.kind == .heartbeat && got?.code == nil)
    }

    @Test func leadingZerosAreOptional() {
        #expect(SCAIP.translate(statusCode: "10", messageType: nil, deviceType: nil)?.code == .sos)
        #expect(SCAIP.translate(statusCode: "9", messageType: nil, deviceType: "5")?.code == .fall)
    }

    @Test(arguments: [(1, 999), (3, 130), (6, 101), (1, 0), (3, 301)])
    func unknownContactIDCodesMapToNil(qualifier: Int, event: Int) {
        #expect(ContactID.translate(qualifier: qualifier, event: event) == nil)
    }

    @Test(
        arguments: [
            ("0999", nil, nil), ("0009", nil, "0099"), ("0009", nil, nil), ("abc", nil, nil), ("", "XX", nil),
            ("00010", nil, nil),
        ] as [(String, String?, String?)])
    func unknownSCAIPCodesMapToNil(stc: String, mty: String?, dty: String?) {
        #expect(SCAIP.translate(statusCode: stc, messageType: mty, deviceType: dty) == nil)
    }
}
