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
            Reads the state file the daemon rewrites on every change and at least every 5 s. Exit status (also with --json): \
            0 running and up to date, 1 stopped, gone or not updating (the lamps are not to be trusted), 3 no readable state file.
            """)

    @Option(help: "The state file (default: $RUNTIME_DIRECTORY/state.json, else /run/venueguard/state.json, else the file of a daemon this user started from a terminal: $XDG_RUNTIME_DIR/venueguard/state.json or /tmp/venueguard-<uid>/state.json).")
    var stateFile: String?

    @Flag(help: "Print the state file's JSON as it is.")
    var json = false

    @Option(help: "The companion service's state file (official alerts and forecast).")
    var companionStateFile = "/run/venueguard-companion/state.json"

    func run() throws {
        let file = AtomicFile(path: stateFile ?? AtomicFile.statusPath)
        guard var data = file.read() else {
            let message = """
                VenueGuard is not running here: there is no state file at \(file.path).
                If it runs as a service, check it with: systemctl status venueguard
                If it was started from a terminal (by another user, or with --state-file), give its --state-file here.

                """
            // With --json, standard output carries JSON or nothing.
            if json {
                FileHandle.standardError.write(Data(message.utf8))
                throw ExitCode(StatusReport.Verdict.unreadable.rawValue)
            }
            output(message)
            // The companion's view is worth showing even then (planning with the forecast).
            if !json, let companion = FileManager.default.contents(atPath: companionStateFile) {
                output(Self.officialLines(companion, wallNow: SystemClock.wall.secondsSince1970))
            }
            throw ExitCode(StatusReport.Verdict.unreadable.rawValue)
        }
        // On a full disk the daemon rewrites the file in place: a read may catch it half written.
        for _ in 0..<5 where (try? JSONSerialization.jsonObject(with: data)) == nil {
            usleep(50_000)
            data = file.read() ?? data
        }
        var observer = StatusReport.Observer(
            wallNow: SystemClock.wall.secondsSince1970, boot: SystemClock.bootID.map { ($0, SystemClock.bootTimeNanoseconds) },
            process: Self.process, fileOwner: Self.owner(of: file.path),
            freeBytes: Self.freeBytes(in: (file.path as NSString).deletingLastPathComponent), serviceUnit: Self.serviceUnit)
        let companionState = FileManager.default.contents(atPath: companionStateFile)
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        observer.officialFetched = Set(["heat_alerts", "thunder_advisory"].filter { companionState?[$0] is [String: Any] })
        let (text, verdict) = StatusReport.render(data, observer: observer)
        // The exit status is the same with --json: a script must not read a dead daemon's last file as "running".
        if json {
            guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
                FileHandle.standardError.write(Data("venueguard: the state file \(file.path) is not JSON (\(data.count) bytes)\n".utf8))
                throw ExitCode(StatusReport.Verdict.unreadable.rawValue)
            }
            output(String(decoding: data, as: UTF8.self))
            if verdict != .running { throw ExitCode(verdict.rawValue) }
            return
        }
        output(text)
        if let companion = FileManager.default.contents(atPath: companionStateFile) {
            output(Self.officialLines(companion, wallNow: SystemClock.wall.secondsSince1970))
        }
        if verdict != .running { throw ExitCode(verdict.rawValue) }
    }

    /// The companion service's view of the official feeds, in English and Japanese, with the
    /// sources named as their terms ask (出典). Says so when the companion's file is old.
    static func officialLines(_ data: Data, wallNow: Double) -> String {
        guard let state = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return "Official feeds: the companion's state file is not readable JSON\n"
        }
        var lines = ["Official feeds (venueguard-companion):"]
        if let time = state["time"] as? String, let written = ISO8601DateFormatter().date(from: time),
           wallNow - written.timeIntervalSince1970 > 30 * 60 {
            lines.append("  the companion last wrote at \(time): is venueguard-companion running? (systemctl status venueguard-companion)")
        }
        for key in ["heat_alerts", "thunder_advisory"] {
            guard let feed = state[key] as? [String: Any] else { continue }
            var what = key == "heat_alerts" ? "heat alert: \(feed["alert"] as? String ?? "?")" + ((feed["until"] as? String).map { " until \($0)" } ?? "")
                + ((feed["tomorrow"] as? String).map { ", tomorrow \($0)" } ?? "")
                : "thunder advisory (雷注意報): \((feed["in_force"] as? Bool) == true ? "in force" : "none")" + ((feed["status"] as? String).map { " (\($0))" } ?? "")
            // A feed that cannot be read is never "none": say so first, with what was last known.
            if feed["known"] as? Bool == false {
                what = (key == "heat_alerts" ? "heat alert: NOT KNOWN" : "thunder advisory (雷注意報): NOT KNOWN") + " (last known: \(what.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"))"
            }
            lines.append("  \(what)")
            if let en = feed["text_en"] as? String, let ja = feed["text_ja"] as? String { lines.append("    \(en) / \(ja)") }
            if let source = feed["source"] as? String { lines.append("    \(source)") }
        }
        if let forecast = state["forecast"] as? [String: Any] {
            for day in ["today", "tomorrow"] {
                guard let d = forecast[day] as? [String: Any], let maximum = d["max_wbgt"] as? Double else { continue }
                lines.append("  WBGT forecast \(day) (point \(forecast["point"] as? String ?? "?")): max \(String(format: "%.1f", maximum)) °C\((d["level"] as? String).map { ", \($0)" } ?? "")")
                // When each level is reached, for planning outdoor activity (3-hourly forecast times).
                let hours = d["hours_at_or_above"] as? [String: [String]] ?? [:]
                let reached = ["caution", "warning", "severe", "stop"].compactMap { level in
                    hours[level].flatMap { $0.isEmpty ? nil : "\(level) \($0.joined(separator: " "))" }
                }
                if !reached.isEmpty { lines.append("    at or above: " + reached.joined(separator: "; ")) }
            }
            if let problem = forecast["problem"] as? String { lines.append("  WBGT forecast: \(problem)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The command name and user of process `pid`, from /proc.
    static func process(_ pid: Int32) -> (name: String, uid: UInt32)? {
        guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return nil }
        var info = stat()
        guard stat("/proc/\(pid)", &info) == 0 else { return nil }
        return (comm.trimmingCharacters(in: .whitespacesAndNewlines), info.st_uid)
    }

    /// The VenueGuard service process `pid` runs in, from `/proc/PID/cgroup`.
    static func serviceUnit(_ pid: Int32) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)).flatMap(StatusReport.serviceUnit(cgroup:))
    }

    static func owner(of path: String) -> UInt32? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_uid : nil
    }

    static func freeBytes(in directory: String) -> Int64? {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}
