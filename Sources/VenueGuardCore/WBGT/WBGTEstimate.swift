/// The result of a WBGT estimate: the value, how it was obtained, and from what.
public struct WBGTEstimate: Hashable, Sendable {
    /// The method used.
    public var method: WBGTMethod
    /// WBGT, °C; `nil` for `temperature-only`, which judges by dry-bulb temperature instead.
    public var wbgt: Double?
    /// Air temperature used, °C.
    public var airTemperature: Double?
    /// Natural wet-bulb temperature, °C (measured for iso7243, estimated for globe/liljegren).
    public var naturalWetBulb: Double?
    /// Globe temperature, °C (measured, or the model's 2-inch globe for liljegren).
    public var globeTemperature: Double?
    /// Mean radiant temperature derived from the globe, °C (globe method).
    public var meanRadiantTemperature: Double?
    /// Every input used, with where it came from.
    public var inputs: [Quantity: SourcedValue]
    /// Quantities this estimate computed rather than measured (e.g. Tnw, Tg).
    public var estimated: Set<Quantity>
    /// Remarks on the estimate (a method skipped because a value was outside its validity, …).
    public var notes: [String] = []

    /// Which threshold table judges this estimate.
    public var scale: HeatScale { wbgt == nil ? .dryBulb : .wbgt }

    /// The value the thresholds apply to: WBGT, or the dry-bulb temperature for `temperature-only`.
    public var index: Double { wbgt ?? airTemperature ?? .nan }
}

/// Which threshold table applies.
public enum HeatScale: String, Hashable, Sendable {
    /// WBGT thresholds (21/25/28/31 by default).
    case wbgt
    /// Dry-bulb fallback thresholds (24/28/31/35 by default) when there is no WBGT.
    case dryBulb = "dry-bulb"
}
