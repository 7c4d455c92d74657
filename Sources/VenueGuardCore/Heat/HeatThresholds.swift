/// The lower bounds of caution, warning, severe and stop on one scale, °C.
public struct HeatThresholds: Hashable, Sendable {
    /// Lower bound of `caution`.
    public var caution: Double
    /// Lower bound of `warning`.
    public var warning: Double
    /// Lower bound of `severe`.
    public var severe: Double
    /// Lower bound of `stop`.
    public var stop: Double

    /// The guideline's WBGT thresholds: 21 / 25 / 28 / 31 °C.
    public static let standardWBGT = HeatThresholds(caution: 21, warning: 25, severe: 28, stop: 31)
    /// The guideline's dry-bulb equivalents: 24 / 28 / 31 / 35 °C (the guide: 35 °C = stop without a WBGT meter).
    public static let standardDryBulb = HeatThresholds(caution: 24, warning: 28, severe: 31, stop: 35)

    /// Creates thresholds; see `validate()` for the order they must be in.
    public init(caution: Double, warning: Double, severe: Double, stop: Double) {
        self.caution = caution
        self.warning = warning
        self.severe = severe
        self.stop = stop
    }

    /// The lower bound of `level` (`nil` for `safe`, which has none).
    public func lowerBound(of level: HeatLevel) -> Double? {
        switch level {
        case .safe: nil
        case .caution: caution
        case .warning: warning
        case .severe: severe
        case .stop: stop
        }
    }

    /// The level of `value`: the highest level whose lower bound it reaches.
    public func level(of value: Double) -> HeatLevel {
        if value >= stop { return .stop }
        if value >= severe { return .severe }
        if value >= warning { return .warning }
        if value >= caution { return .caution }
        return .safe
    }

    /// `nil` when the thresholds strictly increase, else what is wrong.
    public func validate() -> String? {
        let values = [("caution", caution), ("warning", warning), ("severe", severe), ("stop", stop)]
        for (name, value) in values where !value.isFinite { return "\(name) is not a number" }
        for i in 1..<values.count where values[i].1 <= values[i - 1].1 {
            return "\(values[i].0) (\(NumberText.format(values[i].1))) must be above \(values[i - 1].0) (\(NumberText.format(values[i - 1].1)))"
        }
        return nil
    }
}
