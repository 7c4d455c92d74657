import Foundation
import VenueGuardCore

/// `venueguard status`: the state file in one screen, for a mentor or an installer. It says
/// loudly when the file is old or the daemon is gone, because then the lamps mean nothing.
public enum StatusReport {
    /// How the report ended.
    public enum Verdict: Int32, Sendable {
        /// Running, and the file is fresh.
        case running = 0
        /// Stopped, gone, or not updating.
        case notMonitoring = 1
        /// The file is unreadable.
        case unreadable = 3
    }

    /// A file older than this means the daemon is not updating it.
    public static let staleAfter = 10.0

    /// What `status` knows of the machine it runs on, to judge a state file by.
    public struct Observer {
        /// The wall clock now, Unix seconds (shown only; freshness is judged on the boot clock).
        public var wallNow: Double
        /// This boot's id and CLOCK_BOOTTIME now, nanoseconds.
        public var boot: (id: String, nanoseconds: Int64)?
        /// The process `pid`, if there is one: its command name and user id.
        public var process: (Int32) -> (name: String, uid: UInt32)?
        /// The state file's owner, which must be the daemon's user.
        public var fileOwner: UInt32?
        /// Free bytes on the state file's file system.
        public var freeBytes: Int64?
        /// The VenueGuard systemd service that process `pid` runs in (`venueguard.service`, from
        /// `/proc/PID/cgroup`), whose watchdog restarts a hung daemon; `nil` for a daemon started
        /// from a terminal, cron, ssh or `systemd-run` (no such watchdog).
        public var serviceUnit: (Int32) -> String?
        /// The official sources the companion fetches (`heat_alerts`, `thunder_advisory`, from its
        /// state file): one the daemon's state says nothing of reads NOT KNOWN, never "none".
        public var officialFetched: Set<String> = []

        /// Creates an observer.
        public init(wallNow: Double, boot: (id: String, nanoseconds: Int64)?, process: @escaping (Int32) -> (name: String, uid: UInt32)?,
                    fileOwner: UInt32?, freeBytes: Int64?, serviceUnit: @escaping (Int32) -> String? = { _ in nil }) {
            self.wallNow = wallNow
            self.boot = boot
            self.process = process
            self.fileOwner = fileOwner
            self.freeBytes = freeBytes
            self.serviceUnit = serviceUnit
        }
    }

    /// The VenueGuard service a process runs in, from its `/proc/PID/cgroup` text: the shipped
    /// `venueguard.service` (or an instance `venueguard@….service`), whose watchdog restarts a
    /// hung daemon. Read from the unified line (`0::/system.slice/venueguard.service`), else
    /// cgroup v1's `name=systemd` line, innermost group only (a terminal's shell sits in a
    /// `.scope`, even below `user@1000.service`). Any other unit (cron, ssh, `systemd-run`,
    /// the companion) has no such watchdog: `nil`.
    public static func serviceUnit(cgroup text: String) -> String? {
        let lines = text.split(separator: "\n")
        guard let line = lines.first(where: { $0.hasPrefix("0::") }) ?? lines.first(where: { $0.contains(":name=systemd:") }),
              let path = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).last,
              let unit = path.split(separator: "/").last, unit.hasSuffix(".service"),
              unit == "venueguard.service" || unit.hasPrefix("venueguard@") else { return nil }
        return String(unit.prefix(64))
    }

    /// The largest pid Linux hands out (`pid_max` can be at most 2²²).
    static let largestPID = 4_194_304

    /// Renders `data` (the state file) as `observer` sees the machine.
    public static func render(_ data: Data, observer: Observer) -> (text: String, verdict: Verdict) {
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              document["schema"] as? String == DaemonStateDocument.schema else {
            return ("The state file is not a VenueGuard state file.", .unreadable)
        }
        var out: [String] = []
        var verdict = Verdict.running
        let state = document["state"] as? [String: Any]
        let writtenText = document["written"] as? String ?? "?"
        out.append("VenueGuard at site \(state?["site"] as? String ?? "?") — configuration \(document["configuration"] as? String ?? "?")")
        let problems = document["problems"] as? [String] ?? []
        let storageFull = problems.contains { $0.contains("storage full") } || (observer.freeBytes.map { $0 < 4096 } ?? false)

        // The pid must be a VenueGuard process of the user that wrote the file; anything else
        // (a forged file naming pid 1, a pid reused by another program) is not a running daemon.
        let rawPID = (document["pid"] as? NSNumber)?.int64Value ?? 0
        let pid = (1...Int64(largestPID)).contains(rawPID) ? Int32(rawPID) : nil
        var processProblem: String?
        if let pid {
            if let process = observer.process(pid) {
                if process.name != "venueguard" {
                    processProblem = "pid \(pid) is not VenueGuard (it is '\(process.name.prefix(32))')"
                } else if let owner = observer.fileOwner, owner != process.uid {
                    processProblem = "pid \(pid) runs as another user than the one that wrote the state file"
                }
            } else {
                processProblem = "the daemon (pid \(pid)) is gone"
            }
        } else {
            processProblem = "the state file names no valid process (pid \(rawPID))"
        }

        // Freshness on the boot clock: a stepped wall clock cannot make an old file look new.
        var age: Double?
        var freshnessProblem: String?
        if let fileBoot = document["boot_id"] as? String, let fileTime = (document["boottime_ns"] as? NSNumber)?.int64Value,
           let boot = observer.boot {
            // In Doubles: a forged stamp (Int64.min, …) cannot overflow the subtraction.
            let seconds = (Double(boot.nanoseconds) - Double(fileTime)) / 1e9
            if fileBoot != boot.id {
                freshnessProblem = "it was written before this machine last started"
            } else if fileTime < 0 {
                freshnessProblem = "it claims an impossible time (forged or damaged)"
            } else if seconds < -1 {
                freshnessProblem = "it claims a time in the future (forged or damaged)"
            } else {
                age = max(0, seconds)
            }
        } else {
            let wallAge = observer.wallNow - ((document["written_unix"] as? NSNumber)?.doubleValue ?? 0)
            if wallAge < -5 {
                freshnessProblem = "it claims a time in the future and has no boot clock to check it by"
            } else {
                age = max(0, wallAge)
            }
        }

        if document["running"] as? Bool != true {
            out.append("STOPPED (\(document["stopped_because"] as? String ?? "no reason given")) at \(writtenText): not monitoring.")
            verdict = .notMonitoring
        } else if let processProblem {
            out.append("NOT RUNNING: \(processProblem); the state file was last written at \(writtenText). The lamps are not being driven.")
            verdict = .notMonitoring
        } else if let freshnessProblem {
            out.append("NOT TRUSTED: the state file cannot be believed: \(freshnessProblem). Check the service: systemctl status venueguard")
            verdict = .notMonitoring
        } else if let age, age > staleAfter {
            if storageFull {
                out.append("NOT UPDATING: storage full — the daemon (pid \(pid ?? 0)) cannot write its state file; it last wrote \(Int(age)) s ago. Free some space.")
            } else {
                // Only systemd's watchdog restarts a hung daemon; one started from a terminal stays hung.
                let restart = if let pid, let unit = observer.serviceUnit(pid) {
                    "systemd's watchdog will restart it (systemctl status \(unit))."
                } else {
                    "It was not started by systemd's venueguard service, so nothing will restart it: stop it (kill \(pid ?? 0); if it has not ended after a few seconds, kill -9 \(pid ?? 0)) and start it again."
                }
                out.append("NOT UPDATING: the daemon (pid \(pid ?? 0)) last wrote \(Int(age)) s ago; it may be hung. \(restart)")
            }
            verdict = .notMonitoring
        } else {
            let clock = (state?["clock_synchronized"] as? Bool) == true ? "clock synchronised" : "CLOCK NOT SYNCHRONISED (times may be wrong)"
            out.append("Running (pid \(pid ?? 0)), updated \(Int((age ?? 0).rounded())) s ago, \(clock).")
        }
        for problem in problems { out.append("PROBLEM: \(problem)") }
        guard let state else {
            out.append("No evaluation yet.")
            return (out.joined(separator: "\n") + "\n", verdict)
        }
        if verdict != .running {
            out.append("")
            out.append("Last known, when it last wrote:")
        }
        let outputs = state["outputs"] as? [String: Any]
        let lamps = (outputs?["lamps"] as? [String: String] ?? [:]).filter { $0.value != "off" }
            .sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        out.append("")
        out.append("Overall: \((state["status"] as? String ?? "?").uppercased())   lamps: \(lamps.isEmpty ? "all off" : lamps.joined(separator: ", "))   buzzer: \(outputs?["buzzer"] as? String ?? "?")")
        let lightning = state["lightning"] as? [String: Any]
        var lightningLine = "Lightning: \(lightning?["state"] as? String ?? "?")"
        if let km = (lightning?["last_strike_km"] as? NSNumber)?.doubleValue { lightningLine += ", last strike \(NumberText.format(km)) km at \(lightning?["last_strike_time"] as? String ?? "?")" }
        if let alerts = state["alerts"] as? [String: Any] {
            // An official source not known is never "none" (as on the page): the daemon says it is
            // not known or still pending, or says nothing of a source the companion fetches.
            let official = state["official"] as? [String: Any]
            func notKnown(_ source: String) -> Bool {
                guard let said = (official?[source] as? [String: Any])?["state"] as? String else { return observer.officialFetched.contains(source) }
                return !["known", "out-of-season"].contains(said)
            }
            let heatAlert = alerts["heat_alert"] as? String ?? "?"
            lightningLine += "   heat alert: \(heatAlert == "none" && notKnown("heat_alerts") ? "NOT KNOWN" : heatAlert)"
            if alerts["thunder_advisory"] as? Bool == true {
                lightningLine += "   thunder advisory in force"
            } else if notKnown("thunder_advisory") {
                lightningLine += "   thunder advisory: NOT KNOWN"
            }
        }
        out.append(lightningLine)

        out.append("")
        out.append("Areas")
        let areas = state["areas"] as? [String: [String: Any]] ?? [:]
        for id in areas.keys.sorted() {
            let area = areas[id]!
            var line = "  \(pad(id, 14)) \(pad(area["status"] as? String ?? "?", 8))"
            if let wbgt = (area["wbgt"] as? NSNumber)?.doubleValue {
                line += " WBGT \(NumberText.format((wbgt * 10).rounded() / 10)) °C by \(area["wbgt_method"] as? String ?? "?")"
            } else if let ta = (area["ta"] as? NSNumber)?.doubleValue {
                line += " air \(NumberText.format((ta * 10).rounded() / 10)) °C by \(area["wbgt_method"] as? String ?? "?")"
            }
            let inputs = area["inputs"] as? [String: [String: Any]] ?? [:]
            let notSensed = inputs.keys.sorted().compactMap { key -> String? in
                let source = inputs[key]?["source"] as? String ?? ""
                return source == "sensor" ? nil : "\(key) \(source)"
            }
            if !notSensed.isEmpty { line += " (\(notSensed.joined(separator: ", ")))" }
            out.append(line)
        }

        out.append("")
        out.append("Sensors")
        for sensor in document["sensors"] as? [[String: Any]] ?? [] {
            let id = sensor["sensor"] as? String ?? "?"
            let quality = sensor["quality"] as? String ?? "?"
            let values = sensor["values"] as? [String: [String: Any]] ?? [:]
            var line = "  \(pad(id, 18)) \(pad(quality, 8))"
            if quality == "ok" && values.isEmpty {
                line += " (no values: a detector)"
            } else if quality == "ok" {
                line += " " + values.keys.sorted().map { key in
                    let value = (values[key]!["value"] as? NSNumber)?.doubleValue ?? .nan
                    let label = Quantity(rawValue: key)?.symbol ?? key
                    return "\(label) \(NumberText.format((value * 100).rounded() / 100)) \(values[key]!["unit"] as? String ?? "")"
                }.joined(separator: ", ")
            } else {
                line += " \(sensor["reason"] as? String ?? "")"
            }
            if let rejected = sensor["rejected"] as? [String: Int], !rejected.isEmpty {
                line += "   rejected: " + rejected.keys.sorted().map { "\($0) \(rejected[$0]!)" }.joined(separator: ", ")
            }
            out.append(line)
            for key in values.keys.sorted() {
                if let suspect = values[key]!["suspect"] as? String { out.append("  \(pad("", 18)) SUSPECT: \(suspect)") }
            }
        }

        out.append("")
        if let mqtt = document["mqtt"] as? [String: Any] {
            var line = "MQTT: \(mqtt["connected"] as? Bool == true ? "connected to" : "NOT connected to") \(mqtt["broker"] as? String ?? "?"), backlog \((mqtt["backlog"] as? NSNumber)?.intValue ?? 0)"
            if let dropped = (mqtt["dropped"] as? NSNumber)?.intValue, dropped > 0 { line += ", \(dropped) dropped" }
            if mqtt["connected"] as? Bool != true, let error = mqtt["last_error"] as? String { line += " (\(error))" }
            out.append(line)
        } else {
            out.append("MQTT: not configured")
        }
        let reasons = state["reasons"] as? [String] ?? []
        if !reasons.isEmpty {
            out.append("")
            out.append("Why")
            for reason in reasons { out.append("  - \(reason)") }
        }
        return (out.joined(separator: "\n") + "\n", verdict)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
