import VenueGuardCore

/// How a board writes its readings, one reading set per line.
public enum SerialLineFormat: Hashable, Sendable {
    /// MakeCode's `serial.writeValue`: `name:value`.
    case makecode
    /// `key=value` pairs separated by commas or spaces: `t=24.5,h=61`.
    case keyValue
    /// One JSON object per line: `{"temp":24.5,"hum":61}`.
    case json
    /// Comma-separated values in the given column order.
    case csv(columns: [String])
    /// Try JSON, then key=value, then name:value, then CSV (when columns are given).
    case auto(columns: [String]?)

    /// The configuration names: `makecode`, `keyvalue`, `json`, `csv`, `auto`.
    public static let names = ["auto", "makecode", "keyvalue", "json", "csv"]
}

/// Where a board's key goes: a quantity of Core, the unit the board writes it in, and a
/// linear calibration (value × scale + offset, applied after unit conversion).
public struct SerialKeyMapping: Hashable, Sendable {
    /// The quantity.
    public var quantity: Quantity
    /// The unit the board writes.
    public var unit: PhysicalUnit
    /// Calibration: multiply by this…
    public var scale: Double
    /// …then add this.
    public var offset: Double

    /// Creates a mapping.
    public init(quantity: Quantity, unit: PhysicalUnit? = nil, scale: Double = 1, offset: Double = 0) {
        self.quantity = quantity
        self.unit = unit ?? quantity.unit
        self.scale = scale
        self.offset = offset
    }

    /// The value in the quantity's canonical unit, calibrated.
    public func convert(_ raw: Double) -> Double {
        unit.toCanonical(raw) * scale + offset
    }
}
