import Foundation
import Testing

/// The terminal panel as a mentor sees it: `venueguard run` in a real terminal (tmux) at 80×24
/// and 120×40, captured; a lightning alarm acknowledged with the `a` key.
///
/// tmux is run through a Python wrapper that clears the signal mask and starts it with every
/// descriptor above 2 closed: the first `new-session` starts the tmux server, a daemon that
/// keeps what it inherits, and a descriptor of the test process's kept by it (Foundation's
/// `Process` watches its children through descriptors of its own) left the test waiting until
/// the server ended: the suite stalled when no tmux server was running beforehand.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TerminalPanelTests {
    static let scenario = """
        name: Panel check
        start: 2024-08-01T14:00:00+09:00
        duration: 2h
        samples:
          hall-climate: { air_temperature: { 0m: 31.5 }, humidity: { 0m: 66 } }
          hall-globe: { globe_temperature: { 0m: 33 } }
          kids-microbit: { air_temperature: { 0m: 28 } }
          yard-climate: { air_temperature: { 0m: 33 }, humidity: { 0m: 55 }, pressure: { 0m: 1006 } }
          yard-globe: { globe_temperature: { 0m: 48 } }
          yard-wind: { wind_speed: { 0m: 1.2 } }
        events:
          - { at: 2m, strike: { distance_km: 6 } }
        """

    /// Runs tmux with `arguments`; its standard output when `output` (capture-pane), else
    /// nothing. Only a command that prints gets a pipe: the first `new-session` starts the tmux
    /// server, which keeps the descriptors it was started with, so reading a pipe given to it
    /// would wait until the server ends (and would hold a thread of the test pool meanwhile).
    static func tmux(_ arguments: [String], output: Bool = false) throws -> String {
        let process = Process()
        // The test process blocks SIGTERM, SIGINT and SIGHUP for its own handling, and a child
        // inherits the blocked mask: a tmux server started with it never answers its client.
        // Python clears the mask and runs tmux (as MosquittoBroker does for mosquitto).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        // subprocess closes every descriptor above 2 in the child (close_fds).
        process.arguments = ["-c", "import signal, subprocess, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); sys.exit(subprocess.call(sys.argv[1:]))",
                             "tmux"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard output else {
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return ""
        }
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Polls the pane until `condition` holds on its text, within `seconds`; the last capture.
    static func capture(_ session: String, within seconds: Double, until condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var text = ""
        while ContinuousClock.now < deadline {
            text = try tmux(["capture-pane", "-p", "-t", session], output: true)
            if condition(text) { return text }
            try await Task.sleep(for: .milliseconds(100))
        }
        return text
    }

    @Test("The panel fits the terminal, says the pattern, the buzzer and what to do, and the a key acknowledges", arguments: [
        (80, 24, true), (120, 40, false),
    ])
    func panel(_ row: (Int, Int, Bool)) async throws {
        let (columns, rows, noColor) = row
        let scenario = FileManager.default.temporaryDirectory.appendingPathComponent("vg-panel-\(UUID().uuidString.prefix(8)).yaml").path
        try Self.scenario.write(toFile: scenario, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        let session = "vg-panel-\(UUID().uuidString.prefix(8))"
        let command = "cd '\(CommandLineTests.root.path)' && \(noColor ? "env NO_COLOR=1 " : "")'\(CommandLineTests.executable.path)' run "
            + "--config Config/demo.yaml --scenario '\(scenario)' --speed 60 --exit-at-end --state-file none"
        _ = try Self.tmux(["new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)", command])
        // Ctrl-C stops the daemon (it takes the SIGHUP of a closed session as "reload"), then the session goes.
        defer {
            _ = try? Self.tmux(["send-keys", "-t", session, "C-c"])
            _ = try? Self.tmux(["kill-session", "-t", session])
        }

        let alarmed = try await Self.capture(session, within: 60) { $0.contains("lightning alarm sounding") }
        #expect(alarmed.contains("lightning alarm sounding"), "no lightning alarm on the panel:\n\(alarmed)")
        // tmux wraps a line wider than the pane: every captured line must be a line of the panel.
        let lines = alarmed.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == rows, "\(alarmed)")
        #expect(alarmed.contains(" Buzzer ブザー:") && alarmed.contains("[Ctrl-C] stop"), "\(alarmed)")
        #expect(lines.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }?.contains("[Ctrl-C] stop") == true,
                "the foot is the last row written: nothing wrapped")
        #expect(alarmed.contains("VenueGuard — Demo community centre"))
        #expect(alarmed.contains("FAST BLINK") && alarmed.contains("速い点滅"), "the blue lamp's pattern in words")
        #expect(alarmed.contains("対応 ") && alarmed.contains(" Do "))
        #expect(alarmed.contains("雷危険") && alarmed.contains("Everyone indoors now"))
        #expect(alarmed.contains("[a] acknowledge the alarm"))
        if noColor {
            // Without colour the lamps are still told apart by shape.
            #expect(alarmed.contains("[ .... ]") && (alarmed.contains("[######]") || alarmed.contains("[      ]")))
        }
        // Between beeps the buzzer is still "sounding", never "silent".
        #expect(!alarmed.contains("silent"))

        _ = try Self.tmux(["send-keys", "-t", session, "a"])
        let acknowledged = try await Self.capture(session, within: 20) { $0.contains("acknowledged (silenced)") }
        #expect(acknowledged.contains("Buzzer ブザー: off — alarm acknowledged (silenced) / 確認済み・消音"), "\(acknowledged)")
        #expect(acknowledged.contains("FAST BLINK"), "the lamps keep showing the danger")
    }
}
