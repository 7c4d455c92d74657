/// Everything a WBGT estimate may use, each value with where it came from. Missing values
/// are `nil`; the estimator picks the best method the present values allow.
public struct WBGTInputs: Hashable, Sendable {
    /// Indoors or outdoors.
    public var exposure: Exposure
    /// Air temperature, °C.
    public var airTemperature: SourcedValue?
    /// Relative humidity, %.
    public var relativeHumidity: SourcedValue?
    /// Black-globe temperature, °C.
    public var globeTemperature: SourcedValue?
    /// The globe's diameter, m (the ISO standard globe is 0.15 m).
    public var globeDiameter: Double
    /// Natural wet-bulb temperature, °C (a real wetted wick, never a psychrometric value).
    public var naturalWetBulb: SourcedValue?
    /// WBGT from an instrument, °C.
    public var wbgt: SourcedValue?
    /// Wind speed at 2 m, m/s.
    public var windSpeed: SourcedValue?
    /// Global horizontal solar irradiance, W/m².
    public var solarRadiation: SourcedValue?
    /// Whether an outdoor estimate may assume clear-sky sunshine when no solar value is present.
    public var assumeClearSkyWhenNoSolar: Bool
    /// Station pressure, hPa.
    public var pressure: SourcedValue?
    /// Where the venue is (for the sun's position).
    public var location: GeoLocation?
    /// The civil time, or `nil` when the wall clock is not known to be right.
    public var time: WallClockTime?

    /// The standard globe diameter, m.
    public static let standardGlobeDiameter = 0.15
    /// Wind assumed indoors when nothing measures or configures it (the indoor chart's 0.2 m/s).
    public static let assumedIndoorWind = 0.2
    /// Wind assumed outdoors when nothing measures or configures it. Low wind is the hot side
    /// for the sun-driven models.
    public static let assumedOutdoorWind = 0.5
    /// Standard-atmosphere sea-level pressure, hPa.
    public static let standardPressure = 1013.25

    /// Creates inputs; everything but the exposure is optional.
    public init(exposure: Exposure, airTemperature: SourcedValue? = nil, relativeHumidity: SourcedValue? = nil,
                globeTemperature: SourcedValue? = nil, globeDiameter: Double = WBGTInputs.standardGlobeDiameter,
                naturalWetBulb: SourcedValue? = nil, wbgt: SourcedValue? = nil, windSpeed: SourcedValue? = nil,
                solarRadiation: SourcedValue? = nil, assumeClearSkyWhenNoSolar: Bool = false,
                pressure: SourcedValue? = nil, location: GeoLocation? = nil, time: WallClockTime? = nil) {
        self.exposure = exposure
        self.airTemperature = airTemperature
        self.relativeHumidity = relativeHumidity
        self.globeTemperature = globeTemperature
        self.globeDiameter = globeDiameter
        self.naturalWetBulb = naturalWetBulb
        self.wbgt = wbgt
        self.windSpeed = windSpeed
        self.solarRadiation = solarRadiation
        self.assumeClearSkyWhenNoSolar = assumeClearSkyWhenNoSolar
        self.pressure = pressure
        self.location = location
        self.time = time
    }

    /// The value present for `quantity`, if any.
    public func value(for quantity: Quantity) -> SourcedValue? {
        switch quantity {
        case .airTemperature: airTemperature
        case .relativeHumidity: relativeHumidity
        case .globeTemperature: globeTemperature
        case .naturalWetBulb: naturalWetBulb
        case .wbgt: wbgt
        case .windSpeed: windSpeed
        case .solarRadiation: solarRadiation
        case .pressure: pressure
        case .lightningDistance, .windGust: nil
        }
    }

    /// The wind to use: the given one, else the assumption for the exposure.
    var effectiveWind: SourcedValue {
        if let windSpeed { return windSpeed }
        switch exposure {
        case .indoor: return SourcedValue(Self.assumedIndoorWind, .assumed("still indoor air"))
        case .outdoor: return SourcedValue(Self.assumedOutdoorWind, .assumed("light wind"))
        }
    }

    /// The pressure to use: the given one, else the standard atmosphere.
    var effectivePressure: SourcedValue {
        pressure ?? SourcedValue(Self.standardPressure, .assumed("standard atmosphere"))
    }
}
