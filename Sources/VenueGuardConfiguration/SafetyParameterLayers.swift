import VenueGuardCore

/// The safety parameters as three layers: the club guide's standard, the regional profile,
/// the site. Every parameter remembers which layer set it, so `check-config` can show where
/// each effective value comes from.
public struct SafetyParameterLayers: Sendable {
    /// One parameter's definition: where it lives in the file, its kind, its standard value.
    struct Spec: Sendable {
        enum Kind: Sendable {
            /// A number within its bounds.
            case number(ClosedRange<Double>)
            /// A duration within its bounds.
            case duration(ClosedRange<Duration>)
            /// A level (or `none`); `safe` is refused: a floor of "safe" raises nothing and is
            /// almost certainly a slip for a real level.
            case level
        }
        var path: [String]
        var kind: Kind
        var standard: String
        var key: String { path.joined(separator: ".") }
    }

    static let wbgtBounds = 10.0...40.0, dryBulbBounds = 15.0...45.0

    static let specs: [Spec] = [
        Spec(path: ["heat", "wbgt_thresholds", "caution"], kind: .number(wbgtBounds), standard: "21"),
        Spec(path: ["heat", "wbgt_thresholds", "warning"], kind: .number(wbgtBounds), standard: "25"),
        Spec(path: ["heat", "wbgt_thresholds", "severe"], kind: .number(wbgtBounds), standard: "28"),
        Spec(path: ["heat", "wbgt_thresholds", "stop"], kind: .number(wbgtBounds), standard: "31"),
        Spec(path: ["heat", "dry_bulb_thresholds", "caution"], kind: .number(dryBulbBounds), standard: "24"),
        Spec(path: ["heat", "dry_bulb_thresholds", "warning"], kind: .number(dryBulbBounds), standard: "28"),
        Spec(path: ["heat", "dry_bulb_thresholds", "severe"], kind: .number(dryBulbBounds), standard: "31"),
        Spec(path: ["heat", "dry_bulb_thresholds", "stop"], kind: .number(dryBulbBounds), standard: "35"),
        Spec(path: ["heat", "step_down_margin"], kind: .number(0...5), standard: "0.5"),
        Spec(path: ["heat", "step_down_dwell"], kind: .duration(.zero...Duration.seconds(6 * 3600)), standard: "10m"),
        Spec(path: ["heat", "heat_alert", "indoor"], kind: .level, standard: "severe"),
        Spec(path: ["heat", "heat_alert", "outdoor"], kind: .level, standard: "stop"),
        Spec(path: ["heat", "special_heat_alert", "indoor"], kind: .level, standard: "stop"),
        Spec(path: ["heat", "special_heat_alert", "outdoor"], kind: .level, standard: "stop"),
        Spec(path: ["lightning", "danger_radius_km"], kind: .number(1...40), standard: "10"),
        Spec(path: ["lightning", "watch_radius_km"], kind: .number(1...63), standard: "40"),
        Spec(path: ["lightning", "all_clear"], kind: .duration(Duration.seconds(1)...Duration.seconds(6 * 3600)), standard: "30m"),
        Spec(path: ["lightning", "advisory_outdoor"], kind: .level, standard: "stop"),
        Spec(path: ["lightning", "danger_outdoor"], kind: .level, standard: "stop"),
    ]

    /// Where an effective value came from.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// The club guide's standard (§12).
        case standard
        /// A regional profile.
        case region(name: String, file: String, line: Int?)
        /// The site file.
        case site(file: String, line: Int?)

        public var description: String {
            switch self {
            case .standard: "standard"
            case let .region(name, file, line): "region \(name) (\(file)\(line.map { ":\($0)" } ?? ""))"
            case let .site(file, line): "site (\(file)\(line.map { ":\($0)" } ?? ""))"
            }
        }
    }

    /// One effective parameter.
    public struct Entry: Sendable {
        /// Its key path (`heat.wbgt_thresholds.stop`).
        public var key: String
        /// Its value as text.
        public var text: String
        /// Where it came from.
        public var source: Source
        /// The value node, when a file set it (for errors).
        var value: ConfigValue?
        let spec: Spec
    }

    /// The effective parameters, in a fixed order.
    public private(set) var entries: [Entry]

    /// The standard parameters alone.
    public init() {
        entries = Self.specs.map { Entry(key: $0.key, text: $0.standard, source: .standard, value: nil, spec: $0) }
    }

    /// The top-level keys a layer may contain.
    static let sectionKeys = ["heat", "lightning"]

    /// Applies the `heat:`/`lightning:` sections of a file's root mapping.
    mutating func apply(root: ConfigMapping, source: (Int?) -> Source) throws {
        for section in Self.sectionKeys {
            guard let node = root[section] else { continue }
            try apply(node: node, prefix: [section], source: source)
        }
    }

    private mutating func apply(node: ConfigValue, prefix: [String], source: (Int?) -> Source) throws {
        let children = Self.specs.filter { Array($0.path.prefix(prefix.count)) == prefix }
        var allowed: [String] = []
        for spec in children where !allowed.contains(spec.path[prefix.count]) { allowed.append(spec.path[prefix.count]) }
        let mapping = try node.mapping(allowed: allowed)
        for key in mapping.keys {
            guard let child = mapping[key] else { continue }
            let path = prefix + [key]
            if let index = entries.firstIndex(where: { $0.spec.path == path }) {
                let spec = entries[index].spec
                entries[index].text = try Self.check(child, spec.kind)
                entries[index].source = source(child.line)
                entries[index].value = child
            } else {
                try apply(node: child, prefix: path, source: source)
            }
        }
    }

    private static func check(_ value: ConfigValue, _ kind: Spec.Kind) throws -> String {
        switch kind {
        case let .number(bounds):
            return NumberText.format(try value.double(in: bounds))
        case let .duration(bounds):
            return DurationText.format(try value.duration(in: bounds))
        case .level:
            let text = try value.string()
            if text == HeatLevel.safe.rawValue {
                throw value.error("a floor of 'safe' raises nothing; give the level the guide asks for (the standard is in Config/regions/standard.yaml), or none")
            }
            guard text == "none" || HeatLevel(rawValue: text) != nil else {
                throw value.error("'\(text)' is not a level; use one of: none, \(HeatLevel.allCases.filter { $0 != .safe }.map(\.rawValue).joined(separator: ", "))")
            }
            return text
        }
    }

    /// Values that are allowed but weaker than the club guide's standard (§12): each is worth
    /// a second look, so `check-config` and the daemon's start-up name them.
    public func warnings() -> [ConfigError] {
        var warnings: [ConfigError] = []
        for entry in entries {
            guard let value = entry.value, entry.text != entry.spec.standard else { continue }
            let weaker: Bool
            switch entry.spec.kind {
            case .number:
                let given = Double(entry.text) ?? 0, standard = Double(entry.spec.standard) ?? 0
                // Higher thresholds and a smaller danger radius protect less.
                weaker = entry.key == "lightning.danger_radius_km" || entry.key == "lightning.watch_radius_km" ? given < standard
                    : entry.key.hasPrefix("heat.") && entry.key.contains("thresholds") ? given > standard : false
            case .duration:
                let given = DurationText.parse(entry.text) ?? .zero, standard = DurationText.parse(entry.spec.standard) ?? .zero
                weaker = given < standard
            case .level:
                let rank = { (text: String) in HeatLevel(rawValue: text)?.rank ?? -1 }
                weaker = rank(entry.text) < rank(entry.spec.standard)
            }
            if weaker {
                var warning = value.error("\(entry.text) is weaker than the club guide's standard (\(entry.spec.standard)); make sure your region's guide says so")
                if entry.key == "heat.step_down_dwell" && DurationText.parse(entry.text) == .zero {
                    warning = value.error("0 lets a level fall the moment the value does: the lamps may flap at a threshold (standard 10m)")
                }
                warnings.append(warning)
            }
        }
        return warnings
    }

    private func entry(_ key: String) -> Entry { entries.first { $0.key == key }! }
    private func number(_ key: String) -> Double { Double(entry(key).text)! }
    private func duration(_ key: String) -> Duration { DurationText.parse(entry(key).text)! }
    private func level(_ key: String) -> HeatLevel? { HeatLevel(rawValue: entry(key).text) }

    private func thresholds(_ name: String) -> HeatThresholds {
        HeatThresholds(caution: number("heat.\(name).caution"), warning: number("heat.\(name).warning"),
                       severe: number("heat.\(name).severe"), stop: number("heat.\(name).stop"))
    }

    /// The typed parameters, or an error at the value that breaks them (with its file and line).
    public func parameters() throws -> SafetyParameters {
        let parameters = SafetyParameters(
            wbgtThresholds: thresholds("wbgt_thresholds"),
            dryBulbThresholds: thresholds("dry_bulb_thresholds"),
            hysteresis: .init(margin: number("heat.step_down_margin"), dwell: duration("heat.step_down_dwell")),
            alertConsequence: AlertConsequence(indoor: level("heat.heat_alert.indoor"), outdoor: level("heat.heat_alert.outdoor")),
            specialAlertConsequence: AlertConsequence(indoor: level("heat.special_heat_alert.indoor"),
                                                      outdoor: level("heat.special_heat_alert.outdoor")),
            lightning: LightningParameters(dangerRadiusKm: number("lightning.danger_radius_km"),
                                           watchRadiusKm: number("lightning.watch_radius_km"),
                                           allClear: duration("lightning.all_clear"),
                                           advisoryOutdoorLevel: level("lightning.advisory_outdoor"),
                                           dangerOutdoorLevel: level("lightning.danger_outdoor")))
        for name in ["wbgt_thresholds", "dry_bulb_thresholds"] {
            let table = name == "wbgt_thresholds" ? parameters.wbgtThresholds : parameters.dryBulbThresholds
            if let problem = table.validate() {
                throw blame(prefix: "heat.\(name).", message: "thresholds out of order: \(problem)")
            }
        }
        if parameters.hysteresis.margin < 0 { throw blame(prefix: "heat.step_down_margin", message: "must not be negative") }
        if let problem = parameters.lightning.validate() {
            throw blame(prefix: problem.contains("radius") ? "lightning.watch_radius_km" : "lightning.all_clear", message: problem)
        }
        return parameters
    }

    /// An error at the file value that most recently set a parameter under `prefix`.
    private func blame(prefix: String, message: String) -> ConfigError {
        let setters = entries.filter { $0.key.hasPrefix(prefix) && $0.value != nil }
        if let value = setters.last?.value {
            var error = value.error(message)
            error.key = prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix
            return error
        }
        return ConfigError(file: "(standard parameters)", line: nil, key: prefix, message: message)
    }
}
