import Foundation
import Glibc
import Testing

/// `venueguard run` as systemd runs it: a notify socket the test binds, a watchdog interval,
/// signals, the state file, the safety memory. Timing-sensitive: run with the other
/// *RealTime* suites, one at a time.
@Suite(.timeLimit(.minutes(3)))
struct ServiceRealTimeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `venueguard` the build made (next to the test bundle).
    static var executable: String {
        var directory = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("venueguard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            directory = directory.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/venueguard").path
    }

    /// A daemon under test, with its notify socket and files in a temporary directory.
    final class Daemon {
        let directory: URL
        let listener: NotifyListener
        let process = Process()
        let stderrPath: String
        var messages: [String] = []

        /// Starts `venueguard run` on `config`; `setUp` prepares the directory (the state directory too) first.
        init(config: String, arguments: [String] = [], watchdog: Duration = .seconds(1), setUp: (URL) throws -> Void = { _ in }) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-service-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try setUp(directory)
            try config.write(to: directory.appendingPathComponent("site.yaml"), atomically: true, encoding: .utf8)
            listener = try NotifyListener(address: directory.appendingPathComponent("notify.sock").path)
            stderrPath = directory.appendingPathComponent("stderr.log").path
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: ServiceRealTimeTests.executable)
            process.arguments = ["run", "--config", directory.appendingPathComponent("site.yaml").path, "--plain",
                                 "--state-file", directory.appendingPathComponent("state.json").path] + arguments
            var env = ProcessInfo.processInfo.environment
            env["NOTIFY_SOCKET"] = listener.address
            env["WATCHDOG_USEC"] = "\(Int64(watchdog.seconds * 1_000_000))"
            env["STATE_DIRECTORY"] = directory.path
            process.environment = env
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: stderrPath)
            try process.run()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            try? FileManager.default.removeItem(at: directory)
        }

        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        /// Whether the daemon's log shows `text` within `timeout`: log lines and notify messages
        /// travel separately, so a line may land just after the message that announced its cause.
        func logged(_ text: String, timeout: Duration = .seconds(10)) -> Bool {
            let deadline = ContinuousClock.now + timeout
            while !stderr.contains(text) {
                if ContinuousClock.now >= deadline { return false }
                usleep(20_000)
            }
            return true
        }

        /// Waits up to `timeout` for a message containing `text`; returns it and keeps every message seen.
        @discardableResult
        func await(_ text: String, timeout: Duration = .seconds(10)) -> String? {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                guard let message = listener.receive(timeout: .milliseconds(200)) else { continue }
                messages.append(message)
                if message.contains(text) { return message }
            }
            return nil
        }

        /// The messages that arrive within `span`.
        func collect(for span: Duration) -> [String] {
            var seen: [String] = []
            let deadline = ContinuousClock.now + span
            while ContinuousClock.now < deadline {
                if let message = listener.receive(timeout: .milliseconds(100)) { seen.append(message) }
            }
            messages += seen
            return seen
        }

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        func waitForExit(within limit: Duration) -> Int32? {
            let deadline = ContinuousClock.now + limit
            while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
            return process.isRunning ? nil : process.terminationStatus
        }

        func status() throws -> (Int32, String) {
            let status = Process()
            status.executableURL = process.executableURL
            status.arguments = ["status", "--state-file", directory.appendingPathComponent("state.json").path]
            let pipe = Pipe()
            status.standardOutput = pipe
            try status.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            status.waitUntilExit()
            return (status.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    static func demoConfig(siteName: String = "Demo community centre") throws -> String {
        try String(contentsOf: root.appendingPathComponent("Config/demo.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "scenario: scenarios/", with: "scenario: \(root.path)/Config/scenarios/")
            .replacingOccurrences(of: "name: Demo community centre (デモ公民館)", with: "name: \(siteName)")
    }

    @Test("READY after the first cycle, STATUS, WATCHDOG while healthy; SIGHUP: a bad file is rejected, a good one reloaded; SIGTERM: STOPPING, exit 0")
    func lifecycle() throws {
        let daemon = try Daemon(config: try Self.demoConfig(), arguments: ["--speed", "60"])
        let started = ContinuousClock.now
        let ready = try #require(daemon.await("READY=1"), "\(daemon.stderr)")
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(ready.contains("STATUS=") && ready.contains("sensors 7 ok"), "\(ready)")
        let pings = daemon.collect(for: .seconds(2)).filter { $0 == "WATCHDOG=1" }
        #expect(pings.count >= 3, "half the 1 s interval: \(daemon.messages)")

        let (code, screen) = try daemon.status()
        #expect(code == 0, "\(screen)")
        #expect(screen.contains("Running (pid \(daemon.process.processIdentifier))"))
        #expect(screen.contains("kids-microbit"))

        // A broken file: rejected with the reason, the old configuration keeps running and pinging.
        let site = daemon.directory.appendingPathComponent("site.yaml")
        try "site:\n  id: [unclosed\n".write(to: site, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(daemon.collect(for: .seconds(1.5)).contains("WATCHDOG=1"))
        #expect(daemon.logged("<3>venueguard: reload rejected, the running configuration stays: \(site.path):"), "\(daemon.stderr)")
        #expect(daemon.process.isRunning)
        // Numbers that once trapped (a period of 1e10 s) and an alias bomb: refused the same way.
        let good = try Self.demoConfig()
        for (bad, why) in [(good.replacingOccurrences(of: "period: 10s", with: "period: 1e10"), "period"),
                           ("a: &a [1,1,1,1,1,1,1,1,1]\nb: [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n" + good, "aliases")] {
            #expect(bad != good)
            try bad.write(to: site, atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            #expect(daemon.logged("reload rejected, the running configuration stays: \(site.path)") && daemon.logged(why), "\(daemon.stderr)")
            #expect(daemon.collect(for: .seconds(1)).contains("WATCHDOG=1"))
            #expect(daemon.process.isRunning)
        }

        // A good one: RELOADING, then READY again from the new configuration.
        try Self.demoConfig(siteName: "Renamed centre").write(to: site, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(daemon.await("RELOADING=1") != nil)
        #expect(daemon.await("READY=1") != nil)
        #expect(daemon.logged("<5>venueguard: configuration reloaded from \(site.path)"))

        daemon.signal(SIGTERM)
        let stopping = daemon.await("STOPPING=1")
        #expect(stopping?.contains("STATUS=stopping: terminated") == true)
        #expect(daemon.waitForExit(within: .seconds(5)) == 0)
        #expect(daemon.logged("<5>venueguard: stopped (terminated): outputs off, not monitoring"))
        let (after, stoppedScreen) = try daemon.status()
        #expect(after == 1)
        #expect(stoppedScreen.contains("STOPPED (terminated)"))
        // Every line on stderr has a priority prefix.
        for line in daemon.stderr.split(separator: "\n") { #expect(line.hasPrefix("<") && line.dropFirst(2).hasPrefix(">venueguard: "), "\(line)") }
    }

    @Test("A sensor read that never returns stops the watchdog pings, so systemd restarts the daemon")
    func wedgedRead() throws {
        let config = try Self.demoConfig()
        let scenarioPath = FileManager.default.temporaryDirectory.appendingPathComponent("vg-wedge-\(UUID().uuidString.prefix(8)).yaml").path
        try """
            start: 2024-08-01T13:00:00+09:00
            duration: 1h
            samples:
              hall-climate: { air_temperature: { 0m: 25 }, humidity: { 0m: 50 } }
            events:
              - { at: 2m, fault: { sensor: hall-climate, kind: wedged } }
            """.write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        defer { unlink(scenarioPath) }
        // At 60× the wedge comes 2 s in.
        let daemon = try Daemon(config: config, arguments: ["--scenario", scenarioPath, "--speed", "60"])
        #expect(daemon.await("READY=1") != nil, "\(daemon.stderr)")
        #expect(daemon.await("STATUS=stalled: no evaluation for", timeout: .seconds(8)) != nil, "\(daemon.messages) \(daemon.stderr)")
        let after = daemon.collect(for: .seconds(2))
        #expect(!after.contains("WATCHDOG=1"), "\(after)")
        #expect(daemon.logged("<3>venueguard: watchdog: not pinging systemd: no evaluation for"))
        #expect(daemon.process.isRunning)  // systemd's watchdog, not the daemon, ends it
    }

    @Test("On the board: the lightning hold and the held level survive a restart through the safety memory")
    func memoryAcrossRestart() throws {
        let sysfs = FileManager.default.temporaryDirectory.appendingPathComponent("vg-sysfs-\(UUID().uuidString.prefix(8))")
        let hwmon = sysfs.appendingPathComponent("class/hwmon/hwmon0")
        try FileManager.default.createDirectory(at: hwmon, withIntermediateDirectories: true)
        try "sht3x\n".write(to: hwmon.appendingPathComponent("name"), atomically: true, encoding: .utf8)
        try "22000\n".write(to: hwmon.appendingPathComponent("temp1_input"), atomically: true, encoding: .utf8)
        try "50000\n".write(to: hwmon.appendingPathComponent("humidity1_input"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: sysfs) }
        let config = """
            site: { id: board, latitude: 35.0, longitude: 135.0 }
            hardware: linux
            linux: { sysfs_root: \(sysfs.path) }
            areas: [{ id: hall, exposure: indoor, sensors: [hall-climate] }]
            sensors: [{ id: hall-climate, kind: hwmon, device: sht3x, quantities: [air_temperature, humidity], period: 1s }]
            signal: { outputs: terminal, lamps: { green: { line: 17 }, yellow: { line: 27 }, red: { line: 22 } } }
            """
        // What a previous run left: a strike 8 km away two minutes ago, and the hall at stop.
        let now = Date().timeIntervalSince1970.rounded()
        let daemon = try Daemon(config: config) { directory in
            try """
                {"clockSynchronized":true,"dangerStrike":{"kilometres":8,"wall":\(now - 120)},"heatAlert":"none",\
                "levels":{"hall":{"level":"stop","scale":"wbgt"}},"savedAt":\(now - 5),"thunderAdvisory":false}
                """.write(to: directory.appendingPathComponent("memory.json"), atomically: true, encoding: .utf8)
        }
        let ready = try #require(daemon.await("READY=1"), "\(daemon.stderr)")
        // Held: 22 °C alone would be safe and clear.
        #expect(ready.contains("STATUS=stop") && ready.contains("lightning danger"), "\(ready)")
        #expect(daemon.logged("taking back what the previous run knew: a strike 8 km away; levels hall stop"), "\(daemon.stderr)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(within: .seconds(5)) == 0)
        let saved = try String(contentsOf: daemon.directory.appendingPathComponent("memory.json"), encoding: .utf8)
        #expect(saved.contains("\"kilometres\":8"), "\(saved)")
    }
}
