import VenueGuardCore

/// A site file, parsed and checked: the venue model the safety logic runs on, plus what the
/// daemon needs to wire it (sensor kinds and their options, outputs, backend, simulation).
public struct SiteConfiguration: Sendable {
    /// The site file.
    public var file: String
    /// The venue model (site, areas, sensors, effective safety parameters).
    public var model: VenueModel
    /// The regional profile's name and the file it came from (`nil`: the built-in standard).
    public var region: (name: String, file: String?)
    /// Every safety parameter with where it came from.
    public var parameterLayers: SafetyParameterLayers
    /// Each sensor's kind and kind-specific options, in configuration order.
    public var sensors: [SensorConfiguration]
    /// Lamps, buzzer and button.
    public var signal: SignalConfiguration
    /// Which hardware backend runs the sensors and outputs.
    public var hardware: HardwareBackend
    /// The scenario and speed for the simulated backend.
    public var simulation: SimulationSettings?
    /// Where the Linux backend finds sysfs and device files (tests point these at a temporary tree).
    public var linux: LinuxPaths
    /// Publishing over MQTT (`nil`: off).
    public var mqtt: MQTTConfiguration?
    /// Where the companion service finds the official alerts and forecast (`nil`: not used).
    public var official: OfficialFeedsConfiguration?
    /// Where the companion service serves `/metrics`.
    public var companion = CompanionConfiguration()
    /// The venue's emergency action plan, shown by the companion's page and legend card (`nil`: none given).
    public var emergency: EmergencyPlan?
    /// Where the companion sends notifications (`nil`: none).
    public var notifications: NotificationsConfiguration?
    /// Things that are allowed but probably not what the user wants.
    public var warnings: [ConfigError]
}

/// What the companion service reads of the site file: never the MQTT section (whose password
/// file it must not be able to read), the sensors or the hardware.
public struct CompanionSiteConfiguration: Sendable {
    /// The site id.
    public var siteID: String
    /// The site's name as people call it.
    public var siteName: String
    /// The site's UTC offset, seconds (the days of the records and the page's clock).
    public var utcOffsetSeconds: Int
    /// The official feeds (`nil`: none fetched).
    public var official: OfficialFeedsConfiguration?
    /// Where the page and `/metrics` are served, and how long records are kept.
    public var companion: CompanionConfiguration
    /// The emergency plan (`nil`: none given).
    public var emergency: EmergencyPlan?
    /// Where notifications go (`nil`: none).
    public var notifications: NotificationsConfiguration?

    /// A companion's view of a site.
    public init(siteID: String, siteName: String, utcOffsetSeconds: Int, official: OfficialFeedsConfiguration?,
                companion: CompanionConfiguration, emergency: EmergencyPlan?, notifications: NotificationsConfiguration? = nil) {
        self.notifications = notifications
        self.siteID = siteID
        self.siteName = siteName
        self.utcOffsetSeconds = utcOffsetSeconds
        self.official = official
        self.companion = companion
        self.emergency = emergency
    }
}

/// One configured sensor.
public struct SensorConfiguration: Sendable {
    /// What Core needs to know.
    public var descriptor: SensorDescriptor
    /// The kind.
    public var kind: SensorKind
    /// The kind-specific keys as written (bus, address, port, …), checked against the kind's allowed keys.
    public var options: [String: ConfigValue]
    /// The line of the sensor's entry.
    public var line: Int?
    /// For I2C chips: the bus number (`/dev/i2c-N`) and 7-bit address.
    public var i2c: (bus: Int, address: UInt8)?
    /// The device: a 1-Wire id (`28-…`), a hwmon/IIO directory or driver name.
    public var device: String?
    /// The GPIO line switching the sensor's supply, for power-cycling a hung sensor.
    public var powerLine: OutputLine?
    /// For the AS3935: its settings and IRQ line.
    public var lightning: LightningDetectorSettings?
    /// For a serial board: port, speed, line format and key mapping.
    public var serial: SerialSettings?
    /// For a cup anemometer.
    public var anemometer: AnemometerSettings?
    /// For an ADS1115 input.
    public var adc: ADCSettings?
    /// For a BH1750: irradiance per lux.
    public var wm2PerLux: Double?
    /// The GPIO lines it uses (supply switch, interrupt, pulse input), for conflict checks.
    public var gpioUses: [GPIOLineUse] = []
    /// Things about this sensor that are allowed but probably not what the user wants.
    public var warnings: [ConfigError] = []
}

/// A cup anemometer's configuration.
public struct AnemometerSettings: Sendable, Hashable {
    /// The GPIO line of the reed switch or Hall output.
    public var chip: String
    public var line: Int
    /// Pulses per second at 1 m/s (the common cup sets: 1 Hz = 2.4 km/h, so 1.5).
    public var hzPerMps: Double
    /// Edges closer than this are bounce (default 5 ms).
    public var debounce: Duration
    /// The averaging window of the mean (default 60 s).
    public var window: Duration
    /// Another wind sensor whose wind makes a silent line suspicious.
    public var stuckReference: SensorID?
    /// How long a silent line with wind elsewhere takes to be reported (default 30 min).
    public var stuckAfter: Duration
}

/// An ADS1115 input's configuration: value = volts × scale + offset.
public struct ADCSettings: Sendable, Hashable {
    /// AIN0–AIN3.
    public var channel: Int
    /// The full-scale range, volts.
    public var fullScale: Double
    public var scale: Double
    public var offset: Double
}

/// A serial board's configuration.
public struct SerialSettings: Sendable, Hashable {
    /// A device path or glob (`/dev/serial/by-id/usb-*micro*bit*`), when named so.
    public var port: String?
    /// A USB vendor and product id, when named so.
    public var usb: (vendor: UInt16, product: UInt16)?
    /// The speed (default 115200).
    public var baud: Int
    /// `auto`, `makecode`, `keyvalue`, `json` or `csv`.
    public var format: String
    /// The CSV column names.
    public var columns: [String]
    /// Each key the board sends: its quantity, unit, and calibration.
    public var keys: [String: SerialKey]
    /// The longest line kept (default 256 bytes).
    public var maxLineBytes: Int

    public static func == (lhs: SerialSettings, rhs: SerialSettings) -> Bool {
        lhs.port == rhs.port && lhs.usb?.vendor == rhs.usb?.vendor && lhs.usb?.product == rhs.usb?.product && lhs.baud == rhs.baud
            && lhs.format == rhs.format && lhs.columns == rhs.columns && lhs.keys == rhs.keys && lhs.maxLineBytes == rhs.maxLineBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(port)
        hasher.combine(baud)
        hasher.combine(format)
    }
}

/// One key of a serial board.
public struct SerialKey: Sendable, Hashable {
    /// The quantity it carries.
    public var quantity: Quantity
    /// The unit the board writes it in.
    public var unit: PhysicalUnit
    /// Calibration: value × scale + offset (after unit conversion).
    public var scale: Double
    public var offset: Double
}

/// The AS3935's configuration.
public struct LightningDetectorSettings: Sendable, Hashable {
    /// The IRQ line.
    public var irq: InputLine
    /// `indoor` or `outdoor` front-end gain.
    public var outdoor: Bool
    /// The lowest noise floor level, 0–7.
    public var noiseFloor: Int
    /// Strikes in 15 minutes before the first is reported: 1, 5, 9 or 16.
    public var minimumStrikes: Int
}

/// Which implementation backs sensors and outputs.
public enum HardwareBackend: String, Sendable, CaseIterable {
    /// Scenario-driven simulated hardware (a laptop, CI, the demo).
    case simulated
    /// The real Linux devices (I2C, GPIO, 1-Wire, serial).
    case linux
}

/// Where the Linux backend looks for the kernel's files.
public struct LinuxPaths: Sendable, Hashable {
    /// The sysfs root (default `/sys`).
    public var sysfsRoot: String = "/sys"
    /// The device directory (default `/dev`).
    public var devRoot: String = "/dev"
    /// The defaults.
    public init() {}
}

/// Settings for the simulated backend.
public struct SimulationSettings: Sendable {
    /// The scenario file, resolved relative to the site file.
    public var scenario: String
    /// How many scenario seconds pass per real second in `run`.
    public var speed: Double
}

/// A GPIO output line.
public struct OutputLine: Sendable, Hashable {
    /// The gpiochip, by name (`gpiochip0`) or label (`pinctrl-bcm2711`).
    public var chip: String
    /// The line offset on the chip (the BCM GPIO number on a Raspberry Pi).
    public var line: Int
    /// Whether the output is lit/sounding when the line is low.
    public var activeLow: Bool
}

/// A GPIO input line for the acknowledge button.
public struct InputLine: Sendable, Hashable {
    /// The gpiochip.
    public var chip: String
    /// The line offset.
    public var line: Int
    /// Whether the button pulls the line low when pressed (the usual wiring with a pull-up).
    public var activeLow: Bool
    /// Debounce time (default 30 ms).
    public var debounce: Duration
}

/// The signal tower, buzzer and acknowledge button.
public struct SignalConfiguration: Sendable {
    /// The areas the signal shows.
    public var areas: [AreaID]
    /// The lamps present, with their lines (lines matter only on real hardware).
    public var lamps: [Lamp: OutputLine]
    /// The buzzer, if any.
    public var buzzer: OutputLine?
    /// The acknowledge button, if any.
    public var button: InputLine?
    /// Where the signals go on `hardware: linux`.
    public var outputs: Outputs = .gpio
    /// The GPIO lines the lamps, buzzer and button use, for conflict checks.
    public var gpioUses: [GPIOLineUse] = []

    /// Where the signals go.
    public enum Outputs: String, Sendable {
        /// The GPIO lines (a sensor box).
        case gpio
        /// Only the terminal panel or log (a laptop with sensors but no lamps).
        case terminal
    }
}
