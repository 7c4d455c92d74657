import Foundation
import Testing

/// The `venueguard` command as a user runs it.
struct CommandLineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built executable next to the test bundle.
    static var executable: URL {
        var directory = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("venueguard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/venueguard")
    }

    static func run(_ arguments: [String], input: String? = nil, executable other: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = other.map { URL(fileURLWithPath: $0) } ?? executable
        process.arguments = arguments
        process.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    static func temporaryFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vg-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("check-config prints the effective configuration for the demo")
    func checkConfig() throws {
        let result = try Self.run(["check-config", "Config/demo.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("stop: 31  # region standard"))
        #expect(result.stderr.isEmpty)
    }

    @Test("status shows the companion's view (alerts, 'not known since', the forecast's hours) even when the daemon's state file is missing")
    func statusShowsTheCompanion() throws {
        let companion = try Self.temporaryFile(#"""
            {"schema":"venueguard-companion/state/1","time":"2099-01-01T10:00:00+09:00",
             "heat_alerts":{"area":"130000","alert":"alert","known":false,"until":"2026-08-08T00:00:00+09:00","tomorrow":"special-alert",
                            "text_en":"heat alerts: not known since 05:10 (unreachable)","text_ja":"熱中症警戒アラート: 05:10から不明",
                            "source":"出典：環境省熱中症予防情報サイト"},
             "forecast":{"point":"44132","today":{"date":"2026-08-07","max_wbgt":31.2,"level":"stop",
                         "hours_at_or_above":{"caution":["09:00","12:00","15:00"],"stop":["15:00"]}}}}
            """#)
        defer { try? FileManager.default.removeItem(atPath: companion) }
        let result = try Self.run(["status", "--state-file", "/nonexistent/state.json", "--companion-state-file", companion])
        #expect(result.status == 3)
        #expect(result.stdout.contains("heat alert: NOT KNOWN (last known: alert until 2026-08-08T00:00:00+09:00, tomorrow special-alert)"), "\(result.stdout)")
        #expect(result.stdout.contains("heat alerts: not known since 05:10 (unreachable) / 熱中症警戒アラート: 05:10から不明"))
        #expect(result.stdout.contains("WBGT forecast today (point 44132): max 31.2 °C, stop"))
        #expect(result.stdout.contains("at or above: caution 09:00 12:00 15:00; stop 15:00"))
    }

    @Test("status --json prints the file as it is and exits as plain status does: 1 for a stopped daemon, 3 for no file")
    func statusJSONExitStatus() throws {
        let stopped = try ServiceTests.document(running: false, written: Date().timeIntervalSince1970)
        let path = try Self.temporaryFile(String(decoding: stopped, as: UTF8.self))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for arguments in [["status", "--state-file", path], ["status", "--json", "--state-file", path]] {
            let result = try Self.run(arguments + ["--companion-state-file", "/nonexistent/companion.json"])
            #expect(result.status == 1, "\(arguments): exit \(result.status)")
        }
        let json = try Self.run(["status", "--json", "--state-file", path, "--companion-state-file", "/nonexistent/companion.json"])
        #expect(json.stdout == String(decoding: stopped, as: UTF8.self))
        let missing = try Self.run(["status", "--json", "--state-file", "/nonexistent/state.json", "--companion-state-file", "/nonexistent/c.json"])
        #expect(missing.status == 3)
        #expect(missing.stdout.isEmpty && missing.stderr.contains("no state file"), "\(missing)")
        let empty = try Self.temporaryFile("")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let unreadable = try Self.run(["status", "--json", "--state-file", empty, "--companion-state-file", "/nonexistent/c.json"])
        #expect(unreadable.status == 3 && unreadable.stdout.isEmpty, "\(unreadable)")
    }

    @Test("venueguard-companion --once exits 1 when a feed cannot be fetched, or when there is nothing to poll, saying why")
    func companionOnceExitStatus() throws {
        let companion = Self.executable.deletingLastPathComponent().appendingPathComponent("venueguard-companion").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vg-once-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let site = "site: { id: once, latitude: 35.68, longitude: 139.77 }\n"
        let withFeeds = try Self.temporaryFile(site + "official:\n  thunder_municipality: \"1310100\"\n  jma_office: \"130000\"\n")
        let without = try Self.temporaryFile(site)
        defer { for path in [withFeeds, without] { try? FileManager.default.removeItem(atPath: path) } }
        // Port 9 on loopback: nothing listens, the connection is refused at once.
        let common = ["--once", "--socket", folder + "/companion.sock", "--state-file", folder + "/state.json",
                      "--jma-feed", "http://127.0.0.1:9/extra.xml", "--jma-long-feed", "http://127.0.0.1:9/extra_l.xml",
                      "--environment-base", "http://127.0.0.1:9/", "--daemon-state-file", folder + "/daemon.json"]
        let refused = try Self.run(["--config", withFeeds] + common, executable: companion)
        #expect(refused.status == 1, "exit \(refused.status): \(refused.stderr)")
        #expect(refused.stderr.contains("one poll: 1 requests, 1 failed"), "\(refused.stderr)")
        let nothing = try Self.run(["--config", without] + common, executable: companion)
        #expect(nothing.status == 1, "exit \(nothing.status): \(nothing.stderr)")
        #expect(nothing.stderr.contains("nothing to poll"), "\(nothing.stderr)")
    }

    @Test("check-config on a bad file: one line naming file, line and key; non-zero exit", arguments: [
        ("site:\n  id: x\n  colour: red\n", 3, "site.colour"),
        ("site:\n  id: x\n  latitude: [1]\n  longitude: 1\n", 3, "site.latitude"),
    ])
    func checkConfigErrors(_ row: (String, Int, String)) throws {
        let path = try Self.temporaryFile(row.0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.run(["check-config", path])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("\(path):\(row.1): key '\(row.2)'"), "\(result.stderr)")
    }

    @Test("check-config on a missing file says so")
    func missingFile() throws {
        let result = try Self.run(["check-config", "/nonexistent/site.yaml"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/site.yaml: cannot read the file"))
    }

    @Test("wbgt --json gives wbgt, method, level and the estimated components")
    func calculatorJSON() throws {
        let result = try Self.run(["wbgt", "--outdoor", "--ta", "35", "--rh", "60", "--wind", "0.5", "--solar", "1000",
                                   "--lat", "35.68", "--lon", "139.77", "--time", "2024-08-01T12:00:00+09:00", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "liljegren")
        #expect(object["level"] as? String == "stop")
        #expect(abs((object["wbgt"] as! Double) - 37.90) < 0.05)
        #expect(abs((object["tg"] as! Double) - 60.54) < 0.1)
        #expect(abs((object["tnw"] as! Double) - 31.85) < 0.05)
    }

    @Test("wbgt text names the level in English and Japanese and what to do")
    func calculatorText() throws {
        let result = try Self.run(["wbgt", "--ta", "31", "--rh", "65", "--tg", "36", "--globe-mm", "150"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("method: globe"))
        #expect(result.stdout.contains("severe") && result.stdout.contains("厳重警戒"))
        #expect(result.stdout.contains("What to do:") && result.stdout.contains("対応:"))
    }

    @Test("wbgt: temperature only uses the dry-bulb thresholds (35 °C = stop)")
    func calculatorDryBulb() throws {
        let result = try Self.run(["wbgt", "--ta", "35.5", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "temperature-only")
        #expect(object["level"] as? String == "stop")
        #expect(object["wbgt"] is NSNull)
    }

    @Test("wbgt: impossible or invalid inputs give a clear error", arguments: [
        (["wbgt", "--ta", "31", "--rh", "130"], "humidity 130 % is impossible"),
        (["wbgt", "--ta", "45", "--rh", "50", "--method", "indoor-chart"], "indoor-chart is not valid here"),
        (["wbgt", "--ta", "31", "--rh", "50", "--method", "liljegren"], "liljegren does not apply"),
        (["wbgt", "--ta", "31", "--rh", "50", "--solar", "500"], "--solar applies outdoors"),
        (["wbgt", "--ta", "31", "--tg", "40", "--globe-mm", "500"], "globe diameter"),
        (["wbgt", "--rh", "50"], "give at least --ta"),
        // Inputs the best method cannot use are never dropped in silence (the field report: no
        // location made this "temperature-only, severe" when the sun and wind give a stop).
        (["wbgt", "--ta", "31", "--rh", "65", "--outdoor", "--solar", "600", "--wind", "1"],
         "--rh, --wind, --solar were given, but the best method these inputs allow (temperature-only) does not use them: globe needs globe_temperature; liljegren needs site latitude/longitude."),
        (["wbgt", "--ta", "31", "--rh", "65", "--outdoor"], "--rh was given, but the best method these inputs allow (temperature-only) does not use it: globe needs globe_temperature; liljegren needs solar_radiation."),
        (["wbgt", "--ta", "31", "--rh", "65", "--wind", "1"], "--wind was given, but the best method these inputs allow (indoor-chart) does not use it"),
        (["wbgt", "--ta", "31", "--tnw", "25"], "--tnw was given"),
        // A broken hygrometer's 0 % is refused, as the daemon never uses it.
        (["wbgt", "--ta", "31", "--rh", "0"], "--rh 0: a hygrometer reads exactly 0 % only when it is broken"),
        // Impossible dates are errors, not rolled over to March.
        (["wbgt", "--ta", "31", "--rh", "65", "--outdoor", "--lat", "35.68", "--lon", "139.77", "--time", "2024-02-31T12:00:00+09:00"],
         "--time '2024-02-31T12:00:00+09:00' is not an existing date and time"),
        (["wbgt", "--ta", "31", "--rh", "65", "--outdoor", "--lat", "35.68", "--lon", "139.77", "--time", "2023-02-29T12:00:00+09:00"],
         "is not an existing date"),
        (["wbgt", "--ta", "31", "--rh", "65", "--outdoor", "--lat", "35.68", "--lon", "139.77", "--time", "2024-08-01T24:30:00+09:00"],
         "is not an existing date"),
    ])
    func calculatorErrors(_ row: ([String], String)) throws {
        let result = try Self.run(row.0)
        #expect(result.status != 0)
        #expect(result.stderr.contains(row.1), "\(result.stderr)")
    }

    @Test("wbgt: with the location the same inputs give Liljegren's WBGT 32.2, stop; a chosen method says what it left out")
    func calculatorUsesEverything() throws {
        let located = try Self.run(["wbgt", "--ta", "31", "--rh", "65", "--outdoor", "--solar", "600", "--wind", "1",
                                    "--lat", "35.68", "--lon", "139.77", "--time", "2024-08-01T12:00:00+09:00", "--json"])
        #expect(located.status == 0, "\(located.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(located.stdout.utf8)) as! [String: Any]
        #expect(object["method"] as? String == "liljegren")
        #expect(abs((object["wbgt"] as? Double ?? 0) - 32.2) < 0.1)
        #expect(object["level"] as? String == "stop")
        let chosen = try Self.run(["wbgt", "--ta", "31", "--rh", "65", "--wind", "1", "--method", "indoor-chart"])
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(chosen.stdout.contains("Note: not used by indoor-chart: --wind"), "\(chosen.stdout)")
    }

    @Test("wbgt answers when leaving an input out cannot lower the level: 41 °C air with humidity (past the indoor chart) is stop; Tnw and Tg with Ta and RH use ISO 7243; negative temperatures need no '='")
    func calculatorAnswersWhenNothingIsLost() throws {
        let hot = try Self.run(["wbgt", "--ta", "41", "--rh", "30", "--json"])
        #expect(hot.status == 0, "\(hot.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(hot.stdout.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "stop" && object["method"] as? String == "temperature-only")
        let notes = object["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("not used by temperature-only: --rh") && $0.contains("the level is the highest already") }, "\(notes)")
        let everything = try Self.run(["wbgt", "--ta", "31", "--rh", "65", "--tg", "36", "--globe-mm", "150", "--tnw", "27"])
        #expect(everything.status == 0, "\(everything.stderr)")
        #expect(everything.stdout.contains("method: iso7243"), "\(everything.stdout)")
        #expect(everything.stdout.contains("Note: not needed by iso7243, which uses the measured values: --ta, --rh"), "\(everything.stdout)")
        // A measured method is not taken over other inputs that give a higher level: an instrument
        // reading low, or Tg from a ping-pong ball under ISO 7243.
        let low = try Self.run(["wbgt", "--measured", "25", "--tnw", "28", "--tg", "40"])
        #expect(low.status != 0 && low.stderr.contains("measured gives warning, but the other inputs give stop by iso7243"), "\(low.stderr)")
        let smallGlobe = try Self.run(["wbgt", "--outdoor", "--ta", "33", "--rh", "60", "--tg", "38", "--globe-mm", "40", "--tnw", "24"])
        #expect(smallGlobe.status != 0 && smallGlobe.stderr.contains("iso7243 gives"), "\(smallGlobe.stdout)\(smallGlobe.stderr)")
        // Below stop, an input the best method cannot use is still an error (it could lower the level).
        let warm = try Self.run(["wbgt", "--ta", "31", "--rh", "65", "--outdoor"])
        #expect(warm.status != 0)
        let cold = try Self.run(["wbgt", "--ta", "-5"])
        #expect(cold.status == 0 && cold.stdout.contains("Level: safe"), "\(cold.stdout)\(cold.stderr)")
    }

    @Test("simulate prints JSON lines; a scenario naming an unknown sensor is an error with its line")
    func simulate() throws {
        let ok = try Self.run(["simulate", "Config/scenarios/thunderstorm.yaml", "--config", "Config/demo.yaml"])
        #expect(ok.status == 0)
        #expect(ok.stdout.split(separator: "\n").count > 3)
        let path = try Self.temporaryFile("start: 2024-08-01T12:00:00+09:00\nduration: 1h\nsamples:\n  nobody:\n    humidity: { 0m: 50 }\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bad = try Self.run(["simulate", path, "--config", "Config/demo.yaml"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("\(path):4: key 'samples.nobody': no sensor 'nobody'"), "\(bad.stderr)")
    }

    @Test("run without a terminal prints plain lines and ends in the not-monitoring state")
    func runPlain() throws {
        let result = try Self.run(["run", "--config", "Config/demo.yaml", "--scenario", "Config/scenarios/thunderstorm.yaml",
                                   "--speed", "20000", "--exit-at-end"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("lightning=danger"))
        #expect(result.stdout.hasSuffix("stopped (scenario ended): lamps off, buzzer silent — not monitoring\n"))
    }
}
