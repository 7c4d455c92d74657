import ArgumentParser
import Foundation
import VenueGuardDaemon
import VenueGuardLinuxSystem

/// `venueguard status`: what the running daemon sees, in one screen.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running daemon's levels, sensors, MQTT connection and rejected-input counters.",
        discussion: """
            Reads the state file the daemon rewrites every second. Exit status: 0 running and up to date, \
            1 stopped, gone or not updating (the lamps are not to be trusted), 3 no readable state file.
            """)

    @Option(help: "The state file (default: $RUNTIME_DIRECTORY/state.json, else /run/venueguard/state.json).")
    var stateFile: String?

    @Flag(help: "Print the state file's JSON as it is.")
    var json = false

    func run() throws {
        let file = AtomicFile(path: stateFile ?? AtomicFile.defaultPath)
        guard let data = file.read() else {
            output("VenueGuard is not running here: there is no state file at \(file.path).\nCheck the service with: systemctl status venueguard\n")
            throw ExitCode(StatusReport.Verdict.unreadable.rawValue)
        }
        if json {
            output(String(decoding: data, as: UTF8.self))
            return
        }
        let (text, verdict) = StatusReport.render(data, now: SystemClock.wall.secondsSince1970) { pid in
            pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
        }
        output(text)
        if verdict != .running { throw ExitCode(verdict.rawValue) }
    }
}
