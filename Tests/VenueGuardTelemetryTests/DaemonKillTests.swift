import Foundation
import Glibc
import Testing
import VenueGuardOutbox

/// The `venueguard` command killed with SIGKILL mid-publish, then started again: what the
/// README's delivery contract promises. Everything up to the last number the box stored
/// arrives; numbers above it, up to the restart's announced first number, are either unused
/// or readings of the last commit window (never events, which are stored at once).
@Suite(.timeLimit(.minutes(3)))
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

    @Test("Killed with SIGKILL mid-publish: on restart it sends what was left; only the announced gap may miss numbers",
          arguments: ["0", nil])   // every message durable at once; the default 5 s window
    func killAndRestart(_ commitWindow: String?) async throws {
        let broker = try MosquittoBroker()
        let subscriber = try TestSubscriber(port: broker.port)
        #expect(await subscriber.waitReady())
        let venue = try VenueHarness(port: broker.port, commitWindow: commitWindow)
        let scenario = venue.directory.appendingPathComponent("scenario.yaml").path
        try VenueHarness.scenario.write(toFile: scenario, atomically: true, encoding: .utf8)

        let first = try Self.launch(venue, scenario: scenario)
        // Killed once it has published for a while.
        #expect(await subscriber.wait(timeout: .seconds(30)) { _ in subscriber.seqs(prefix: "venueguard/test-club/").count >= 40 })
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)
        // The broker saw the connection die: the Last Will says offline.
        #expect(await subscriber.wait(timeout: .seconds(10)) { $0.last { $0.topic == "venueguard/test-club/status" }?.text == "offline" })

        let second = try Self.launch(venue, scenario: scenario)
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        // The restart says where its numbering starts and the last number it knew was stored.
        var restart: [String: Any]?
        #expect(await subscriber.wait(timeout: .seconds(30)) { messages in
            restart = messages.compactMap(\.json).first { $0["type"] as? String == "sequence-restart" }
            return restart != nil
        })
        let firstSeq = (restart?["first_seq"] as? NSNumber)?.int64Value ?? 0
        let lastStored = (restart?["last_stored_seq"] as? NSNumber)?.int64Value ?? 0
        #expect(firstSeq > lastStored && lastStored > 0)
        func unexplained(_ seqs: [Int64]) -> [Int64] {
            MQTTIntegrationTests.complete(seqs).missing.filter { $0 <= lastStored || $0 >= firstSeq }
        }
        // Everything else arrives, and the second run's offline closes the stream.
        #expect(await subscriber.wait(timeout: .seconds(40)) { messages in
            unexplained(subscriber.seqs(prefix: "venueguard/test-club/")).isEmpty
                && messages.last { $0.topic == "venueguard/test-club/status" }?.text == "offline"
        })
        let seqs = subscriber.seqs(prefix: "venueguard/test-club/")
        #expect(unexplained(seqs).isEmpty, "missing \(unexplained(seqs).prefix(20))")
        let lost = MQTTIntegrationTests.complete(seqs).missing.filter { $0 > lastStored && $0 < firstSeq }
        if commitWindow == "0" {
            // Every message was stored before it went out: above the last stored number none was used.
            #expect(seqs.filter { $0 > lastStored && $0 < firstSeq }.isEmpty)
        }
        #expect(lost.allSatisfy { $0 > lastStored })
        #expect(try Outbox(path: venue.outboxPath).count() == 0)
    }
}
