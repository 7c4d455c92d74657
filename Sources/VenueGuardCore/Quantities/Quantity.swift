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

    /// The fastest change a sensor of this quantity can physically show, per second, or `nil`
    /// when the quantity really can jump (wind, sunshine behind a cloud, lightning distance).
    /// A change faster than this, over the time since the last accepted reading (at least
    /// `jumpFloor`, because sensors are noisy at 1 Hz), is a glitch, however often it repeats.
    ///
    /// - Air temperature 0.5 °C/s and humidity 3 %/s: a bare SHT3x/SHT4x in moving air has a
    ///   time constant of a few seconds (Sensirion datasheets: τ63 2 s for temperature, 4–8 s for
    ///   humidity) and a venue's air does not change faster than a door opening.
    /// - The black globe follows its own heat capacity: ISO 7726 gives a 150 mm globe 20–30
    ///   minutes to settle, so its time constant is taken as 10 minutes, shorter in proportion for
    ///   smaller globes (a 40 mm ping-pong ball: under 3 minutes), and the largest step it can meet
    ///   as 40 °C (an air-conditioned room to full sun): 0.067 °C/s for 150 mm.
    /// - Tnw and a WBGT instrument 0.5 °C/s; station pressure 1 hPa/s.
    public func maximumRatePerSecond(globeDiameter: Double? = nil) -> Double? {
        switch self {
        case .airTemperature: 0.5
        case .relativeHumidity: 3
        case .globeTemperature: Self.largestGlobeStep / Self.globeTimeConstant(diameter: globeDiameter ?? 0.15)
        case .naturalWetBulb: 0.5
        case .wbgt: 0.5
        case .pressure: 1
        case .windSpeed, .windGust, .solarRadiation, .lightningDistance: nil
        }
    }

    /// Short intervals get the allowance of this many seconds: sensors are noisy at 1 Hz.
    public static let jumpFloor = Duration.seconds(10)
    /// The largest step of the radiant environment a globe can be moved through, °C.
    static let largestGlobeStep = 40.0

    /// A black globe's time constant, s: 10 minutes for the 150 mm standard globe, in proportion
    /// to the diameter for smaller ones (at least one minute).
    public static func globeTimeConstant(diameter: Double) -> Double {
        max(60, 600 * diameter / 0.15)
    }

    /// Which way a higher value pushes the heat stress: `1` hotter (temperatures, humidity,
    /// sunshine), `-1` cooler (wind), `0` hardly at all (pressure) or not a heat input.
    public var heatStressDirection: Int {
        switch self {
        case .airTemperature, .relativeHumidity, .globeTemperature, .naturalWetBulb, .wbgt, .solarRadiation: 1
        case .windSpeed: -1
        case .windGust, .pressure, .lightningDistance: 0
        }
    }

    /// A resolution this coarse or coarser makes identical readings normal in a steady room
    /// (a whole-degree DHT11 or micro:bit, a 9-bit DS18B20), so identical raw data is then no
    /// sign of a stuck sensor. `nil`: the quantity is never judged coarse.
    public var coarseResolution: Double? {
        switch self {
        case .airTemperature, .globeTemperature, .naturalWetBulb: 0.5
        case .relativeHumidity: 1
        case .wbgt: 0.5
        case .windSpeed, .windGust, .solarRadiation, .pressure, .lightningDistance: nil
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
