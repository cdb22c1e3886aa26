import Foundation
import Testing

/// The device simulator as the benchmarks use it: `load --subscribers` sends signed alarms while
/// several live-feed connections read `GET /v1/calls/stream`, and it fails unless every
/// acknowledged alarm reached every subscriber once, in order. This checks the simulator's own
/// stream decoder and bookkeeping against the real server, so its benchmark figures can be trusted.
@Suite("The simulator's feed measurement")
struct SimulatorFeedTests {
    @Test func everyAcknowledgedAlarmReachesEverySubscriber() async throws {
        let server = RunningServer()
        defer { server.remove() }
        try await server.command(["seed", "--elders", "40", "--seed", "9", "--quiet"])
        let admin = try await server.token("admin", "sim")
        try await server.start()
        let run = try await server.run(
            RunningServer.simulatorBinary,
            [
                "--server", server.baseURL, "--token", admin, "--seed", "9",
                "load", "--kind", "alarm", "--rate", "100", "--connections", "4", "--duration", "2",
                "--devices", "40", "--subscribers", "3",
            ])
        #expect(run.status == 0, "device-sim load --subscribers 3:\n\(run.output)")
        #expect(run.output.contains("Every acknowledged alarm reached every subscriber"), "\(run.output)")
        // Each subscriber's own line of the report, not only the summary, says nothing was missed.
        // (200 alarms from 40 devices join open calls, so the in-order version check is exercised.)
        #expect(run.output.contains("0 acknowledged alarms missing"), "\(run.output)")
    }
}
