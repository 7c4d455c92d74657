/// A physical quantity the venue's sensors report, in its canonical unit.
///
/// The raw values are the machine names used in configuration, scenarios, JSON and MQTT.
public enum Quantity: String, CaseIterable, Hashable, Comparable, Sendable {
    /// Air (dry-bulb) temperature, Ta, °C.
    case airTemperature = "air_temperature"
    /// Relative humidity, %.
    case relativeHumidity = "humidity"
    /// Black-globe temperature, Tg, °C (the globe's diameter is a property of the sensor).
    case globeTemperature = "globe_temperature"
    /// Natural wet-bulb temperature, Tnw, °C: a wetted wick, naturally ventilated, exposed to radiation.
    case naturalWetBulb = "natural_wet_bulb"
    /// Wet-bulb globe temperature reported directly by a WBGT instrument, °C.
    case wbgt = "wbgt"
    /// Wind speed, m/s (at the sensor's mounting height; see `SensorDescriptor.mountingHeight`).
    case windSpeed = "wind_speed"
    /// The strongest 3-second wind in the averaging window, m/s (shown and published, not used by the WBGT models).
    case windGust = "wind_gust"
    /// Global solar irradiance on a horizontal surface, W/m².
    case solarRadiation = "solar_radiation"
    /// Station air pressure, hPa.
    case pressure = "pressure"
    /// Distance to a lightning storm front, km (reported as strikes, not as a level).
    case lightningDistance = "lightning_distance"

    /// The canonical unit.
    public var unit: PhysicalUnit {
        switch self {
        case .airTemperature, .globeTemperature, .naturalWetBulb, .wbgt: .celsius
        case .relativeHumidity: .percent
        case .windSpeed, .windGust: .metresPerSecond
        case .solarRadiation: .wattsPerSquareMetre
        case .pressure: .hectopascal
        case .lightningDistance: .kilometres
        }
    }

    /// Values outside this range are physically impossible for a venue in Japan (or a broken
    /// sensor) and are rejected as implausible rather than used.
    public var plausibleRange: ClosedRange<Double> {
        switch self {
        case .airTemperature: -40...60
        case .relativeHumidity: 0...100
        case .globeTemperature: -40...90
        case .naturalWetBulb: -40...50
        case .wbgt: -20...45
        case .windSpeed, .windGust: 0...75
        case .solarRadiation: 0...1500
        case .pressure: 500...1100
        case .lightningDistance: 0...100
        }
    }

    /// The largest change between two consecutive readings one second apart that is
    /// physically possible; bigger jumps (scaled by the elapsed time, with a floor) are implausible.
    public var maximumRatePerSecond: Double? {
        switch self {
        case .airTemperature: 0.5
        case .relativeHumidity: 3
        case .globeTemperature: 1
        case .naturalWetBulb: 0.5
        case .wbgt: 0.5
        case .pressure: 1
        case .windSpeed, .windGust, .solarRadiation, .lightningDistance: nil
        }
    }

    /// Whether the quantity legitimately holds still at zero for hours (calm wind, night-time
    /// sunshine), so a steady zero is no sign of a stuck sensor.
    public var restsAtZero: Bool {
        switch self {
        case .windSpeed, .windGust, .solarRadiation: true
        default: false
        }
    }

    /// A short English label.
    public var label: String {
        switch self {
        case .airTemperature: "air temperature"
        case .relativeHumidity: "humidity"
        case .globeTemperature: "globe temperature"
        case .naturalWetBulb: "natural wet-bulb"
        case .wbgt: "WBGT"
        case .windSpeed: "wind speed"
        case .windGust: "wind gust"
        case .solarRadiation: "solar radiation"
        case .pressure: "pressure"
        case .lightningDistance: "lightning distance"
        }
    }

    /// The conventional symbol (Ta, RH, Tg, Tnw, …).
    public var symbol: String {
        switch self {
        case .airTemperature: "Ta"
        case .relativeHumidity: "RH"
        case .globeTemperature: "Tg"
        case .naturalWetBulb: "Tnw"
        case .wbgt: "WBGT"
        case .windSpeed: "wind"
        case .windGust: "gust"
        case .solarRadiation: "solar"
        case .pressure: "pressure"
        case .lightningDistance: "distance"
        }
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
