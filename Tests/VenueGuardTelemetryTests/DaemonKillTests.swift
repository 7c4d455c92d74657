import Foundation
import Glibc
import Testing
import VenueGuardOutbox

/// The `venueguard` command killed with SIGKILL mid-publish, then started again.
@Suite(.timeLimit(.minutes(2)))
struct DaemonKillTests {
    static var executable: URL {
        var directory = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("venueguard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return SchemaValidator.root.appendingPathComponent(".build/debug/venueguard")
    }

    static func launch(_ venue: VenueHarness, scenario: String) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["run", "--config", venue.sitePath, "--scenario", scenario, "--speed", "300", "--exit-at-end", "--plain"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    @Test("Killed with SIGKILL mid-publish: on restart it sends what was left, and no sequence number is missing")
    func killAndRestart() async throws {
        let broker = try MosquittoBroker()
        let subscriber = try TestSubscriber(port: broker.port)
        #expect(await subscriber.waitReady())
        let venue = try VenueHarness(port: broker.port)
        let scenario = venue.directory.appendingPathComponent("scenario.yaml").path
        try VenueHarness.scenario.write(toFile: scenario, atomically: true, encoding: .utf8)

        let first = try Self.launch(venue, scenario: scenario)
        try await Task.sleep(for: .milliseconds(4000))
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)
        // The broker saw the connection die: the Last Will says offline.
        #expect(await subscriber.wait(timeout: .seconds(10)) { $0.last { $0.topic == "venueguard/test-club/status" }?.text == "offline" })
        let afterKill = try Outbox(path: venue.outboxPath).currentSeq
        #expect(afterKill > 0)

        let second = try Self.launch(venue, scenario: scenario)
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        let highest = try Outbox(path: venue.outboxPath).currentSeq
        #expect(highest > afterKill)
        #expect(await subscriber.wait(timeout: .seconds(30)) { _ in
            let seqs = subscriber.seqs(prefix: "venueguard/test-club/")
            return (seqs.max() ?? 0) >= highest && MQTTIntegrationTests.complete(seqs).missing.isEmpty
        })
        let (missing, _) = MQTTIntegrationTests.complete(subscriber.seqs(prefix: "venueguard/test-club/"))
        #expect(missing.isEmpty, "missing \(missing.prefix(20))")
        #expect(try Outbox(path: venue.outboxPath).count() == 0)
    }
}
