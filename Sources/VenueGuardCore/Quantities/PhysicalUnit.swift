/// A unit a quantity can be expressed in. Core works in the canonical unit of each
/// quantity; the other units exist so inputs (serial boards, configuration) can be converted.
public enum PhysicalUnit: String, CaseIterable, Sendable {
    case celsius = "°C"
    case fahrenheit = "°F"
    case kelvin = "K"
    case percent = "%"
    case fraction = "fraction"
    case metresPerSecond = "m/s"
    case kilometresPerHour = "km/h"
    case wattsPerSquareMetre = "W/m²"
    case kilowattsPerSquareMetre = "kW/m²"
    case hectopascal = "hPa"
    case pascal = "Pa"
    case kilopascal = "kPa"
    case kilometres = "km"
    case metres = "m"

    /// Parses a unit name as written in configuration (`C`, `degC`, `°C`, `F`, `K`, `%`, `m/s`, `km/h`, `W/m2`, `hPa`, …).
    public init?(name: String) {
        switch name.trimmingWhitespace().lowercased() {
        case "c", "°c", "degc", "celsius": self = .celsius
        case "f", "°f", "degf", "fahrenheit": self = .fahrenheit
        case "k", "kelvin": self = .kelvin
        case "%", "percent", "pct", "%rh": self = .percent
        case "fraction", "ratio": self = .fraction
        case "m/s", "mps", "ms": self = .metresPerSecond
        case "km/h", "kmh", "kph": self = .kilometresPerHour
        case "w/m2", "w/m²", "wm2": self = .wattsPerSquareMetre
        case "kw/m2", "kw/m²": self = .kilowattsPerSquareMetre
        case "hpa", "mbar", "mb": self = .hectopascal
        case "pa": self = .pascal
        case "kpa": self = .kilopascal
        case "km": self = .kilometres
        case "m": self = .metres
        default: return nil
        }
    }

    /// The canonical unit of the same dimension (the one Core computes in).
    public var canonical: PhysicalUnit {
        switch self {
        case .celsius, .fahrenheit, .kelvin: .celsius
        case .percent, .fraction: .percent
        case .metresPerSecond, .kilometresPerHour: .metresPerSecond
        case .wattsPerSquareMetre, .kilowattsPerSquareMetre: .wattsPerSquareMetre
        case .hectopascal, .pascal, .kilopascal: .hectopascal
        case .kilometres, .metres: .kilometres
        }
    }

    /// Converts `value` in this unit to the canonical unit.
    public func toCanonical(_ value: Double) -> Double {
        switch self {
        case .celsius, .percent, .metresPerSecond, .wattsPerSquareMetre, .hectopascal, .kilometres: value
        case .fahrenheit: (value - 32) * 5 / 9
        case .kelvin: value - 273.15
        case .fraction: value * 100
        case .kilometresPerHour: value / 3.6
        case .kilowattsPerSquareMetre: value * 1000
        case .pascal: value / 100
        case .kilopascal: value * 10
        case .metres: value / 1000
        }
    }
}
