import CurlHTTP
import Foundation
import Testing

/// Runs `body` with a fresh loopback server and client, and stops both afterwards.
func withLoopback<T>(
    _ configuration: CurlClient.Configuration = CurlClient.Configuration(usesEnvironmentProxy: false),
    _ body: (CurlClient, ClientTestServer) async throws -> T
) async throws -> T {
    let server = try ClientTestServer()
    let client = try CurlClient(configuration: configuration)
    do {
        let result = try await body(client, server)
        await client.shutdown()
        server.stop()
        return result
    } catch {
        await client.shutdown()
        server.stop()
        throw error
    }
}

/// Polls until `condition` holds, failing the test after `timeout`.
///
/// The timeout is generous on purpose: the whole suite runs its tests side by side, and on a
/// 2-core machine a task can wait seconds for a thread (a CI run once waited over 5 s for the
/// request to even leave). Passing tests return as soon as the condition holds.
func eventually(
    _ what: String, timeout: Duration = .seconds(30),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting for: \(what)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// The error `body` throws, recording an issue if it returns instead.
func error<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    from body: () async throws -> T
) async -> CurlHTTPError? {
    do {
        let value = try await body()
        Issue.record("expected an error, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as CurlHTTPError {
        return error
    } catch {
        Issue.record("expected a CurlHTTPError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
