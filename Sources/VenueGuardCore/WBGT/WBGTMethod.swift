/// How a heat reading was obtained. Recorded with every reading, because a mentor and a
/// subscriber must know how much to trust it. Raw values are the machine names.
public enum WBGTMethod: String, CaseIterable, Hashable, Sendable {
    /// A WBGT instrument reports WBGT directly.
    case measured
    /// Natural wet-bulb and globe temperature are both measured (ISO 7243).
    case iso7243
    /// Air temperature, humidity and a black globe: Tnw from the wick's energy balance in the
    /// radiant environment the globe reports, then ISO 7243.
    case globe
    /// Outdoors without a globe: Liljegren et al. 2008 from air temperature, humidity, wind,
    /// solar radiation, pressure and the sun's position.
    case liljegren
    /// The Ministry of the Environment regression; only when a site asks for it.
    case moeRegression = "moe-regression"
    /// The indoor chart (air temperature and humidity, indoors).
    case indoorChart = "indoor-chart"
    /// Air temperature alone: no WBGT; the dry-bulb thresholds apply.
    case temperatureOnly = "temperature-only"

    /// Methods in the order automatic selection tries them, best first. The MoE regression
    /// is absent on purpose: it reads low in strong sun, so it is never chosen over a safer method.
    public static let automaticPreference: [WBGTMethod] = [.measured, .iso7243, .globe, .liljegren, .indoorChart, .temperatureOnly]

    /// Every quantity the method can take into account (some only outdoors or as an option).
    public var usableQuantities: Set<Quantity> {
        switch self {
        case .measured: [.wbgt, .airTemperature]
        case .iso7243: [.naturalWetBulb, .globeTemperature, .airTemperature]
        case .globe: [.airTemperature, .relativeHumidity, .globeTemperature, .windSpeed, .pressure]
        case .liljegren: [.airTemperature, .relativeHumidity, .windSpeed, .solarRadiation, .pressure]
        case .moeRegression: [.airTemperature, .relativeHumidity, .solarRadiation, .windSpeed]
        case .indoorChart: [.airTemperature, .relativeHumidity]
        case .temperatureOnly: [.airTemperature]
        }
    }

    /// One line describing the method, for the calculator and the README.
    public var summary: String {
        switch self {
        case .measured: "WBGT reported by a WBGT instrument"
        case .iso7243: "ISO 7243 from measured natural wet-bulb and globe temperature"
        case .globe: "natural wet-bulb estimated from the globe's radiant environment, then ISO 7243"
        case .liljegren: "Liljegren model from air temperature, humidity, wind, sunshine and sun position"
        case .moeRegression: "Ministry of the Environment regression (agrees with official figures; low in strong sun)"
        case .indoorChart: "indoor chart (JSB Ver.4) from air temperature and humidity"
        case .temperatureOnly: "air temperature only: dry-bulb thresholds, no WBGT"
        }
    }
}

/// A place on the Earth, for the sun's position.
public struct GeoLocation: Hashable, Sendable {
    /// Latitude, degrees north.
    public var latitude: Double
    /// Longitude, degrees east.
    public var longitude: Double
    /// Creates a location.
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}
