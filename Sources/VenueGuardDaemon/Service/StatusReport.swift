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

    /// Renders `data` (the state file) at wall time `now` (Unix seconds); `alive(pid)` says whether a process exists.
    public static func render(_ data: Data, now: Double, alive: (Int32) -> Bool) -> (text: String, verdict: Verdict) {
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              document["schema"] as? String == DaemonStateDocument.schema else {
            return ("The state file is not a VenueGuard state file.", .unreadable)
        }
        var out: [String] = []
        var verdict = Verdict.running
        let state = document["state"] as? [String: Any]
        let pid = (document["pid"] as? Int).map(Int32.init) ?? 0
        let written = document["written_unix"] as? Double ?? 0
        let age = max(0, now - written)
        out.append("VenueGuard at site \(state?["site"] as? String ?? "?") — configuration \(document["configuration"] as? String ?? "?")")
        if document["running"] as? Bool != true {
            out.append("STOPPED (\(document["stopped_because"] as? String ?? "no reason given")) at \(document["written"] as? String ?? "?"): not monitoring.")
            verdict = .notMonitoring
        } else if !alive(pid) {
            out.append("NOT RUNNING: the daemon (pid \(pid)) is gone; it last wrote at \(document["written"] as? String ?? "?"). The lamps are not being driven.")
            verdict = .notMonitoring
        } else if age > staleAfter {
            out.append("NOT UPDATING: the daemon (pid \(pid)) last wrote \(Int(age)) s ago; it may be hung. Its watchdog will restart it.")
            verdict = .notMonitoring
        } else {
            let clock = (state?["clock_synchronized"] as? Bool) == true ? "clock synchronised" : "CLOCK NOT SYNCHRONISED (times may be wrong)"
            out.append("Running (pid \(pid)), updated \(Int(age.rounded())) s ago, \(clock).")
        }
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
        if let km = lightning?["last_strike_km"] as? Double { lightningLine += ", last strike \(NumberText.format(km)) km at \(lightning?["last_strike_time"] as? String ?? "?")" }
        if let alerts = state["alerts"] as? [String: Any] {
            lightningLine += "   heat alert: \(alerts["heat_alert"] as? String ?? "?")"
            if alerts["thunder_advisory"] as? Bool == true { lightningLine += "   thunder advisory in force" }
        }
        out.append(lightningLine)

        out.append("")
        out.append("Areas")
        let areas = state["areas"] as? [String: [String: Any]] ?? [:]
        for id in areas.keys.sorted() {
            let area = areas[id]!
            var line = "  \(pad(id, 14)) \(pad(area["status"] as? String ?? "?", 8))"
            if let wbgt = area["wbgt"] as? Double {
                line += " WBGT \(NumberText.format((wbgt * 10).rounded() / 10)) °C by \(area["wbgt_method"] as? String ?? "?")"
            } else if let ta = area["ta"] as? Double {
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
                    let value = values[key]!["value"] as? Double ?? .nan
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
            var line = "MQTT: \(mqtt["connected"] as? Bool == true ? "connected to" : "NOT connected to") \(mqtt["broker"] as? String ?? "?"), backlog \(mqtt["backlog"] as? Int ?? 0)"
            if let dropped = mqtt["dropped"] as? Int, dropped > 0 { line += ", \(dropped) dropped" }
            if mqtt["connected"] as? Bool != true, let error = mqtt["last_error"] as? String { line += " (\(error))" }
            out.append(line)
            for problem in mqtt["problems"] as? [String] ?? [] { out.append("  MQTT PROBLEM: \(problem)") }
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
