/// What one attempt to read a sensor produced.
public enum SensorSample: Hashable, Sendable {
    /// Fresh values in canonical units. `fingerprint` is the raw data (e.g. the chip's
    /// words) used to detect a stuck sensor; when absent, the values themselves are compared.
    /// `details` carries what only the source knows (clamped values, resolution, remarks).
    case values([Quantity: Double], origin: ReadingOrigin = .measured, fingerprint: [UInt32]? = nil, details: SampleDetails = .none)
    /// The device is present and healthy but has nothing to report (e.g. a lightning
    /// detector's periodic check).
    case alive
    /// The attempt failed.
    case fault(FaultReason)
}

/// One sample from one sensor at one instant.
public struct SensorReport: Hashable, Sendable {
    /// Which sensor.
    public var sensor: SensorID
    /// When, on the monotonic clock.
    public var at: MonotonicInstant
    /// What it produced.
    public var sample: SensorSample

    /// Creates a report.
    public init(sensor: SensorID, at: MonotonicInstant, sample: SensorSample) {
        self.sensor = sensor
        self.at = at
        self.sample = sample
    }
}
