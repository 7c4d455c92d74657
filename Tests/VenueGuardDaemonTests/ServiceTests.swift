import Foundation
import Logging
import Synchronization
import Testing
import VenueGuardConfiguration
import VenueGuardCore
@testable import VenueGuardDaemon

/// The pieces of unattended operation that need no process: the watchdog gate, the log
/// format, the status screen, the signal semantics.
struct ServiceTests {
    static func at(_ seconds: Double) -> MonotonicInstant { MonotonicInstant(seconds: seconds) }

    @Test("The watchdog gate pings only while evaluations and output frames progress and no read is stuck", arguments: [
        // (evaluations before → after, frames before → after, oldest read age s, verdict contains)
        (1, 20, 10, 300, nil as Double?, nil as String?),
        (20, 20, 10, 300, nil, "no evaluation for 15s"),
        (1, 20, 300, 300, nil, "the signal output has drawn nothing for 15s"),
        (1, 20, 10, 300, 29.0, nil),
        (1, 20, 10, 300, 31.0, "the read of sensor hall-climate has not returned for 31s"),
    ])
    func gate(_ row: (Int, Int, Int, Int, Double?, String?)) {
        var gate = WatchdogGate(readLimit: .seconds(30))
        #expect(gate.check(.init(at: Self.at(0), evaluations: row.0, outputFrames: row.2)) == .alive)
        let read = row.4.map { (sensor: SensorID("hall-climate"), age: Duration.seconds(fractional: $0)) }
        let verdict = gate.check(.init(at: Self.at(15), evaluations: row.1, outputFrames: row.3, oldestRead: read))
        if let expected = row.5 {
            #expect(verdict == .stalled(expected))
        } else {
            #expect(verdict == .alive)
        }
    }

    @Test("Before the first evaluation the gate does not ping")
    func gateBeforeStart() {
        var gate = WatchdogGate()
        #expect(gate.check(.init(at: Self.at(0), evaluations: 0, outputFrames: 5)) == .stalled("no evaluation yet"))
    }

    @Test("RunProgress reports the read in flight longest")
    func progress() throws {
        let progress = RunProgress()
        let first = progress.readBegan("a")
        Thread.sleep(forTimeInterval: 0.02)
        _ = progress.readBegan("b")
        #expect(progress.oldestRead?.sensor == "a")
        #expect(try #require(progress.oldestRead?.age) >= .milliseconds(20))
        progress.readEnded(first)
        #expect(progress.oldestRead?.sensor == "b")
    }

    @Test("Log lines carry the syslog priority journald reads, one line per event", arguments: [
        (Logger.Level.debug, "<7>"), (.info, "<6>"), (.notice, "<5>"), (.warning, "<4>"), (.error, "<3>"), (.critical, "<2>"),
    ])
    func journalPrefixes(_ row: (Logger.Level, String)) {
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "venueguard") { JournalLogHandler(label: $0, level: .trace) { line in lines.withLock { $0.append(line) } } }
        logger.log(level: row.0, "two\nlines", metadata: ["sensor": "hall"])
        #expect(lines.withLock { $0 } == ["\(row.1)venueguard: two\\nlines sensor=hall\n"])
    }

    @Test("Below the configured level nothing is written")
    func journalLevel() {
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "venueguard") { JournalLogHandler(label: $0, level: .warning) { line in lines.withLock { $0.append(line) } } }
        logger.info("quiet")
        logger.warning("loud")
        #expect(lines.withLock { $0 } == ["<4>venueguard: loud\n"])
    }

    @Test("Events that make an area fail safe or stop are warnings")
    func eventLevels() {
        #expect(VenueEvent(at: .origin, kind: .statusChanged(area: "hall", from: .safe, to: .stop)).logLevel == .warning)
        #expect(VenueEvent(at: .origin, kind: .statusChanged(area: "hall", from: .safe, to: .caution)).logLevel == .notice)
        #expect(VenueEvent(at: .origin, kind: .sensorFaulted("s", .crcMismatch)).logLevel == .warning)
        #expect(VenueEvent(at: .origin, kind: .sensorRecovered("s")).logLevel == .notice)
    }

    @Test("SIGHUP hands over a validated configuration; SIGTERM wins over everything")
    func control() throws {
        let configuration = try ConfigurationLoader.parse(yaml: """
            site: { id: c, latitude: 35.0, longitude: 135.0 }
            areas: [{ id: hall, exposure: indoor, sensors: [t] }]
            sensors: [{ id: t, kind: sht3x }]
            """, file: "c.yaml")
        let control = DaemonControl()
        let first = control.beginGeneration()
        control.reload(with: configuration)
        #expect(first.requested == DaemonControl.reloadReason)
        #expect(control.takePending()?.model.site.id == "c")
        #expect(control.takePending() == nil)
        let second = control.beginGeneration()
        #expect(second.requested == nil)
        control.terminate("terminated")
        #expect(second.requested == "terminated")
        control.reload(with: configuration)  // too late: ignored
        #expect(control.takePending() == nil)
        #expect(control.beginGeneration().requested == "terminated")
    }

    /// A machine on boot "boot-a" at `bootSeconds`, where pid 4242 is VenueGuard run by user 999
    /// (or whatever `processes` says).
    static func observer(wall: Double = 1_000_002, bootSeconds: Double = 502, bootID: String = "boot-a",
                         processes: [Int32: (String, UInt32)] = [4242: ("venueguard", 999)], owner: UInt32 = 999,
                         freeBytes: Int64 = 1 << 30, units: [Int32: String] = [:]) -> StatusReport.Observer {
        StatusReport.Observer(wallNow: wall, boot: (bootID, Int64(bootSeconds * 1e9)), process: { processes[$0] },
                              fileOwner: owner, freeBytes: freeBytes, serviceUnit: { units[$0] })
    }

    static func document(running: Bool = true, written: Double, pid: Int64 = 4242, bootSeconds: Double? = 500,
                         problems: [String] = []) throws -> Data {
        let configuration = try ConfigurationLoader.load(path: ScenarioBehaviourTests.root + "/Config/demo.yaml")
        var engine = VenueEngine(model: configuration.model)
        let now = Timestamp(monotonic: .origin, wall: WallClockTime(secondsSince1970: written))
        engine.apply(.sensor(SensorReport(sensor: "hall-climate", at: .origin, sample: .values([.airTemperature: 33, .relativeHumidity: 70]))))
        engine.apply(.sensor(SensorReport(sensor: "kids-microbit", at: .origin, sample: .values([.airTemperature: 30]))))
        engine.apply(.inputRejected("kids-microbit", reason: "not-a-number"))
        let status = engine.evaluate(at: now)
        return Data(DaemonStateDocument.encode(
            status: status, payloads: .init(site: "demo-centre", utcOffsetSeconds: 9 * 3600),
            mqtt: .init(broker: "localhost:1883", connected: false, backlog: 120, dropped: 0, lastError: "connection refused"),
            pid: Int32(truncatingIfNeeded: pid), configuration: "/etc/venueguard/venueguard.yaml", running: running,
            stoppedBecause: running ? nil : "terminated", written: now.wall,
            boot: bootSeconds.map { ("boot-a", Int64($0 * 1e9)) }, problems: problems)).replacingPID(with: pid)
    }

    @Test("Only the venueguard service's cgroup counts as watched by its watchdog", arguments: [
        ("0::/system.slice/venueguard.service\n", "venueguard.service"),
        ("0::/system.slice/system-venueguard.slice/venueguard@hall.service\n", "venueguard@hall.service"),
        ("0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-terminal.scope\n", nil),
        ("0::/user.slice/user-1000.slice/session-3.scope\n", nil),
        ("0::/system.slice/cron.service\n", nil),
        ("0::/system.slice/run-r1234.service\n", nil),
        ("0::/system.slice/venueguard-companion.service\n", nil),
        ("0::/\n", nil),
        ("12:cpu,cpuacct:/system.slice/ssh.service\n1:name=systemd:/system.slice/venueguard.service\n", "venueguard.service"),
        ("12:cpu,cpuacct:/system.slice/venueguard.service\n1:name=systemd:/user.slice/user-0.slice/session-1.scope\n", nil),
        ("", nil),
    ] as [(String, String?)])
    func serviceUnit(cgroup: String, unit: String?) {
        #expect(StatusReport.serviceUnit(cgroup: cgroup) == unit)
    }

    @Test("The status screen: levels, each sensor with its health and rejected input, MQTT and backlog")
    func statusScreen() throws {
        let data = try Self.document(written: 1_000_000)
        let (text, verdict) = StatusReport.render(data, observer: Self.observer())
        #expect(verdict == .running)
        #expect(text.contains("Running (pid 4242), updated 2 s ago"))
        #expect(text.contains("Overall: "))
        #expect(text.contains("hall-climate       ok       Ta 33 °C, RH 70 %"))
        #expect(text.contains("kids-microbit"))
        #expect(text.contains("rejected: not-a-number 1"))
        #expect(text.contains("hall-globe         stale"))
        #expect(text.contains("MQTT: NOT connected to localhost:1883, backlog 120 (connection refused)"))
    }

    @Test("The summary line says an official source not known as NOT KNOWN, never none: the daemon says not-known or pending, or nothing of a source the companion fetches", arguments: [
        ("not-known", "not-known", false, "heat alert: NOT KNOWN   thunder advisory: NOT KNOWN"),
        ("known", "not-known", false, "heat alert: none   thunder advisory: NOT KNOWN"),
        ("pending", "known", false, "heat alert: NOT KNOWN\n"),
        ("known", "out-of-season", false, "heat alert: none\n"),
        ("", "", false, "heat alert: none\n"),
        ("", "", true, "heat alert: NOT KNOWN   thunder advisory: NOT KNOWN"),
    ])
    func statusOfficialNotKnown(_ row: (heat: String, thunder: String, companionFetches: Bool, expected: String)) throws {
        var document = try #require(try JSONSerialization.jsonObject(with: Self.document(written: 1_000_000)) as? [String: Any])
        var state = try #require(document["state"] as? [String: Any])
        state["alerts"] = ["heat_alert": "none", "thunder_advisory": false]
        // "" here: the daemon's state says nothing of the source.
        state["official"] = ["heat_alerts": ["state": row.heat], "thunder_advisory": ["state": row.thunder]].filter { !$0.value["state"]!.isEmpty }
        document["state"] = state
        var observer = Self.observer()
        if row.companionFetches { observer.officialFetched = ["heat_alerts", "thunder_advisory"] }
        let (text, _) = StatusReport.render(try JSONSerialization.data(withJSONObject: document), observer: observer)
        let line = text.split(separator: "\n").first { $0.hasPrefix("Lightning:") }.map { String($0) + "\n" } ?? ""
        #expect(line.contains(row.expected), "\(line)")
    }

    struct Suspicious: Sendable, CustomTestStringConvertible {
        var name: String
        var running = true
        var pid: Int64 = 4242
        var fileBoot: Double? = 500
        var observer: @Sendable () -> StatusReport.Observer = { ServiceTests.observer() }
        var problems: [String] = []
        var expected: String
        var testDescription: String { name }
    }

    @Test("The status screen says loudly when the lamps cannot be trusted, and exits non-zero", arguments: [
        Suspicious(name: "not updating (boot clock)", observer: { ServiceTests.observer(bootSeconds: 530) },
                   expected: "NOT UPDATING: the daemon (pid 4242) last wrote 30 s ago"),
        Suspicious(name: "not updating under systemd: its watchdog restarts it",
                   observer: { ServiceTests.observer(bootSeconds: 530, units: [4242: "venueguard.service"]) },
                   expected: "it may be hung. systemd's watchdog will restart it (systemctl status venueguard.service)."),
        Suspicious(name: "not updating, started from a terminal: nothing restarts it",
                   observer: { ServiceTests.observer(bootSeconds: 530) },
                   expected: "nothing will restart it: stop it (kill 4242; if it has not ended after a few seconds, kill -9 4242) and start it again."),
        Suspicious(name: "the wall clock stepped back: still judged by the boot clock",
                   observer: { ServiceTests.observer(wall: 999_000, bootSeconds: 530) }, expected: "NOT UPDATING"),
        Suspicious(name: "the wall clock stepped forward: still fresh by the boot clock",
                   observer: { ServiceTests.observer(wall: 2_000_000, bootSeconds: 501) }, expected: "Running (pid 4242), updated 1 s ago"),
        Suspicious(name: "gone", observer: { ServiceTests.observer(processes: [:]) }, expected: "NOT RUNNING: the daemon (pid 4242) is gone"),
        Suspicious(name: "stopped", running: false, expected: "STOPPED (terminated)"),
        Suspicious(name: "a forged file naming pid 1 in the future", pid: 1, fileBoot: 99_999,
                   observer: { ServiceTests.observer(processes: [1: ("systemd", 0)]) }, expected: "NOT RUNNING: pid 1 is not VenueGuard (it is 'systemd')"),
        Suspicious(name: "a file from the future", fileBoot: 99_999, expected: "NOT TRUSTED: the state file cannot be believed: it claims a time in the future"),
        Suspicious(name: "a boot time so negative that now minus it overflows 64 bits", fileBoot: -9_223_000_000,
                   expected: "NOT TRUSTED: the state file cannot be believed: it claims an impossible time"),
        Suspicious(name: "a file from an earlier boot", observer: { ServiceTests.observer(bootID: "boot-b") },
                   expected: "it was written before this machine last started"),
        Suspicious(name: "pid 2^40", pid: 1 << 40, expected: "NOT RUNNING: the state file names no valid process (pid 1099511627776)"),
        Suspicious(name: "pid reused by a VenueGuard of another user", observer: { ServiceTests.observer(owner: 1000) },
                   expected: "runs as another user than the one that wrote the state file"),
        Suspicious(name: "storage full", observer: { ServiceTests.observer(bootSeconds: 540, freeBytes: 0) },
                   problems: ["storage full: cannot save the safety memory (No space left on device)"],
                   expected: "NOT UPDATING: storage full — the daemon (pid 4242) cannot write its state file"),
    ])
    func statusWarnings(_ row: Suspicious) throws {
        let data = try Self.document(running: row.running, written: 1_000_000, pid: row.pid, bootSeconds: row.fileBoot, problems: row.problems)
        let (text, verdict) = StatusReport.render(data, observer: row.observer())
        if row.expected.hasPrefix("Running") {
            #expect(verdict == .running)
        } else {
            #expect(verdict == .notMonitoring)
            #expect(text.contains("Last known"))
        }
        #expect(text.contains(row.expected), "\(text)")
        for problem in row.problems { #expect(text.contains("PROBLEM: \(problem)")) }
    }

    @Test("The state file is replaced whole and readable by others")
    func atomicFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = AtomicFile(path: directory.appendingPathComponent("state.json").path)
        try file.write(Array("first".utf8))
        try file.write(Array("second".utf8), durable: true)
        #expect(file.read() == Data("second".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["state.json"])
        #expect(throws: AtomicFileError.self) { try AtomicFile(path: "/nonexistent-dir/x.json").write([1]) }
    }

    /// The inode of `path` (each write of an `AtomicFile` renames a new file into place).
    static func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    @Test("After an evaluation the state file is written at once only when what it says changed (numbers wait for the heartbeat); the memory is saved when its facts change")
    func writesOnChange() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-reporter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let statePath = directory.appendingPathComponent("state.json").path
        let memoryPath = directory.appendingPathComponent("memory.json").path
        let configuration = try ConfigurationLoader.load(path: ScenarioBehaviourTests.root + "/Config/demo.yaml")
        var engine = VenueEngine(model: configuration.model)
        let progress = RunProgress()
        let reporter = ServiceReporter(notifier: nil, watchdogInterval: nil, progress: progress, stateFile: AtomicFile(path: statePath),
                                       memoryFile: AtomicFile(path: memoryPath, mode: 0o600), configurationPath: "demo.yaml",
                                       logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let latest = Mutex<VenueStatus?>(nil)
        reporter.begin(.init(payloads: .init(site: "demo-centre", utcOffsetSeconds: 9 * 3600), status: { latest.withLock { $0 } }))
        func evaluate(_ seconds: Double, hallTa: Double, memory: VenueMemory? = nil, strike: Bool = false) {
            let at = MonotonicInstant(seconds: seconds)
            if strike { engine.apply(.strike(LightningStrike(distance: .kilometres(3), at: at))) }
            engine.apply(.sensor(SensorReport(sensor: "hall-climate", at: at, sample: .values([.airTemperature: hallTa, .relativeHumidity: 50]))))
            let status = engine.evaluate(at: Timestamp(monotonic: at, wall: WallClockTime(secondsSince1970: 1_000_000 + seconds)))
            latest.withLock { $0 = status }
            progress.evaluated()
            reporter.evaluated(status, memory: memory)
        }
        evaluate(1, hallTa: 24)
        let first = try #require(Self.inode(statePath))
        // The same status again, and a new reading that changes no level: nothing to write yet.
        let status = try #require(latest.withLock { $0 })
        reporter.evaluated(status, memory: nil)
        evaluate(2, hallTa: 24.2)
        #expect(Self.inode(statePath) == first)
        // The heartbeat writes it only once due (the last write was just now).
        reporter.tick()
        #expect(Self.inode(statePath) == first)
        // What it says changes (lightning): written at once, with the latest values.
        evaluate(3, hallTa: 24.5, strike: true)
        let second = try #require(Self.inode(statePath))
        #expect(second != first)
        let text = try String(contentsOfFile: statePath, encoding: .utf8)
        #expect(text.contains(#""air_temperature":{"value":24.5"#) && text.contains(#""written":"#), "\(text.prefix(3000))")
        // Memory: saved when given (its facts changed), not again for the same facts.
        #expect(Self.inode(memoryPath) == nil)
        let memory = try JSONDecoder().decode(VenueMemory.self, from: Data(#"""
            {"savedAt":1000002,"clockSynchronized":true,"heatAlert":"alert","thunderAdvisory":false,"levels":{}}
            """#.utf8))
        evaluate(4, hallTa: 24.5, memory: memory)
        let saved = try #require(Self.inode(memoryPath))
        #expect(try String(contentsOfFile: memoryPath, encoding: .utf8).contains(#""heatAlert":"alert""#))
        var later = memory
        later.savedAt += 10  // the same facts at a later time
        evaluate(5, hallTa: 24.5, memory: later)
        #expect(Self.inode(memoryPath) == saved)
    }
}

extension Data {
    /// The document with its pid field set to `pid` (a forged file may hold any number).
    func replacingPID(with pid: Int64) -> Data {
        guard var object = try? JSONSerialization.jsonObject(with: self) as? [String: Any] else { return self }
        object["pid"] = pid
        return (try? JSONSerialization.data(withJSONObject: object)) ?? self
    }
}
