import ArgumentParser
import Foundation

/// `device-sim sign`: the headers a device would send for a body, to check another
/// implementation (a gateway, firmware) against this one, or to send an event with curl.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Print the signature headers (and a curl command) for one event body, as a device would send it.",
        discussion: """
            The secret is --secret, or the one --devices-file gives the device, or else the demo secret \
            derived from --seed (default 1). Nothing is sent.
            """)

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("The device's id.", valueName: "device-id"))
    var device: String

    @Option(help: ArgumentHelp("The exact body to sign (JSON).", valueName: "json"))
    var body: String

    @Option(help: ArgumentHelp("Whole seconds since 1970. Default: now.", valueName: "seconds"))
    var timestamp: Int?

    @Option(help: ArgumentHelp("The device's secret (instead of the demo seed or the devices file).", valueName: "secret"))
    var secret: String?

    func run() throws {
        let deviceSecret: String
        if let secret {
            deviceSecret = secret
        } else {
            switch server.secretSource {
            case .seed(let seed): deviceSecret = DemoSecrets(seed: seed).secret(for: device)
            case .file(let path):
                guard let entry = try DeviceDirectory.readDevicesFile(path).first(where: { $0.id == device }) else {
                    throw SimError("The devices file \(path) has no line for \(device).")
                }
                deviceSecret = entry.secret
            case .rotate: throw SimError("sign does not rotate secrets; pass --secret, --seed or --devices-file.")
            }
        }
        let path = DeviceKeyring.eventsPath(device)
        let ts = timestamp ?? SimClock.epochSeconds()
        let signature = DeviceSigner(secret: deviceSecret, path: path).signature(timestamp: ts, body: Array(body.utf8))
        if secret == nil { print("secret: \(deviceSecret)") }
        print("X-Eldercare-Timestamp: \(ts)")
        print("X-Eldercare-Signature: \(signature)")
        let quoted = "'" + body.replacingOccurrences(of: "'", with: "'\\''") + "'"
        print(
            "curl -i -X POST \(server.server.hasSuffix("/") ? String(server.server.dropLast()) : server.server)\(path) -H 'Content-Type: application/json' "
                + "-H 'X-Eldercare-Timestamp: \(ts)' -H 'X-Eldercare-Signature: \(signature)' --data-binary \(quoted)")
    }
}
