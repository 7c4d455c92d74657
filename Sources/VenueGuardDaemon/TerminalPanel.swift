import Foundation
import VenueGuardCore
import VenueGuardDrivers

/// A live panel in a terminal: the signal tower as a mentor would see it, the buzzer, each
/// area's level and WBGT, lightning, and why.
public final class TerminalPanel: SignalRenderer {
    /// The panel draws blinking lamps and a clock: it wants a steady cadence.
    public var animates: Bool { true }
    private let title: String
    private let utcOffsetSeconds: Int
    private var buzzer = BuzzerPlayer()
    private let write: (String) -> Void

    /// Creates a panel titled `title`; `write` receives the escape-coded frames.
    public init(title: String, utcOffsetSeconds: Int, write: @escaping (String) -> Void) {
        self.title = title
        self.utcOffsetSeconds = utcOffsetSeconds
        self.write = write
        write("\u{1B}[?25l\u{1B}[2J")  // hide cursor, clear
    }

    static func colour(_ lamp: Lamp) -> String {
        switch lamp {
        case .green: "32"
        case .yellow: "33"
        case .red: "31"
        case .blue: "34"
        }
    }

    public func render(_ status: VenueStatus, scenarioSeconds: Double, realSeconds: Double) {
        var lines: [String] = []
        let time = StatusJSON.iso8601(status.at.wall, utcOffsetSeconds: utcOffsetSeconds)
        lines.append("\u{1B}[1mVenueGuard — \(title)\u{1B}[0m   \(time)   (scenario +\(DurationText.format(.seconds(fractional: scenarioSeconds.rounded()))))")
        lines.append("")
        for lamp in Lamp.allCases {
            guard let pattern = status.signal.lamps[lamp] else { continue }
            let lit = pattern.isOn(atSeconds: realSeconds)
            let bulb = lit ? "\u{1B}[1;\(Self.colour(lamp))m●\u{1B}[0m" : "\u{1B}[2m○\u{1B}[0m"
            lines.append("   \(bulb)  \(lamp.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \u{1B}[2m\(pattern.rawValue)\u{1B}[0m")
        }
        let sounding = buzzer.isOn(intent: status.signal, now: realSeconds)
        let buzzerText = sounding ? "\u{1B}[1;31m♪ BEEP\u{1B}[0m" : "\u{1B}[2m  silent\u{1B}[0m"
        lines.append("   buzzer \(buzzerText)  \u{1B}[2m\(buzzer.current == .off ? status.signal.buzzer.rawValue : buzzer.current.rawValue)\u{1B}[0m")
        lines.append("")
        lines.append("   Venue: \u{1B}[1m\(status.overall.rawValue)\u{1B}[0m (\(status.overall.japaneseName))   lightning: \(status.lightning.rawValue) (\(status.lightning.japaneseName))   heat alert: \(status.heatAlert.rawValue)")
        for area in status.areas {
            var text = "   • \(area.name): \(area.status.rawValue)"
            if let e = area.estimate {
                if let wbgt = e.wbgt {
                    text += "  WBGT \(String(format: "%.1f", wbgt)) °C (\(e.method.rawValue))"
                } else if let ta = e.airTemperature {
                    text += "  air \(String(format: "%.1f", ta)) °C (\(e.method.rawValue))"
                }
            }
            lines.append(text)
        }
        lines.append("")
        for reason in (status.reasons + status.details).prefix(10) {
            let shown = reason.count > 110 ? String(reason.prefix(109)) + "…" : reason
            lines.append("   \u{1B}[2m\(shown)\u{1B}[0m")
        }
        lines.append("")
        lines.append("   \u{1B}[2mCtrl-C to stop. The legend is in the README.\u{1B}[0m")
        write("\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\u{1B}[J")
    }

    public func shutDown(reason: String) {
        write("\u{1B}[H\u{1B}[J\u{1B}[?25h")
        write("VenueGuard stopped (\(reason)): lamps off, buzzer silent — not monitoring.\n")
    }
}

/// Plain lines for logs and pipes: one line whenever the status or the outputs change.
public final class PlainSignalLog: SignalRenderer {
    private let utcOffsetSeconds: Int
    private let write: (String) -> Void

    /// Creates a log writing lines through `write`.
    public init(utcOffsetSeconds: Int, write: @escaping (String) -> Void) {
        self.utcOffsetSeconds = utcOffsetSeconds
        self.write = write
    }

    public func render(_ status: VenueStatus, scenarioSeconds: Double, realSeconds: Double) {}

    /// What a line reports apart from numbers: a new line when it changes.
    private struct Shown: Equatable {
        var overall: SafetyStatus
        var areas: [SafetyStatus]
        var lightning: LightningState
        var signal: SignalIntent
    }
    private var shown: Shown?

    /// One line per change of status or outputs, from every evaluation.
    public func observe(_ status: VenueStatus) {
        let now = Shown(overall: status.overall, areas: status.areas.map(\.status), lightning: status.lightning, signal: status.signal)
        guard now != shown else { return }
        shown = now
        let areas = status.areas.map { area -> String in
            var text = "\(area.id)=\(area.status.rawValue)"
            if let e = area.estimate {
                if let wbgt = e.wbgt { text += " (WBGT \(String(format: "%.1f", wbgt)) \(e.method.rawValue))" }
                else if let ta = e.airTemperature { text += " (air \(String(format: "%.1f", ta)) \(e.method.rawValue))" }
            }
            return text
        }.joined(separator: ", ")
        let lamps = Lamp.allCases.compactMap { lamp in status.signal.lamps[lamp].map { "\(lamp.rawValue)=\($0.rawValue)" } }.joined(separator: " ")
        let time = StatusJSON.iso8601(status.at.wall, utcOffsetSeconds: utcOffsetSeconds)
        write("\(time) venue=\(status.overall.rawValue) \(areas) lightning=\(status.lightning.rawValue) lamps[\(lamps)] buzzer=\(status.signal.buzzer.rawValue)\n")
    }

    public func shutDown(reason: String) {
        write("stopped (\(reason)): lamps off, buzzer silent — not monitoring\n")
    }
}
