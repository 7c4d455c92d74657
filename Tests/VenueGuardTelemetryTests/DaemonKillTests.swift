import Foundation
import Glibc
import Testing
import VenueGuardTestSupport
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
        await Self.exit(of: first)
        #expect(first.terminationReason == .uncaughtSignal)
        // The broker saw the connection die: the Last Will says offline.
        #expect(await subscriber.wait(timeout: .seconds(10)) { $0.last { $0.topic == "venueguard/test-club/status" }?.text == "offline" })

        let second = try Self.launch(venue, scenario: scenario)
        await Self.exit(of: second)
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

    /// Waits for `process` to end without blocking a thread of the test's cooperative pool
    /// (the parameterised cases run side by side on two cores).
    static func exit(of process: Process, timeout: Duration = .seconds(90)) async {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// The simulated time a payload was made at (its `time` field).
    static func payloadTime(_ json: [String: Any]) -> Date? {
        guard let text = json["time"] as? String else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// A simulated power cut: the box frozen at a random instant with the broker down (readings
    /// piling up unacknowledged), its outbox files (the SQLite file, its WAL and shared memory,
    /// the sequence mark) copied exactly as they are at that instant, the process killed, and a
    /// new run started on the copy. With SQLite's `synchronous=FULL` a commit is on the disk
    /// when it returns, so the copy holds at least what a real power cut would leave.
    @Test("Power cut at a random instant: at most the commit window's readings lost, never an event, never a reused number",
          arguments: ["0", nil])
    func powerCut(_ commitWindow: String?) async throws {
        let broker = try MosquittoBroker()
        let subscriber = try TestSubscriber(port: broker.port)
        #expect(await subscriber.waitReady())
        let venue = try VenueHarness(port: broker.port, commitWindow: commitWindow)
        let scenario = venue.directory.appendingPathComponent("scenario.yaml").path
        // Two hours at 300× (24 s), so the cut lands well before the scenario ends.
        try VenueHarness.scenario.replacingOccurrences(of: "duration: 1h", with: "duration: 2h")
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let prefix = "venueguard/test-club/"

        let launched = Date()
        let first = try Self.launch(venue, scenario: scenario)
        #expect(await subscriber.wait(timeout: .seconds(30)) { _ in subscriber.seqs(prefix: prefix).count >= 10 })
        broker.kill()
        let outageWall = Date().timeIntervalSince(launched)
        // The scenario runs at 300×: the sensor fault at 20 min is 4 s in, the strike at 40 min
        // 8 s in, both during the outage. The cut lands somewhere after the strike.
        let cutAfter = 9.0 + Double.random(in: 0...1.5)
        while Date().timeIntervalSince(launched) < cutAfter { try await Task.sleep(for: .milliseconds(10)) }
        try #require(first.isRunning, "the first run ended before the cut (\(first.terminationReason == .exit ? "status" : "signal") \(first.terminationStatus) after \(Date().timeIntervalSince(launched)) s)")
        kill(first.processIdentifier, SIGSTOP)
        let cutWall = Date().timeIntervalSince(launched)
        let snapshot = venue.directory.appendingPathComponent("snapshot")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        let files = ["outbox.sqlite", "outbox.sqlite-wal", "outbox.sqlite-shm", "outbox.sqlite.seq"]
        for name in files where FileManager.default.fileExists(atPath: venue.directory.appendingPathComponent(name).path) {
            try FileManager.default.copyItem(at: venue.directory.appendingPathComponent(name), to: snapshot.appendingPathComponent(name))
        }
        kill(first.processIdentifier, SIGKILL)
        await Self.exit(of: first)
        // The box comes back with only what the snapshot holds.
        for name in files {
            let live = venue.directory.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: live)
            if FileManager.default.fileExists(atPath: snapshot.appendingPathComponent(name).path) {
                try FileManager.default.copyItem(at: snapshot.appendingPathComponent(name), to: live)
            }
        }
        try broker.start()
        #expect(await subscriber.waitReady(timeout: .seconds(20)))

        let second = try Self.launch(venue, scenario: scenario)
        await Self.exit(of: second)
        #expect(second.terminationStatus == 0)
        var restart: [String: Any]?
        #expect(await subscriber.wait(timeout: .seconds(30)) { messages in
            restart = messages.compactMap(\.json).first { $0["type"] as? String == "sequence-restart" }
            return restart != nil
        })
        let firstSeq = (restart?["first_seq"] as? NSNumber)?.int64Value ?? 0
        let lastStored = (restart?["last_stored_seq"] as? NSNumber)?.int64Value ?? 0
        #expect(firstSeq > lastStored && lastStored > 0)
        // Every number up to the last stored one arrives (the first run's are replayed from
        // the snapshot), and the second run's from its first number on.
        func unexplained(_ seqs: [Int64]) -> [Int64] {
            MQTTIntegrationTests.complete(seqs).missing.filter { $0 <= lastStored || $0 >= firstSeq }
        }
        #expect(await subscriber.wait(timeout: .seconds(40)) { messages in
            unexplained(subscriber.seqs(prefix: prefix)).isEmpty
                && messages.last { $0.topic == prefix + "status" }?.text == "offline"
        })
        #expect(unexplained(subscriber.seqs(prefix: prefix)).isEmpty, "missing \(unexplained(subscriber.seqs(prefix: prefix)).prefix(20))")

        let firstRun = subscriber.messages.filter { $0.topic.hasPrefix(prefix) }.compactMap(\.json)
            .filter { (($0["seq"] as? NSNumber)?.int64Value ?? .max) < firstSeq }
        // Never an event: the events of the outage (the fault, the strike, the danger) were
        // stored at once and arrive from the snapshot; no event number falls in the lost range.
        let events = firstRun.filter { $0["schema"] as? String == "venueguard/event/1" }
        for type in ["sensor-faulted", "strike"] {
            #expect(events.contains { $0["type"] as? String == type }, "the outage's '\(type)' event was lost")
        }
        #expect(events.allSatisfy { (($0["seq"] as? NSNumber)?.int64Value ?? .max) <= lastStored })
        // At most the commit window's readings: the newest reading that survived was made no
        // more than the window (plus a second of slack for the batch and the start-up) before the cut.
        let start = try #require(ISO8601DateFormatter().date(from: "2024-08-01T13:00:00+09:00"))
        let newest = firstRun.filter { $0["schema"] as? String == "venueguard/sensor/1" }.compactMap(Self.payloadTime).max()
        let newestWall = try #require(newest).timeIntervalSince(start) / 300
        let window = commitWindow == "0" ? 0.0 : 5.0
        print("power cut at \(cutWall) s (outage from \(outageWall) s), commit window \(window) s: the newest surviving reading is \(cutWall - newestWall) s older; numbers \(lastStored + 1)..<\(firstSeq) skipped")
        #expect(cutWall - newestWall <= window + 1.5, "the newest surviving reading is \(cutWall - newestWall) s older than the cut; window \(window) s")
        #expect(newestWall > outageWall, "no reading made during the outage survived")
        #expect(try Outbox(path: venue.outboxPath).count() == 0)
    }
}
