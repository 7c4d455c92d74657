import Foundation
import VenueGuardCore
import VenueGuardTelemetry

/// The result of the mentors' WBGT calculator (`venueguard wbgt`), as text or JSON.
public struct CalculatorReport {
    /// The estimate.
    public var estimate: WBGTEstimate
    /// The level by the thresholds in force.
    public var level: HeatLevel
    /// The thresholds used.
    public var thresholds: HeatThresholds
    /// Where the thresholds came from (`standard` or a regional file).
    public var thresholdSource: String

    /// Why the calculator gives no answer.
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The estimate itself failed.
        case estimate(WBGTError)
        /// The best method the inputs allow leaves out some of them: answering would drop what
        /// the mentor measured (and could give a lower level), so the calculator says what is
        /// missing instead.
        case unusedInputs([Quantity], method: WBGTMethod, because: [WBGTError])
        /// A measured method (an instrument's WBGT, or Tnw and Tg) would leave out inputs that,
        /// by another method, give a higher level: the calculator does not pick the lower.
        case inputsDisagree(method: WBGTMethod, level: HeatLevel, other: WBGTMethod, otherLevel: HeatLevel)

        public var description: String {
            switch self {
            case let .estimate(error):
                return error.description
            case let .unusedInputs(unused, method, because):
                let names = unused.map { CalculatorReport.option(for: $0) }.joined(separator: ", ")
                var text = "\(names) \(unused.count == 1 ? "was" : "were") given, but the best method these inputs allow (\(method.rawValue)) does not use \(unused.count == 1 ? "it" : "them")"
                if !because.isEmpty { text += ": " + because.map(\.description).joined(separator: "; ") }
                return text + ". Add what is missing, or choose a method with --method (its result then says what it left out)."
            case let .inputsDisagree(method, level, other, otherLevel):
                return "\(method.rawValue) gives \(level.rawValue), but the other inputs give \(otherLevel.rawValue) by \(other.rawValue). "
                    + "Check the instrument and the globe (150 mm for ISO 7243), or choose a method with --method."
            }
        }
    }

    /// The calculator's option for a quantity, for messages.
    static func option(for quantity: Quantity) -> String {
        switch quantity {
        case .airTemperature: "--ta"
        case .relativeHumidity: "--rh"
        case .globeTemperature: "--tg"
        case .naturalWetBulb: "--tnw"
        case .wbgt: "--measured"
        case .windSpeed: "--wind"
        case .solarRadiation: "--solar"
        case .pressure: "--pressure"
        case .windGust, .lightningDistance: "--\(quantity.rawValue)"
        }
    }

    /// Estimates WBGT from `inputs` with `method` (or the best available) and judges it by
    /// `parameters`. Every input given is either used or accounted for: with automatic selection
    /// an unused input is a failure naming what the better methods lacked, unless leaving it
    /// out cannot lower the answer (a measured reference method whose level the other inputs
    /// do not exceed, or the level at stop already), when a note says so; with a chosen method
    /// the report notes what it left out.
    public static func make(inputs: WBGTInputs, method: WBGTMethod?, parameters: SafetyParameters,
                            thresholdSource: String) -> Result<CalculatorReport, Failure> {
        var estimate: WBGTEstimate
        switch WBGTEstimator.estimate(inputs, method: method) {
        case let .success(value): estimate = value
        case let .failure(error): return .failure(.estimate(error))
        }
        let given = Quantity.allCases.filter { inputs.value(for: $0)?.source == .given }
        let unused = given.filter { estimate.inputs[$0] == nil }
        let thresholds = parameters.thresholds(for: estimate.scale)
        if !unused.isEmpty {
            let names = unused.map { option(for: $0) }.joined(separator: ", ")
            if method == nil {
                // Only the methods that would have used what was left out say what they lacked.
                let because = WBGTEstimator.reasonsSkipped(inputs, before: estimate.method)
                    .filter { !$0.method.usableQuantities.isDisjoint(with: unused) }.map(\.reason)
                // Dropping them cannot lower the answer when the method used is a measured
                // reference (Tnw and Tg, or an instrument's WBGT, already carry humidity and
                // air temperature) or the level is already the highest (41 °C air is past
                // the indoor chart, and past the dry-bulb stop line).
                if [.measured, .iso7243].contains(estimate.method) {
                    // Only while the rest agree: an instrument reading low in the sun, or Tg
                    // from a small globe under ISO 7243, must not lower the answer.
                    var others = inputs
                    if estimate.method == .measured { others.wbgt = nil } else { others.naturalWetBulb = nil }
                    let level = thresholds.level(of: estimate.index)
                    if case let .success(other) = WBGTEstimator.estimate(others, method: nil) {
                        let otherLevel = parameters.thresholds(for: other.scale).level(of: other.index)
                        if otherLevel > level {
                            return .failure(.inputsDisagree(method: estimate.method, level: level, other: other.method, otherLevel: otherLevel))
                        }
                    }
                    estimate.notes.append("not needed by \(estimate.method.rawValue), which uses the measured values: \(names)")
                } else if thresholds.level(of: estimate.index) == .stop {
                    estimate.notes.append("not used by \(estimate.method.rawValue): \(names); the level is the highest already")
                } else {
                    return .failure(.unusedInputs(unused, method: estimate.method, because: because))
                }
            } else {
                estimate.notes.append("not used by \(estimate.method.rawValue): \(names)")
            }
        }
        return .success(CalculatorReport(estimate: estimate, level: thresholds.level(of: estimate.index), thresholds: thresholds,
                                         thresholdSource: thresholdSource))
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Human-readable text in English and Japanese.
    public var text: String {
        var lines: [String] = []
        if let wbgt = estimate.wbgt {
            lines.append("WBGT \(Self.f(wbgt)) °C  (method: \(estimate.method.rawValue) — \(estimate.method.summary))")
        } else {
            lines.append("No WBGT: judged by air temperature \(Self.f(estimate.airTemperature ?? .nan)) °C on the dry-bulb thresholds (method: temperature-only)")
        }
        lines.append("Level: \(level.rawValue) — \(level.englishName) / \(level.japaneseName)")
        lines.append("What to do: \(level.guidance)")
        lines.append("対応: \(level.japaneseGuidance)")
        var parts: [String] = []
        if let tnw = estimate.naturalWetBulb { parts.append("Tnw \(Self.f(tnw)) °C\(estimate.estimated.contains(.naturalWetBulb) ? " (estimated)" : "")") }
        if let tg = estimate.globeTemperature { parts.append("Tg \(Self.f(tg)) °C\(estimate.estimated.contains(.globeTemperature) ? " (model's 2-inch globe)" : "")") }
        if let tmrt = estimate.meanRadiantTemperature { parts.append("Tmrt \(Self.f(tmrt)) °C") }
        if !parts.isEmpty { lines.append("Components: " + parts.joined(separator: ", ")) }
        let inputs = estimate.inputs.keys.sorted().map { q in "\(q.symbol) \(NumberText.format(estimate.inputs[q]!.value)) \(q.unit.rawValue) [\(estimate.inputs[q]!.source)]" }
        lines.append("Inputs: " + inputs.joined(separator: ", "))
        let t = thresholds
        lines.append("Thresholds (\(estimate.scale == .wbgt ? "WBGT" : "dry-bulb"), \(thresholdSource)): caution \(NumberText.format(t.caution)), warning \(NumberText.format(t.warning)), severe \(NumberText.format(t.severe)), stop \(NumberText.format(t.stop)) °C")
        for note in estimate.notes { lines.append("Note: \(note)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One JSON object with at least `wbgt`, `method`, `level`, and `tnw`/`tg` where estimated
    /// (keys in alphabetical order).
    public var json: String {
        let bytes = JSONWriter.object { o in
            o.field("estimated", strings: estimate.estimated.map(\.rawValue).sorted())
            o.field("guidance", level.guidance)
            o.field("guidance_ja", level.japaneseGuidance)
            o.field("inputs") { inputs in
                for quantity in estimate.inputs.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
                    let value = estimate.inputs[quantity]!
                    inputs.field(JSONKey(quantity.rawValue)) { i in
                        i.field("detail", value.source.description)
                        i.field("source", value.source.kind)
                        i.field("unit", quantity.unit.rawValue)
                        i.field("value", value.value)
                    }
                }
            }
            o.field("level", level.rawValue)
            o.field("level_ja", level.japaneseName)
            o.field("method", estimate.method.rawValue)
            o.field("notes", strings: estimate.notes)
            o.field("scale", estimate.scale.rawValue)
            if let ta = estimate.airTemperature { o.field("ta", ta) }
            if let tg = estimate.globeTemperature { o.field("tg", tg) }
            if let tmrt = estimate.meanRadiantTemperature { o.field("tmrt", tmrt) }
            if let tnw = estimate.naturalWetBulb { o.field("tnw", tnw) }
            o.field("thresholds") { t in
                t.field("caution", thresholds.caution)
                t.field("severe", thresholds.severe)
                t.field("source", thresholdSource)
                t.field("stop", thresholds.stop)
                t.field("warning", thresholds.warning)
            }
            o.field("wbgt", estimate.wbgt)
        }
        return String(decoding: bytes, as: UTF8.self) + "\n"
    }

    static func round(_ v: Double) -> Double { (v * 100).rounded() / 100 }
}
