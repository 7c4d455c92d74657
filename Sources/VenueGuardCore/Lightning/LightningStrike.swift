/// One lightning event: a strike with its estimated distance to the storm front.
public struct LightningStrike: Hashable, Sendable {
    /// The distance estimate.
    public enum Distance: Hashable, Sendable, CustomStringConvertible {
        /// Kilometres to the storm front.
        case kilometres(Double)
        /// The storm is overhead (AS3935 distance register 0x01).
        case overhead
        /// A strike was heard, but beyond the detector's range (AS3935 0x3F).
        case outOfRange

        /// Kilometres, with overhead as 0; `nil` when out of range.
        public var kilometresValue: Double? {
            switch self {
            case let .kilometres(km): km
            case .overhead: 0
            case .outOfRange: nil
            }
        }

        public var description: String {
            switch self {
            case let .kilometres(km): "\(NumberText.format(km)) km"
            case .overhead: "overhead"
            case .outOfRange: "out of range"
            }
        }
    }

    /// How far away.
    public var distance: Distance
    /// The detector's relative energy figure (no physical unit), if it gives one.
    public var energy: Int?
    /// When, on the monotonic clock.
    public var at: MonotonicInstant
    /// Which detector (or input) reported it.
    public var source: SensorID?

    /// Creates a strike.
    public init(distance: Distance, energy: Int? = nil, at: MonotonicInstant, source: SensorID? = nil) {
        self.distance = distance
        self.energy = energy
        self.at = at
        self.source = source
    }
}
