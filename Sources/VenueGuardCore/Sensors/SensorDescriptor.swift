/// What Core needs to know about a configured sensor.
public struct SensorDescriptor: Hashable, Sendable {
    /// Its identifier.
    public var id: SensorID
    /// The kind as configured (`sht3x`, `ds18b20`, `serial`, …), for messages.
    public var kind: String
    /// The quantities it provides.
    public var quantities: [Quantity]
    /// How often it is sampled.
    public var samplingPeriod: Duration
    /// Older readings are stale (default: three sampling periods).
    public var maxAge: Duration
    /// Whether its readings feed the safety logic (`authoritative`) or are only shown (`advisory`).
    public var trust: SensorTrust
    /// For a globe thermometer: the globe's diameter, m.
    public var globeDiameter: Double?
    /// For an anemometer: its height above ground, m (the models want wind at 2 m).
    public var mountingHeight: Double?
    /// Identical raw data for this long marks the sensor stuck (`nil`: never).
    public var stuckAfter: Duration?
    /// Whether it is a lightning detector (its health decides whether `clear` can be trusted).
    public var detectsLightning: Bool

    /// Creates a descriptor; `maxAge` defaults to three sampling periods.
    public init(id: SensorID, kind: String, quantities: [Quantity], samplingPeriod: Duration, maxAge: Duration? = nil,
                trust: SensorTrust = .authoritative, globeDiameter: Double? = nil, mountingHeight: Double? = nil,
                stuckAfter: Duration? = .seconds(900), detectsLightning: Bool = false) {
        self.id = id
        self.kind = kind
        self.quantities = quantities
        self.samplingPeriod = samplingPeriod
        self.maxAge = maxAge ?? samplingPeriod * 3
        self.trust = trust
        self.globeDiameter = globeDiameter
        self.mountingHeight = mountingHeight
        self.stuckAfter = stuckAfter
        self.detectsLightning = detectsLightning
    }
}

/// How far the venue trusts a sensor.
public enum SensorTrust: String, Hashable, Sendable, CaseIterable {
    /// Its quantities feed the safety logic like any fixed sensor.
    case authoritative
    /// Published and shown, but never raises or lowers a level (children's boards by default).
    case advisory
}
