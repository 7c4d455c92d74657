import Foundation
import Rainbow
import VenueGuardCore
import VenueGuardDrivers

/// A live panel in a terminal: the signal tower as a mentor would see it, the buzzer, what to do
/// in Japanese and English, each area's level and WBGT, lightning, and why in plain words.
///
/// Readable at a glance and while blinking: each lamp is a large block in its colour while lit
/// and keeps a coloured frame in the dark half of a blink, and its pattern is written beside it
/// (`BLINKING`, `FAST BLINK`), so the state never depends on the instant it is read. The
/// buzzer is worded by its pattern ("heat alarm, sounding: repeats until acknowledged"), never
/// as "silent" between two beeps. Colours come from Rainbow, which honours `NO_COLOR`; without
/// colour the lamps are drawn as `[####]`, `[    ]` and `[ .. ]` and named. The frame fits the
/// terminal's height (80×24 and up): the reasons give way first.
public final class TerminalPanel: SignalRenderer {
    /// The panel draws blinking lamps and a clock: it wants a steady cadence.
    public var animates: Bool { true }
    private let title: String
    private let utcOffsetSeconds: Int
    private let thresholds: (wbgt: HeatThresholds, dryBulb: HeatThresholds)
    private let allClearMinutes: Int
    private let acknowledgeKey: Bool
    private let size: () -> (rows: Int, columns: Int)
    private var buzzer = BuzzerPlayer()
    private let write: (String) -> Void

    /// Creates a panel titled `title`; `write` receives the escape-coded frames. `parameters`
    /// give the thresholds the reasons cite; `acknowledgeKey` adds "[a] acknowledge" to the
    /// foot (when the run reads keys); `size` gives the terminal's rows and columns.
    public init(title: String, utcOffsetSeconds: Int, parameters: SafetyParameters = .standard, acknowledgeKey: Bool = false,
                size: @escaping () -> (rows: Int, columns: Int) = TerminalPanel.terminalSize, write: @escaping (String) -> Void) {
        self.title = title
        self.utcOffsetSeconds = utcOffsetSeconds
        self.thresholds = (parameters.wbgtThresholds, parameters.dryBulbThresholds)
        self.allClearMinutes = Int(parameters.lightning.allClear.components.seconds / 60)
        self.acknowledgeKey = acknowledgeKey
        self.size = size
        self.write = write
        write("\u{1B}[?25l\u{1B}[2J")  // hide cursor, clear
    }

    /// The size of the terminal on standard output (80×24 when it cannot be read).
    public static func terminalSize() -> (rows: Int, columns: Int) {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 else { return (24, 80) }
        return (Int(size.ws_row), Int(size.ws_col))
    }

    /// The terminal columns `text` takes: two for East Asian wide and fullwidth characters
    /// (CJK, kana, Hangul, fullwidth forms; Unicode UAX #11 W/F), one for the rest.
    static func columns(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            let v = scalar.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
                || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
                || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
                || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
            return total + (scalar.properties.generalCategory == .nonspacingMark ? 0 : wide ? 2 : 1)
        }
    }

    /// `text` after `prefix`, broken into lines of at most `width` columns (at spaces where there
    /// are any, else anywhere, as Japanese has none), continued under `indent` (default: as
    /// wide as the prefix): what to do is never cut off.
    static func wrap(_ prefix: String, _ text: String, width: Int, indent: String? = nil) -> [String] {
        let continuation = indent ?? String(repeating: " ", count: columns(prefix))
        var lines: [String] = [], line = prefix, used = columns(prefix), lastSpace: String.Index?
        for character in text {
            let w = columns(String(character))
            if used + w > width {
                if let space = lastSpace, character != " " {
                    let rest = String(line[line.index(after: space)...])
                    lines.append(String(line[..<space]))
                    line = continuation + rest
                } else {
                    lines.append(line)
                    line = continuation
                }
                used = columns(line)
                lastSpace = nil
                if character == " " { continue }
            }
            if character == " " { lastSpace = line.endIndex }
            line.append(character)
            used += w
        }
        lines.append(line)
        return lines
    }

    /// Whether Rainbow colours this process's output (not with `NO_COLOR`, not into a pipe).
    static var coloured: Bool { "x".red != "x" }

    static func paint(_ text: String, _ lamp: Lamp) -> String {
        switch lamp {
        case .green: text.green
        case .yellow: text.yellow
        case .red: text.red
        case .blue: text.blue
        }
    }

    /// One lamp: its block (lit, dark phase of a pattern, off) and its pattern in words.
    func lampLine(_ lamp: Lamp, _ pattern: LEDPattern, lit: Bool) -> String {
        let coloured = Self.coloured
        let block: String
        if pattern == .off {
            block = coloured ? "  ····  ".dim : "[ .... ]"
        } else if lit {
            block = coloured ? Self.paint("████████", lamp).bold : "[######]"
        } else {
            block = coloured ? Self.paint("▌      ▐", lamp) : "[      ]"
        }
        let name = VenueWords.lamp(lamp.rawValue)
        let words: String = switch pattern {
        case .off: "off"
        case .steady: "STEADY"
        case .blink: "BLINKING (1 s)"
        case .blinkSlow: "SLOW BLINK (2 s)"
        case .blinkFast: "FAST BLINK"
        case .flash: "SHORT FLASH every 2 s"
        }
        let label = "\(name.ja) \(lamp.rawValue)" + String(repeating: " ", count: max(0, 10 - Self.columns("\(name.ja) \(lamp.rawValue)")))
        return " \(block)  \(label) \(pattern == .off ? words.dim : words.bold)  \(VenueWords.pattern(pattern.rawValue).ja)"
    }

    /// The buzzer in words: its pattern, whether it repeats, and the instant only as a mark.
    func buzzerLine(_ status: VenueStatus, soundingNow: Bool) -> String {
        let pattern = status.signal.buzzer
        let words = VenueWords.buzzer(pattern.rawValue)
        if pattern == .off {
            let alarmed = status.overall == .stop || status.lightning == .danger
            let text = alarmed ? "off — alarm acknowledged (silenced) / 確認済み・消音"
                               : "not sounding / 鳴っていない"
            return " Buzzer ブザー: " + text.dim
        }
        let mark = soundingNow ? " ♪" : "  "
        return " Buzzer ブザー: " + words.en.bold + " / " + words.ja + mark
    }

    /// The areas' plain reasons: the value against the threshold it reached, sensors not well.
    func plainReasons(_ status: VenueStatus) -> [String] {
        var out: [String] = []
        for area in status.areas {
            guard let e = area.estimate, let value = e.wbgt ?? e.airTemperature else {
                out.append("\(area.name): no WBGT can be worked out (a sensor is faulted or missing): unknown / 暑さ指数が求められません")
                continue
            }
            let dry = e.wbgt == nil
            let table = dry ? thresholds.dryBulb : thresholds.wbgt
            let level = area.heatLevel.level
            let bound = level.flatMap { table.lowerBound(of: $0) }.map { " (\(NumberText.format($0)) °C or more)" } ?? ""
            out.append("\(area.name): \(dry ? "air" : "WBGT") \(String(format: "%.1f", value)) °C → \(area.heatLevel.level?.englishName ?? "unknown")\(bound)")
        }
        for sensor in status.sensors where sensor.health != .ok {
            out.append("sensor \(sensor.descriptor.id): \(sensor.health): check its wiring and placement")
        }
        if status.thunderAdvisory { out.append("a thunder advisory (雷注意報) is in force: outdoor activity stops") }
        if status.heatAlert != .none { out.append("\(status.heatAlert.englishName) (\(status.heatAlert.japaneseName)) in force") }
        return out
    }

    public func render(_ status: VenueStatus, scenarioSeconds: Double, realSeconds: Double) {
        let (rows, columns) = size()
        let width = max(40, columns - 1)
        func fit(_ line: String) -> String {
            // Cut by the columns the text takes (escape codes take none, wide characters two).
            let plain = line.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
            guard Self.columns(plain) > width else { return line }
            var cut = "", used = 0
            for character in plain {
                let w = Self.columns(String(character))
                if used + w > width - 1 { break }
                cut.append(character)
                used += w
            }
            return cut + "…"
        }
        var top: [String] = []
        let time = StatusJSON.iso8601(status.at.wall, utcOffsetSeconds: utcOffsetSeconds)
        top.append(" VenueGuard — \(title)".bold + "   \(time.prefix(19).replacingOccurrences(of: "T", with: " "))   scenario +\(DurationText.format(.seconds(fractional: scenarioSeconds.rounded())))")
        for lamp in Lamp.allCases {
            guard let pattern = status.signal.lamps[lamp] else { continue }
            top.append(lampLine(lamp, pattern, lit: pattern.isOn(atSeconds: realSeconds)))
        }
        let buzzerText = buzzerLine(status, soundingNow: buzzer.isOn(intent: status.signal, now: realSeconds))
        let plainBuzzer = buzzerText.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        top += Self.columns(plainBuzzer) > width ? Self.wrap(" ", String(plainBuzzer.dropFirst()), width: width, indent: "   ") : [buzzerText]
        let name = VenueWords.status(status.overall.rawValue)
        let todo = VenueWords.whatToDo(status: status.overall.rawValue, heatLevel: status.heatLevel.rawValue, lightning: status.lightning.rawValue,
                                       heatAlert: status.heatAlert.rawValue, thunderAdvisory: status.thunderAdvisory, allClearMinutes: allClearMinutes)
        let headline = " \(name.ja)  \(name.en.uppercased()) "
        let painted: String = switch status.overall {
        case .safe: headline.onGreen.black
        case .caution, .warning: headline.onYellow.black
        case .severe: headline.onYellow.red.bold
        case .stop: headline.onRed.white.bold
        case .unknown: headline.onLightBlack.white.bold
        }
        top.append("")
        top.append(" " + (Self.coloured ? painted : "[ \(headline.trimmingCharacters(in: .whitespaces)) ]").bold)
        top += Self.wrap(" 対応 ", todo.ja, width: width)
        top += Self.wrap(" Do   ", todo.en, width: width)
        let lightning = VenueWords.lightning(status.lightning.rawValue)
        var lightningLine = " 雷 Lightning: \(lightning.ja) / \(lightning.en)"
        if let strike = status.lightningStrike { lightningLine += " — last strike \(strike.distance)" }
        top.append(status.lightning == .danger ? lightningLine.red.bold : lightningLine)
        // Lightning's own action, unless it already is the "what to do" above.
        if status.lightning != .clear && !(status.lightning == .danger && status.overall == .stop && status.heatLevel != .stop) {
            let guidance = VenueWords.lightningGuidance(status.lightning.rawValue, allClearMinutes: allClearMinutes)
            top += Self.wrap("      ", guidance.ja, width: width)
            top += Self.wrap("      ", guidance.en, width: width)
        }
        var middle: [String] = []
        for area in status.areas {
            var text = " • \(area.name): \(area.status.rawValue) (\(area.status.japaneseName))"
            if let e = area.estimate {
                if let wbgt = e.wbgt { text += "  WBGT \(String(format: "%.1f", wbgt)) °C, \(e.method.rawValue)" }
                else if let ta = e.airTemperature { text += "  air \(String(format: "%.1f", ta)) °C, \(e.method.rawValue)" }
            }
            middle.append(text)
        }
        let foot = " " + (acknowledgeKey ? "[a] acknowledge the alarm 確認   " : "") + "[Ctrl-C] stop   The legend is in the README."
        // What fits: the top, the areas, then as many reasons as rows allow.
        let reasonRows = max(0, rows - 1 - top.count - middle.count - 2)
        let reasons = plainReasons(status) + status.reasons.filter { !$0.hasPrefix("WBGT") }
        var lines = top + middle
        if reasonRows > 0 && !reasons.isEmpty {
            lines.append(" Why 理由:")
            lines += reasons.prefix(reasonRows - 1).map { "   " + $0.dim }
        }
        lines = Array(lines.prefix(max(1, rows - 1)))
        lines.append(foot.dim)
        write("\u{1B}[H" + lines.map { fit($0) + "\u{1B}[K" }.joined(separator: "\n") + "\u{1B}[J")
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
