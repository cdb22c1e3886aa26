import ArgumentParser
import Foundation

/// `device-sim presign`: signed events written to a file for another load generator to replay
/// (Scripts/wrk/replay.lua), so the intake can be driven by a client that is not ours and our
/// generator's own cost and biases show.
struct PresignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presign",
        abstract: "Write signed device events to a file, one per line, for wrk (Scripts/wrk/replay.lua) to replay.",
        discussion: """
            Each line is PATH, TIMESTAMP, SIGNATURE and BODY separated by tabs. Every event has a ref of \
            its own and is signed with the current time, so the file must be replayed within the server's \
            signature window (emergency.signatureWindowBehindSeconds, 40 s by default) of being written. \
            Devices are taken in turn, each at most once per pass; with --distinct-elders and fewer events \
            than devices, every alarm is its elder's first and opens a new call.
            """)

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("How many events to write.", valueName: "N"))
    var count: Int

    @Option(help: ArgumentHelp("How many devices to take them from.", valueName: "N"))
    var devices: Int = 20_000

    @Option(help: "alarm, heartbeat or mixed, as for `load`.")
    var kind: LoadKind = .alarm

    @Flag(name: .customLong("distinct-elders"), help: "At most one device per elder.")
    var distinctElders = false

    @Option(help: ArgumentHelp("The file to write.", valueName: "path"))
    var out: String

    func validate() throws {
        guard (1...10_000_000).contains(count) else { throw ValidationError("--count must be between 1 and 10,000,000.") }
        guard devices >= 1 else { throw ValidationError("--devices must be at least 1.") }
    }

    func run() throws {
        let settings = try server.settings()
        let directory = try DeviceDirectory(settings: settings, source: server.secretSource)
        let chosen = try directory.choose(.init(count: devices, distinctElders: distinctElders))
        guard !chosen.isEmpty else { throw SimError("The server lists no active devices the simulator can sign as.") }
        let keyring = try directory.keyring(for: chosen)
        let plan = LoadPlan(kind: kind)
        let refPrefix = RefMint().prefix
        guard
            let file = FileHandle(forWritingAtPath: out)
                ?? {
                    FileManager.default.createFile(atPath: out, contents: nil)
                    return FileHandle(forWritingAtPath: out)
                }()
        else { throw SimError("Cannot write \(out).") }
        defer { try? file.close() }
        try file.truncate(atOffset: 0)
        var clock = SecondCache()
        clock.refresh()
        var line: [UInt8] = [], body: [UInt8] = []
        let signaturePrefix = Array("\tv1=".utf8)
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        for slot in 0..<count {
            let device = slot % keyring.count
            plan.template(forSlot: slot).write(
                ref: ArraySlice((refPrefix + String(slot)).utf8), occurredAt: ArraySlice(clock.iso), into: &body)
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: DeviceKeyring.eventsPath(keyring.devices[device].id).utf8)
            line.append(9)
            line.append(contentsOf: clock.timestamp)
            line.append(contentsOf: signaturePrefix)
            keyring.signers[device].appendSignature(timestamp: ArraySlice(clock.timestamp), body: body, to: &line)
            line.append(9)
            line.append(contentsOf: body)
            line.append(10)
            chunk.append(contentsOf: line)
            if chunk.count > 1 << 20 {
                file.write(Data(chunk))
                chunk.removeAll(keepingCapacity: true)
            }
        }
        file.write(Data(chunk))
        Console.say(
            "Wrote \(Format.count(count)) signed \(plan.description) from \(Format.count(keyring.count)) devices to \(out), signed at \(clock.second)."
        )
    }
}
