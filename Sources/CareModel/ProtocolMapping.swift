import Foundation

// How gateways for older alarm protocols translate into our events: the table "Mapping from
// other protocols" at the end of Docs/device-protocol.md, plus mains power failure (Contact ID
// 1-301, SCAIP stc 0085) recorded as info `power_failure`.
//
// Both translators return nil for anything not in the table, so a gateway logs and skips a code
// it does not understand instead of guessing a meaning for it.

/// Contact ID (SIA DC-09 `ADM-CID`): a qualifier (1 new event, 3 restore) and a three-digit event.
public enum ContactID {
    /// Our kind and code for a Contact ID event, or nil when we do not map it.
    ///
    /// `periodicTestIsCheckIn` covers the table's one row that depends on the installation:
    /// where a panel sends 1-602 as its supervision check-in it is a heartbeat, elsewhere a test.
    ///
    /// ```swift
    /// ContactID.translate(qualifier: 1, event: 101)   // (.alarm, .sos)
    /// ContactID.translate(qualifier: 3, event: 101)   // (.cancel, nil): restore
    /// ContactID.translate(qualifier: 1, event: 999)   // nil
    /// ```
    public static func translate(
        qualifier: Int, event: Int,
        periodicTestIsCheckIn: Bool = false
    ) -> (kind: EventKind, code: AlarmCode?)? {
        switch (qualifier, event) {
        case (1, 101), (1, 100), (1, 122), (1, 123): (.alarm, .sos)
        case (1, 120), (1, 102): (.alarm, .fall)
        case (1, 641), (1, 629): (.alarm, .inactivity)
        case (1, 110), (1, 111): (.alarm, .smoke)
        case (1, 151): (.alarm, .gas)
        case (1, 154): (.alarm, .waterLeak)
        case (1, 134): (.alarm, .doorOpenNight)
        case (1, 302), (1, 384): (.alarm, .lowBattery)
        case (1, 383), (1, 145): (.alarm, .tamper)
        case (1, 601): (.alarm, .deviceTest)
        case (1, 602): periodicTestIsCheckIn ? (.heartbeat, nil) : (.alarm, .deviceTest)
        case (1, 406), (3, 101), (3, 120): (.cancel, nil)
        case (1, 661), (3, 661): (.info, nil)
        case (1, 301): (.info, .powerFailure)
        default: nil
        }
    }
}

/// SCAIP (SS 91100): a status code `stc`, a message type `mty` and a device type `dty`.
public enum SCAIP {
    /// Our kind and code for a SCAIP message, or nil when we do not map it.
    ///
    /// `mty` PI (heartbeat) and RE (reset) decide on their own; otherwise `stc` does, and for
    /// 0009 "automatic alarm" the detector in `dty` says what kind of alarm. Codes may come with
    /// or without leading zeros (`"9"` is `"0009"`).
    ///
    /// ```swift
    /// SCAIP.translate(statusCode: "0010", messageType: nil, deviceType: nil)     // (.alarm, .sos)
    /// SCAIP.translate(statusCode: "0009", messageType: nil, deviceType: "0005")  // (.alarm, .fall)
    /// SCAIP.translate(statusCode: "", messageType: "PI", deviceType: nil)        // (.heartbeat, nil)
    /// ```
    public static func translate(
        statusCode: String, messageType: String?,
        deviceType: String?
    ) -> (kind: EventKind, code: AlarmCode?)? {
        switch messageType?.trimmingCharacters(in: .whitespaces).uppercased() {
        case "PI": return (.heartbeat, nil)
        case "RE": return (.cancel, nil)
        default: break
        }
        switch fourDigits(statusCode) {
        case "0010": return (.alarm, .sos)
        case "0009": return deviceType.map(fourDigits).flatMap(automaticAlarm).map { (.alarm, $0) }
        case "0016": return (.alarm, .lowBattery)
        case "0102", "0103": return (.alarm, .deviceTest)
        case "0019", "0092", "0093": return (.cancel, nil)
        case "0110", "0111", "0081": return (.info, nil)
        case "0085": return (.info, .powerFailure)
        default: return nil
        }
    }

    /// The code of an automatic alarm (stc 0009) from the detector type `dty`.
    private static func automaticAlarm(_ dty: String) -> AlarmCode? {
        switch dty {
        case "0005", "0030": .fall  // fall detector, man-down
        case "0010": .inactivity  // activity detector
        case "0023": .smoke
        case "0021": .gas
        case "0033": .waterLeak  // flood
        case "0014": .doorOpenNight  // door sensor
        default: nil
        }
    }

    /// `"9"` → `"0009"`; text that is not 1–4 digits is returned trimmed, and then matches nothing.
    private static func fourDigits(_ code: String) -> String {
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        guard (1...4).contains(trimmed.count), trimmed.allSatisfy(\.isASCIIDigit) else { return trimmed }
        return String(repeating: "0", count: 4 - trimmed.count) + trimmed
    }
}
