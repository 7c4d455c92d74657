/// One value of one quantity from one sensor, with the monotonic instant it was taken.
public struct Reading: Hashable, Sendable {
    /// The sensor that produced it.
    public var sensor: SensorID
    /// What was measured.
    public var quantity: Quantity
    /// The value in the quantity's canonical unit.
    public var value: Double
    /// When it was taken, on the monotonic clock.
    public var at: MonotonicInstant
    /// How the value was obtained (measured, or estimated from another quantity).
    public var origin: ReadingOrigin

    /// Creates a reading.
    public init(sensor: SensorID, quantity: Quantity, value: Double, at: MonotonicInstant, origin: ReadingOrigin = .measured) {
        self.sensor = sensor
        self.quantity = quantity
        self.value = value
        self.at = at
        self.origin = origin
    }
}

/// How a reading's value was obtained.
public enum ReadingOrigin: String, Hashable, Sendable {
    /// Measured directly by the sensor.
    case measured
    /// Global irradiance estimated from illuminance (a light sensor, not a pyranometer).
    case luxEstimate = "lux-estimate"
}
