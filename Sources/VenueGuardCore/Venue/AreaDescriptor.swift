/// One area of the venue (a hall, a yard) with its own heat status.
public struct AreaDescriptor: Hashable, Sendable {
    /// The area id.
    public var id: AreaID
    /// A human name.
    public var name: String
    /// Indoors or outdoors.
    public var exposure: Exposure
    /// Its sensors, in order of preference: for each quantity the first fresh, healthy,
    /// authoritative sensor that provides it is used.
    public var sensors: [SensorID]
    /// A method to use instead of automatic selection (`nil`: automatic).
    public var method: WBGTMethod?
    /// Values to use when no sensor provides them.
    public var defaults: AreaDefaults

    /// Creates an area.
    public init(id: AreaID, name: String, exposure: Exposure, sensors: [SensorID], method: WBGTMethod? = nil,
                defaults: AreaDefaults = AreaDefaults()) {
        self.id = id
        self.name = name
        self.exposure = exposure
        self.sensors = sensors
        self.method = method
        self.defaults = defaults
    }
}

/// Configured stand-ins for quantities no sensor in the area measures.
public struct AreaDefaults: Hashable, Sendable {
    /// Wind speed at 2 m, m/s.
    public var windSpeed: Double?
    /// Global solar irradiance, W/m².
    public var solarRadiation: Double?
    /// Whether to assume clear-sky sunshine outdoors when nothing gives solar radiation (default true outdoors).
    public var assumeClearSky: Bool
    /// Station pressure, hPa.
    public var pressure: Double?

    /// Creates defaults.
    public init(windSpeed: Double? = nil, solarRadiation: Double? = nil, assumeClearSky: Bool = true, pressure: Double? = nil) {
        self.windSpeed = windSpeed
        self.solarRadiation = solarRadiation
        self.assumeClearSky = assumeClearSky
        self.pressure = pressure
    }
}
