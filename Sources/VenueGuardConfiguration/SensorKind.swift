import VenueGuardCore

/// The sensor kinds a site file can name, with the quantities each provides and the keys
/// each accepts besides the common ones.
public enum SensorKind: String, CaseIterable, Sendable {
    /// Sensirion SHT30/31/35 on I2C (0x44/0x45): air temperature and humidity.
    case sht3x
    /// Sensirion SHT40/41/45 on I2C (0x44): air temperature and humidity.
    case sht4x
    /// Bosch BME280 on I2C (0x76/0x77): air temperature, humidity and pressure.
    case bme280
    /// Aosong AHT20 on I2C (0x38): air temperature and humidity.
    case aht20
    /// Maxim DS18B20 on 1-Wire (kernel w1 sysfs): one temperature, by `role` (usually the black globe).
    case ds18b20
    /// A kernel hwmon sensor (`/sys/class/hwmon`), e.g. from `dtoverlay=i2c-sensor`.
    case hwmon
    /// A kernel IIO sensor (`/sys/bus/iio/devices`), e.g. from `dtoverlay=dht11`.
    case iio
    /// ams AS3935 lightning detector on I2C with its IRQ on a GPIO line.
    case as3935
    /// A board on a USB serial port (micro:bit, Arduino, a WBGT meter with serial output).
    case serial
    /// A cup anemometer giving pulses on a GPIO line.
    case anemometer
    /// TI ADS1115 16-bit ADC on I2C (0x48–0x4B), e.g. with a pyranometer.
    case ads1115
    /// ROHM BH1750 light sensor on I2C (0x23/0x5C): a lux-based sunlight estimate.
    case bh1750
    /// A purely simulated sensor providing the `quantities` listed (scenarios only).
    case simulated

    /// Keys every sensor accepts.
    public static let commonKeys = ["id", "kind", "name", "period", "max_age", "trust", "stuck_after", "power_gpio"]

    /// The extra keys this kind accepts.
    public var optionKeys: [String] {
        switch self {
        case .sht3x, .sht4x, .bme280, .aht20: ["bus", "address"]
        case .ds18b20: ["device", "role", "globe_diameter_mm"]
        case .hwmon: ["device", "role", "quantities", "globe_diameter_mm"]
        case .iio: ["device", "role", "quantities", "globe_diameter_mm"]
        case .as3935: ["bus", "address", "irq", "environment", "noise_floor", "minimum_strikes"]
        case .serial: ["port", "usb", "baud", "format", "columns", "keys", "max_line_bytes", "quantities", "globe_diameter_mm"]
        case .anemometer: ["line", "chip", "hz_per_mps", "debounce", "window", "mounting_height_m", "stuck_reference"]
        case .ads1115: ["bus", "address", "channel", "gain", "scale", "offset", "quantity"]
        case .bh1750: ["bus", "address", "wm2_per_lux"]
        case .simulated: ["quantities", "role", "globe_diameter_mm", "mounting_height_m", "detects_lightning"]
        }
    }

    /// The quantities the kind provides when the configuration does not say otherwise.
    public var defaultQuantities: [Quantity] {
        switch self {
        case .sht3x, .sht4x, .aht20: [.airTemperature, .relativeHumidity]
        case .bme280: [.airTemperature, .relativeHumidity, .pressure]
        case .ds18b20, .hwmon, .iio, .serial, .simulated: []
        case .as3935: []
        case .anemometer: [.windSpeed, .windGust]
        case .ads1115, .bh1750: [.solarRadiation]
        }
    }

    /// The trust a sensor of this kind gets when the configuration does not say.
    public var defaultTrust: SensorTrust { self == .serial ? .advisory : .authoritative }

    /// Whether this kind is a lightning detector.
    public var detectsLightning: Bool { self == .as3935 }

    /// The default sampling period.
    public var defaultPeriod: Duration {
        switch self {
        case .as3935: .seconds(60)
        case .serial, .anemometer: .seconds(5)
        default: .seconds(10)
        }
    }
}

/// What a single-temperature sensor (DS18B20, a kernel sensor) measures.
public enum TemperatureRole: String, CaseIterable, Sendable {
    /// Air (dry-bulb) temperature.
    case air
    /// Black-globe temperature (give `globe_diameter_mm`).
    case globe
    /// Natural wet-bulb temperature (a wetted wick).
    case naturalWetBulb = "natural_wet_bulb"

    /// The quantity it provides.
    public var quantity: Quantity {
        switch self {
        case .air: .airTemperature
        case .globe: .globeTemperature
        case .naturalWetBulb: .naturalWetBulb
        }
    }
}
