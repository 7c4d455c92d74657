/// Where an input of a WBGT estimate came from: a mentor and a subscriber must know
/// how much to trust the result.
public enum InputSource: Hashable, Sendable, CustomStringConvertible {
    /// A fresh, healthy reading of this sensor.
    case sensor(SensorID, ReadingOrigin)
    /// Typed in by the user (the `wbgt` calculator).
    case given
    /// A value the site or area configuration sets for when no sensor measures it.
    case configured
    /// A conservative assumption (clear-sky sunshine; standard-atmosphere pressure; still indoor air).
    case assumed(String)

    public var description: String {
        switch self {
        case let .sensor(id, .measured): "sensor \(id)"
        case let .sensor(id, origin): "sensor \(id) (\(origin.rawValue))"
        case .given: "given"
        case .configured: "configured"
        case let .assumed(what): "assumed (\(what))"
        }
    }

    /// A machine name: `sensor`, `lux-estimate`, `given`, `configured`, `assumed`.
    public var kind: String {
        switch self {
        case .sensor(_, .measured): "sensor"
        case .sensor(_, .luxEstimate): "lux-estimate"
        case .given: "given"
        case .configured: "configured"
        case .assumed: "assumed"
        }
    }
}

/// A value together with where it came from.
public struct SourcedValue: Hashable, Sendable {
    /// The value in its quantity's canonical unit.
    public var value: Double
    /// Where it came from.
    public var source: InputSource
    /// Creates a sourced value.
    public init(_ value: Double, _ source: InputSource) {
        self.value = value
        self.source = source
    }
}
