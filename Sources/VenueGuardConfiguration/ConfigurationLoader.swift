import Foundation
import VenueGuardCore
import VenueGuardDrivers

/// The bounds every duration, rate, size and count of a site file is held to (README:
/// "Configuration reference"): a value outside them is an error with its file and line, so no
/// number can overflow a timer, spin a loop or exhaust memory.
public enum Bounds {
    /// A sensor's sampling period.
    public static let period = Duration.milliseconds(100)...Duration.seconds(3600)
    /// A sensor's maximum age.
    public static let maxAge = Duration.milliseconds(100)...Duration.seconds(86400)
    /// Identical raw data before a sensor counts as stuck.
    public static let stuckAfter = Duration.seconds(60)...Duration.seconds(7 * 86400)
    /// A button's or anemometer's debounce.
    public static let debounce = Duration.zero...Duration.seconds(1)
    /// An anemometer's averaging window.
    public static let window = Duration.seconds(1)...Duration.seconds(3600)
    /// The simulation's speed-up.
    public static let speed = 1_000_000.0
    /// A scenario's length, and any offset in it.
    public static let scenario = Duration.zero...Duration.seconds(31 * 86400)
}

/// The example site file the package installs (Config/raspberry-pi.yaml): its site id and
/// location say the file has not been made a real venue's yet.
public enum ExampleSite {
    /// The example's site id.
    public static let id = "my-club"
    /// The example's location (Tokyo Station).
    public static let location = GeoLocation(latitude: 35.68, longitude: 139.77)
    /// The exit status of `run` on the unedited example: EX_CONFIG (sysexits.h), which the
    /// unit's RestartPreventExitStatus= keeps from being retried.
    public static let exitStatus: Int32 = 78
}

/// Reads a site file and its regional profile into a checked `SiteConfiguration`.
/// Unknown keys, wrong types, thresholds out of order and references to sensors or areas
/// that do not exist are errors naming the file, the line and the key.
public enum ConfigurationLoader {
    static let rootKeys = ["site", "areas", "sensors", "signal", "heat", "lightning", "hardware", "simulation", "linux", "mqtt", "official", "companion", "emergency", "notifications"]
    static let siteKeys = ["id", "name", "region", "latitude", "longitude", "elevation", "utc_offset"]
    static let areaKeys = ["id", "name", "exposure", "sensors", "method", "defaults"]
    static let defaultsKeys = ["wind_speed", "solar_radiation", "assume_clear_sky", "pressure"]
    static let regionKeys = ["name", "description", "heat", "lightning"]

    /// Loads the site file at `path`.
    public static func load(path: String) throws -> SiteConfiguration {
        try parse(yaml: read(path, what: "the file"), file: path)
    }

    /// The text of the file at `path`; an error naming it (and `what` it is) when unreadable.
    static func read(_ path: String, what: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, line: nil, key: nil, message: "cannot read \(what) (\(Self.reason(error)))")
        }
    }

    /// Only the site id and the `official:` section of the site file at `path`, for the companion
    /// service: it never reads the MQTT section (whose password file it must not be able to read)
    /// nor opens anything the rest of the file names. The whole file is still checked for YAML
    /// bounds and unknown top-level keys.
    public static func loadOfficial(path: String) throws -> CompanionSiteConfiguration {
        let root = try ConfigValue.parse(yaml: read(path, what: "the file"), file: path).mapping(allowed: rootKeys)
        let siteNode = try root.required("site").mapping(allowed: siteKeys)
        let siteID = try identifier(siteNode.required("id"))
        var utcOffset = 9 * 3600
        if let node = siteNode["utc_offset"] {
            guard let parsed = parseUTCOffset(try node.string()) else { throw node.error("expected an offset such as +09:00") }
            utcOffset = parsed
        }
        return CompanionSiteConfiguration(siteID: siteID, siteName: try siteNode["name"]?.string() ?? siteID, utcOffsetSeconds: utcOffset,
                                          official: try root["official"].map(OfficialFeedsConfiguration.parse),
                                          companion: try root["companion"].map(CompanionConfiguration.parse) ?? CompanionConfiguration(),
                                          emergency: try root["emergency"].map(EmergencyPlan.parse),
                                          notifications: try root["notifications"].map(NotificationsConfiguration.parse))
    }

    /// Parses site-file text; `file` names it in errors and anchors relative paths.
    public static func parse(yaml: String, file: String) throws -> SiteConfiguration {
        let root = try ConfigValue.parse(yaml: yaml, file: file).mapping(allowed: rootKeys)
        var warnings: [ConfigError] = []
        let directory = (file as NSString).deletingLastPathComponent

        // Site.
        let siteNode = try root.required("site").mapping(allowed: siteKeys)
        let siteID = try identifier(siteNode.required("id"))
        var location: GeoLocation?
        let latitude = try siteNode["latitude"].map { try $0.double() }
        let longitude = try siteNode["longitude"].map { try $0.double() }
        switch (latitude, longitude) {
        case let (lat?, lon?):
            guard (-90...90).contains(lat) else { throw siteNode["latitude"]!.error("latitude must be between -90 and 90") }
            guard (-180...180).contains(lon) else { throw siteNode["longitude"]!.error("longitude must be between -180 and 180") }
            location = GeoLocation(latitude: lat, longitude: lon)
        case (nil, nil):
            break
        default:
            throw siteNode.value.error("give both latitude and longitude, or neither")
        }
        let elevation = try siteNode["elevation"].map { try $0.double(in: -500...9000) }
        var utcOffset = 9 * 3600
        if let node = siteNode["utc_offset"] {
            guard let parsed = parseUTCOffset(try node.string()) else { throw node.error("expected an offset such as +09:00") }
            utcOffset = parsed
        }
        let site = SiteDescriptor(id: siteID, name: try siteNode["name"]?.string() ?? siteID, location: location,
                                  elevation: elevation, utcOffsetSeconds: utcOffset)
        if siteID == ExampleSite.id {
            warnings.append(try siteNode.required("id").error("'\(siteID)' is the example's site id: give your club's own (it names your MQTT topics); 'venueguard run' refuses the example on a board"))
        }
        if siteID == ExampleSite.id && location == ExampleSite.location {
            warnings.append(siteNode["latitude"]!.error("latitude and longitude are the example's (Tokyo Station): give your venue's, or outdoor sun estimates will be wrong"))
        }

        // Safety parameters: standard → region → site.
        var layers = SafetyParameterLayers()
        var regionName = "standard"
        var regionFile: String?
        if let regionNode = siteNode["region"] {
            regionName = try regionNode.string()
            if let resolved = resolveRegion(regionName, relativeTo: directory) {
                regionFile = resolved
                let regionText: String
                do {
                    regionText = try String(contentsOfFile: resolved, encoding: .utf8)
                } catch {
                    throw regionNode.error("cannot read regional profile \(resolved) (\(Self.reason(error)))")
                }
                let regionRoot = try ConfigValue.parse(yaml: regionText, file: resolved).mapping(allowed: regionKeys)
                let shownName = try regionRoot["name"]?.string() ?? regionName
                try layers.apply(root: regionRoot) { .region(name: shownName, file: resolved, line: $0) }
            } else if regionName != "standard" {
                let looked = regionSearchPaths(regionName, relativeTo: directory).joined(separator: ", ")
                throw regionNode.error("regional profile '\(regionName)' not found (looked for \(looked))")
            }
        }
        try layers.apply(root: root) { .site(file: file, line: $0) }
        let parameters = try layers.parameters()
        warnings += layers.warnings()

        // Sensors.
        var sensors: [SensorConfiguration] = []
        var sensorLines: [SensorID: Int?] = [:]
        for node in try root["sensors"]?.sequence() ?? [] {
            let sensor = try parseSensor(node)
            if sensorLines[sensor.descriptor.id] != nil {
                throw node.error("sensor id '\(sensor.descriptor.id)' is already used by the sensor at line \(sensorLines[sensor.descriptor.id]!.map(String.init) ?? "?")")
            }
            sensorLines[sensor.descriptor.id] = node.line
            sensors.append(sensor)
        }

        for sensor in sensors {
            if let reference = sensor.anemometer?.stuckReference, sensorLines[reference] == nil {
                throw ConfigError(file: file, line: sensor.line, key: "sensors", message: "sensor '\(sensor.descriptor.id)': stuck_reference names '\(reference)', which is not configured")
            }
        }

        // Several 1-Wire thermometers cannot be told apart without their ids.
        let unnamed = sensors.filter { $0.kind == .ds18b20 && $0.device == nil }
        if sensors.filter({ $0.kind == .ds18b20 }).count > 1, let first = unnamed.first {
            throw ConfigError(file: file, line: first.line, key: "sensors",
                              message: "sensor '\(first.descriptor.id)': with several ds18b20 each needs 'device' (its 1-Wire id, 28-…; see venueguard probe)")
        }

        // Areas.
        var areas: [AreaDescriptor] = []
        guard let areaNodes = try root["areas"]?.sequence(), !areaNodes.isEmpty else {
            throw root.value.error("at least one area is required under 'areas'")
        }
        for node in areaNodes {
            let area = try parseArea(node, knownSensors: sensorLines)
            if areas.contains(where: { $0.id == area.id }) { throw node.error("area id '\(area.id)' is used twice") }
            let trusted = area.sensors.filter { id in sensors.first { $0.descriptor.id == id }?.descriptor.trust == .authoritative }
            if trusted.isEmpty {
                throw node.error("area '\(area.id)' has only advisory sensors (\(area.sensors.map(\.rawValue).joined(separator: ", "))), which never decide a level: it could only ever show unknown. Add an authoritative sensor, or set 'trust: authoritative' on one you trust")
            }
            if area.exposure == .outdoor && location == nil {
                warnings.append(node.error("outdoor area '\(area.id)' but no site latitude/longitude: sun-based estimates (liljegren, clear sky) are unavailable"))
            }
            areas.append(area)
        }
        warnings += sensors.flatMap(\.warnings)
        for sensor in sensors where !areas.contains(where: { $0.sensors.contains(sensor.descriptor.id) }) && !sensor.descriptor.detectsLightning {
            warnings.append(ConfigError(file: file, line: sensor.line, key: "sensors", message: "sensor '\(sensor.descriptor.id)' is in no area: its readings are published but judge nothing"))
        }

        // Signal.
        let signal = try parseSignal(root["signal"], areas: areas, file: file)
        // In a terminal-only box the lamp lines are never opened, so only the sensors' lines can clash.
        let signalUses = signal.outputs == .gpio ? signal.gpioUses : []
        if let conflict = GPIOLineUse.conflict(in: signalUses + sensors.flatMap(\.gpioUses)) { throw conflict }

        // Backend and simulation.
        var hardware = HardwareBackend.simulated
        if let node = root["hardware"] { hardware = try node.choice(HardwareBackend.allCases.map { ($0.rawValue, $0) }) }
        var simulation: SimulationSettings?
        if let node = root["simulation"] {
            let mapping = try node.mapping(allowed: ["scenario", "speed"])
            let scenario = try mapping.required("scenario").string()
            let speed = try mapping["speed"]?.double(in: 0...Bounds.speed) ?? 1
            guard speed > 0 else { throw mapping["speed"]!.error("speed must be positive") }
            simulation = SimulationSettings(scenario: scenario.hasPrefix("/") ? scenario : (directory as NSString).appendingPathComponent(scenario),
                                            speed: speed)
        }

        var linux = LinuxPaths()
        if let node = root["linux"] {
            let m = try node.mapping(allowed: ["sysfs_root", "dev_root"])
            if let v = m["sysfs_root"] { linux.sysfsRoot = try v.string() }
            if let v = m["dev_root"] { linux.devRoot = try v.string() }
        }

        let mqtt = try root["mqtt"].map { try MQTTConfiguration.parse($0, siteID: siteID, directory: directory) }
        let official = try root["official"].map(OfficialFeedsConfiguration.parse)
        let companion = try root["companion"].map(CompanionConfiguration.parse) ?? CompanionConfiguration()
        let emergency = try root["emergency"].map(EmergencyPlan.parse)
        let notifications = try root["notifications"].map(NotificationsConfiguration.parse)
        // The companion stops at start (exit 78) when a secret file is missing: said here first.
        for secret in notifications?.secretFiles ?? [] where !FileManager.default.fileExists(atPath: secret) {
            warnings.append(ConfigError(file: file, line: root["notifications"]?.line, key: "notifications",
                                        message: "\(secret) does not exist: venueguard-companion will not start until it does (mode 0640, group venueguard-companion)"))
        }

        let model = VenueModel(site: site, areas: areas, sensors: sensors.map(\.descriptor), parameters: parameters,
                               signalAreas: signal.areas)
        if let problem = model.problems().first { throw ConfigError(file: file, line: nil, key: nil, message: problem) }
        return SiteConfiguration(file: file, model: model, region: (regionName, regionFile), parameterLayers: layers,
                                 sensors: sensors, signal: signal, hardware: hardware, simulation: simulation, linux: linux,
                                 mqtt: mqtt, official: official, companion: companion, emergency: emergency, notifications: notifications, warnings: warnings)
    }

    // MARK: - Pieces

    static func identifier(_ node: ConfigValue) throws -> String {
        let text = try node.string()
        let allowed = text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        guard !text.isEmpty, allowed, text.count <= 64 else {
            throw node.error("'\(text)' is not a valid id: use letters, digits, '-' and '_' (it appears in MQTT topics)")
        }
        return text
    }

    static func parseUTCOffset(_ text: String) -> Int? {
        if text == "Z" || text == "UTC" { return 0 }
        let sign: Int
        switch text.first {
        case "+": sign = 1
        case "-": sign = -1
        default: return nil
        }
        let parts = text.dropFirst().split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...14).contains(h), (0..<60).contains(m) else { return nil }
        return sign * (h * 3600 + m * 60)
    }

    static func regionSearchPaths(_ name: String, relativeTo directory: String) -> [String] {
        if name.contains("/") || name.hasSuffix(".yaml") {
            return [name.hasPrefix("/") ? name : (directory as NSString).appendingPathComponent(name)]
        }
        return [(directory as NSString).appendingPathComponent("regions/\(name).yaml"),
                "/etc/venueguard/regions/\(name).yaml",
                "/usr/share/venueguard/regions/\(name).yaml"]
    }

    static func resolveRegion(_ name: String, relativeTo directory: String) -> String? {
        regionSearchPaths(name, relativeTo: directory).first { FileManager.default.fileExists(atPath: $0) }
    }

    static func quantities(_ node: ConfigValue) throws -> [Quantity] {
        try node.sequence(allowScalar: true).map { item in
            try item.choice(Quantity.allCases.filter { $0 != .lightningDistance }.map { ($0.rawValue, $0) })
        }
    }

    static func parseSensor(_ node: ConfigValue) throws -> SensorConfiguration {
        // The kind decides which keys are allowed, so read it first.
        guard case let .mapping(values, _, _) = node.content, let kindNode = values["kind"] else {
            if case .mapping = node.content { throw node.error("a sensor needs a 'kind' (\(SensorKind.allCases.map(\.rawValue).joined(separator: ", ")))") }
            throw node.error("expected a sensor mapping (id, kind, …)")
        }
        let kind = try kindNode.choice(SensorKind.allCases.map { ($0.rawValue, $0) })
        let mapping = try node.mapping(allowed: SensorKind.commonKeys + kind.optionKeys)
        let id = SensorID(try identifier(mapping.required("id")))
        let period = try mapping["period"]?.duration(in: Bounds.period) ?? kind.defaultPeriod
        let maxAge = try mapping["max_age"]?.duration(in: Bounds.maxAge)
        if let maxAge, maxAge < period { throw mapping["max_age"]!.error("max_age must be at least the period (\(DurationText.format(period)))") }
        let trust = try mapping["trust"]?.choice(SensorTrust.allCases.map { ($0.rawValue, $0) }) ?? kind.defaultTrust
        var stuckAfter: Duration? = .seconds(900)
        if let node = mapping["stuck_after"] {
            if case let .scalar(text, _) = node.content, text == "never" { stuckAfter = nil } else { stuckAfter = try node.duration(in: Bounds.stuckAfter) }
        }
        // Calm is real: an anemometer's silence is judged against another wind sensor, not by the generic check.
        var anemometerStuckAfter = Duration.seconds(1800)
        if kind == .anemometer {
            if mapping["stuck_after"] != nil { anemometerStuckAfter = stuckAfter ?? .seconds(1800) }
            stuckAfter = nil
        }

        var quantities = kind.defaultQuantities
        var serial: SerialSettings?
        if kind == .serial {
            serial = try parseSerial(mapping)
            var fromKeys: [Quantity] = []
            for key in serial!.keys.keys.sorted() where !fromKeys.contains(serial!.keys[key]!.quantity) {
                fromKeys.append(serial!.keys[key]!.quantity)
            }
            quantities = fromKeys
        }
        if let node = mapping["quantities"] { quantities = try self.quantities(node) }
        if let node = mapping["quantity"] {
            quantities = try self.quantities(node)
            guard quantities.count == 1 else { throw node.error("an ADC input measures one quantity") }
        }
        var globeDiameter: Double?
        if let node = mapping["role"] {
            let role = try node.choice(TemperatureRole.allCases.map { ($0.rawValue, $0) })
            if mapping["quantities"] == nil { quantities = [role.quantity] }
        } else if kind == .ds18b20 {
            throw mapping.value.error("a ds18b20 needs a 'role': air, globe or natural_wet_bulb")
        }
        if let node = mapping["globe_diameter_mm"] {
            let millimetres = try node.double()
            guard (20...300).contains(millimetres) else { throw node.error("globe diameter must be 20–300 mm (the standard globe is 150 mm)") }
            globeDiameter = millimetres / 1000
        }
        if quantities.contains(.globeTemperature) && globeDiameter == nil {
            throw mapping.value.error("a globe thermometer needs 'globe_diameter_mm' (150 for the standard globe, 40 for a ping-pong ball)")
        }
        let detectsLightning: Bool
        if kind == .simulated, let node = mapping["detects_lightning"] { detectsLightning = try node.bool() } else { detectsLightning = kind.detectsLightning }
        if quantities.isEmpty && !detectsLightning {
            throw mapping.value.error("sensor '\(id)' provides no quantities: give 'quantities' (or 'role')")
        }
        var mountingHeight: Double?
        if let node = mapping["mounting_height_m"] {
            mountingHeight = try node.double(in: 0.1...100)
        }
        var options: [String: ConfigValue] = [:]
        for key in mapping.keys where kind.optionKeys.contains(key) {
            if let value = mapping[key] { options[key] = value }
        }
        let descriptor = SensorDescriptor(id: id, kind: kind.rawValue, quantities: quantities, samplingPeriod: period, maxAge: maxAge,
                                          trust: trust, globeDiameter: globeDiameter, mountingHeight: mountingHeight,
                                          stuckAfter: stuckAfter, detectsLightning: detectsLightning)
        var sensor = SensorConfiguration(descriptor: descriptor, kind: kind, options: options, line: node.line)
        sensor.serial = serial

        // Typed hardware settings, checked here so check-config reports them with their lines.
        if kind.optionKeys.contains("address") {
            let bus = try mapping["bus"].map { try $0.int() } ?? 1
            guard (0...255).contains(bus) else { throw mapping["bus"]!.error("I2C bus must be 0–255 (/dev/i2c-N)") }
            let address: Int
            if let node = mapping["address"] {
                address = try node.int()
                let allowed = Self.i2cAddresses(kind)
                guard (0x01...0x77).contains(address) else { throw node.error("I2C address must be 0x01–0x77") }
                if !allowed.isEmpty && !allowed.contains(address) {
                    throw node.error("a \(kind.rawValue) answers at \(allowed.map { "0x" + String($0, radix: 16) }.joined(separator: " or ")), not 0x\(String(address, radix: 16))")
                }
            } else {
                address = Self.i2cAddresses(kind).first ?? 0
            }
            sensor.i2c = (bus, UInt8(address))
        }
        if let node = mapping["device"] { sensor.device = try node.string() }
        if kind == .hwmon || kind == .iio {
            guard let device = sensor.device, let deviceNode = mapping["device"] else {
                throw mapping.value.error("a \(kind.rawValue) sensor needs 'device': its I2C bus and address such as 1-0044 (stable), or the driver's name such as sht3x (see venueguard probe)")
            }
            let interface: KernelSensor.Interface = kind == .iio ? .iio : .hwmon
            for quantity in quantities where !interface.readable.contains(quantity) {
                throw (mapping["quantities"] ?? mapping.value).error("a \(kind.rawValue) sensor cannot read \(quantity.rawValue) (it reads \(interface.readable.map(\.rawValue).joined(separator: ", ")))")
            }
            let temperatures = quantities.filter { $0.unit == .celsius }
            if temperatures.count > 1 {
                throw (mapping["quantities"] ?? mapping.value).error("a \(kind.rawValue) sensor has one temperature channel, so it cannot give both \(temperatures.map(\.rawValue).joined(separator: " and "))")
            }
            if KernelSensor.isNumberedDirectory(device) {
                sensor.warnings.append(deviceNode.error("'\(device)' is numbered in the order the kernel found its devices, which can change at the next boot: name it by its I2C bus and address (such as 1-0044; venueguard probe lists them)"))
            }
        }
        if let node = mapping["power_gpio"] {
            let line = try gpioLine(node)
            sensor.powerLine = line
            sensor.gpioUses.append(GPIOLineUse(chip: line.chip, line: line.line, user: "sensor '\(id)' (power_gpio)", isSupplySwitch: true,
                                               file: node.file, configLine: node.line, key: node.path))
        }
        if kind == .anemometer {
            sensor.anemometer = AnemometerSettings(
                chip: try mapping["chip"]?.string() ?? "gpiochip0", line: try lineNumber(mapping.required("line")),
                hzPerMps: try mapping["hz_per_mps"].map { try $0.double(in: 0...100) } ?? 1.5,
                debounce: try mapping["debounce"]?.duration(in: Bounds.debounce) ?? .milliseconds(5),
                window: try mapping["window"]?.duration(in: Bounds.window) ?? .seconds(60),
                stuckReference: try mapping["stuck_reference"].map { SensorID(try $0.string()) },
                stuckAfter: anemometerStuckAfter)
            let lineNode = try mapping.required("line")
            sensor.gpioUses.append(GPIOLineUse(chip: sensor.anemometer!.chip, line: sensor.anemometer!.line, user: "anemometer '\(id)'",
                                               isSupplySwitch: false, file: lineNode.file, configLine: lineNode.line, key: lineNode.path))
            guard sensor.anemometer!.hzPerMps > 0 else { throw mapping["hz_per_mps"]!.error("hz_per_mps must be positive") }
            guard sensor.anemometer!.window >= period else { throw mapping["window"]!.error("the window must be at least the period") }
        }
        if kind == .ads1115 {
            let channel = try mapping["channel"].map { try $0.int() } ?? 0
            guard (0...3).contains(channel) else { throw mapping["channel"]!.error("channel must be 0–3 (AIN0–AIN3)") }
            let gain = try mapping["gain"].map { try $0.double() } ?? 2.048
            guard [6.144, 4.096, 2.048, 1.024, 0.512, 0.256].contains(gain) else {
                throw mapping["gain"]!.error("gain is the full-scale range in volts: 6.144, 4.096, 2.048, 1.024, 0.512 or 0.256")
            }
            let scale = try mapping.required("scale").double(in: -1e6...1e6)
            guard scale != 0 else { throw mapping["scale"]!.error("scale must not be 0") }
            sensor.adc = ADCSettings(channel: channel, fullScale: gain, scale: scale, offset: try mapping["offset"]?.double(in: -1e6...1e6) ?? 0)
        }
        if kind == .bh1750 {
            let factor = try mapping["wm2_per_lux"].map { try $0.double() } ?? 1.0 / 120
            guard factor > 0 && factor < 0.1 else { throw mapping["wm2_per_lux"]!.error("wm2_per_lux must be between 0 and 0.1 (about 0.0083 for daylight)") }
            sensor.wm2PerLux = factor
        }
        if kind == .as3935 {
            let irqNode = try mapping.required("irq")
            let irq = try gpioLine(irqNode)
            let environment: Bool = try mapping["environment"].map { try $0.choice([("indoor", false), ("outdoor", true)]) } ?? false
            let floor = try mapping["noise_floor"].map { try $0.int() } ?? 2
            guard (0...7).contains(floor) else { throw mapping["noise_floor"]!.error("noise floor level must be 0–7") }
            let strikes = try mapping["minimum_strikes"].map { try $0.int() } ?? 1
            guard [1, 5, 9, 16].contains(strikes) else { throw mapping["minimum_strikes"]!.error("minimum strikes must be 1, 5, 9 or 16") }
            sensor.gpioUses.append(GPIOLineUse(chip: irq.chip, line: irq.line, user: "the IRQ of '\(id)'", isSupplySwitch: false,
                                               file: irqNode.file, configLine: irqNode.line, key: irqNode.path))
            sensor.lightning = LightningDetectorSettings(irq: InputLine(chip: irq.chip, line: irq.line, activeLow: false, debounce: .zero),
                                                         outdoor: environment, noiseFloor: floor, minimumStrikes: strikes)
        }
        return sensor
    }

    /// The serial keys of a sensor mapping.
    static func parseSerial(_ mapping: ConfigMapping) throws -> SerialSettings {
        var settings = SerialSettings(port: nil, usb: nil, baud: 115200, format: "auto", columns: [], keys: [:], maxLineBytes: 256)
        if let node = mapping["port"] { settings.port = try node.string() }
        if let node = mapping["usb"] {
            let text = try node.string()
            let parts = text.split(separator: ":")
            guard parts.count == 2, let vendor = UInt16(parts[0], radix: 16), let product = UInt16(parts[1], radix: 16) else {
                throw node.error("expected a USB vendor:product id in hexadecimal, such as 0d28:0204 (a micro:bit)")
            }
            settings.usb = (vendor, product)
        }
        guard (settings.port == nil) != (settings.usb == nil) else {
            throw mapping.value.error("a serial sensor needs 'port' (a path or glob) or 'usb' (vendor:product), and not both")
        }
        if let node = mapping["baud"] {
            settings.baud = try node.int()
            let allowed = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800]
            guard allowed.contains(settings.baud) else { throw node.error("baud must be one of \(allowed.map(String.init).joined(separator: ", "))") }
        }
        if let node = mapping["format"] {
            settings.format = try node.choice([("auto", "auto"), ("makecode", "makecode"), ("keyvalue", "keyvalue"), ("json", "json"), ("csv", "csv")])
        }
        if let node = mapping["columns"] { settings.columns = try node.sequence().map { try $0.string() } }
        if settings.format == "csv" && settings.columns.isEmpty { throw mapping.value.error("format csv needs 'columns' (the names of the columns, in order)") }
        if let node = mapping["max_line_bytes"] {
            settings.maxLineBytes = try node.int()
            guard (16...4096).contains(settings.maxLineBytes) else { throw node.error("max_line_bytes must be 16–4096") }
        }
        let quantityChoices = Quantity.allCases.filter { $0 != .lightningDistance }.map { ($0.rawValue, $0) }
        if let node = mapping["keys"] {
            for (key, _, value) in try node.entries() {
                if case .scalar = value.content {
                    let quantity = try value.choice(quantityChoices)
                    settings.keys[key] = SerialKey(quantity: quantity, unit: quantity.unit, scale: 1, offset: 0)
                    continue
                }
                let k = try value.mapping(allowed: ["quantity", "unit", "scale", "offset"])
                let quantity = try k.required("quantity").choice(quantityChoices)
                var unit = quantity.unit
                if let u = k["unit"] {
                    let name = try u.string()
                    guard let parsed = PhysicalUnit(name: name), parsed.canonical == quantity.unit else {
                        throw u.error("'\(name)' is not a unit of \(quantity.label) (\(quantity.unit.rawValue))")
                    }
                    unit = parsed
                }
                let scale = try k["scale"]?.double() ?? 1
                let offset = try k["offset"]?.double() ?? 0
                guard scale != 0 else { throw k["scale"]!.error("scale must not be 0") }
                settings.keys[key] = SerialKey(quantity: quantity, unit: unit, scale: scale, offset: offset)
            }
        } else {
            // A child's board usually says temp/hum: sensible defaults, documented.
            for (key, quantity) in [("temp", Quantity.airTemperature), ("temperature", .airTemperature), ("t", .airTemperature),
                                    ("hum", .relativeHumidity), ("humidity", .relativeHumidity), ("h", .relativeHumidity),
                                    ("rh", .relativeHumidity), ("wbgt", .wbgt)] {
                settings.keys[key] = SerialKey(quantity: quantity, unit: quantity.unit, scale: 1, offset: 0)
            }
        }
        // Unmapped CSV columns are allowed (a board may print a counter): they are ignored.
        return settings
    }

    /// The addresses a kind's chip can have (empty: any).
    static func i2cAddresses(_ kind: SensorKind) -> [Int] {
        switch kind {
        case .sht3x: [0x44, 0x45]
        case .sht4x: [0x44, 0x45, 0x46]
        case .aht20: [0x38]
        case .bme280: [0x76, 0x77]
        case .as3935: [0x01, 0x02, 0x03]
        case .ads1115: [0x48, 0x49, 0x4A, 0x4B]
        case .bh1750: [0x23, 0x5C]
        default: []
        }
    }

    /// A GPIO line written as a number (a line on gpiochip0) or `{ chip, line, active }`.
    static func gpioLine(_ node: ConfigValue) throws -> OutputLine {
        if case .scalar = node.content { return OutputLine(chip: "gpiochip0", line: try lineNumber(node), activeLow: false) }
        return try outputLine(node)
    }

    static func parseArea(_ node: ConfigValue, knownSensors: [SensorID: Int?]) throws -> AreaDescriptor {
        let mapping = try node.mapping(allowed: areaKeys)
        let id = AreaID(try identifier(mapping.required("id")))
        let exposure = try mapping.required("exposure").choice(Exposure.allCases.map { ($0.rawValue, $0) })
        var sensorIDs: [SensorID] = []
        for item in try mapping["sensors"]?.sequence() ?? [] {
            let sensorID = SensorID(try item.string())
            guard knownSensors[sensorID] != nil else {
                let known = knownSensors.keys.map(\.rawValue).sorted().joined(separator: ", ")
                throw item.error("sensor '\(sensorID)' is not defined under 'sensors' (defined: \(known.isEmpty ? "none" : known))")
            }
            sensorIDs.append(sensorID)
        }
        if sensorIDs.isEmpty { throw mapping.value.error("area '\(id)' needs at least one sensor under 'sensors'") }
        var method: WBGTMethod?
        if let node = mapping["method"], try node.string() != "auto" {
            method = try node.choice(WBGTMethod.allCases.map { ($0.rawValue, $0) })
        }
        var defaults = AreaDefaults(assumeClearSky: exposure == .outdoor)
        if let node = mapping["defaults"] {
            let d = try node.mapping(allowed: defaultsKeys)
            defaults.windSpeed = try d["wind_speed"].map { try bounded($0, .windSpeed) }
            defaults.solarRadiation = try d["solar_radiation"].map { try bounded($0, .solarRadiation) }
            defaults.pressure = try d["pressure"].map { try bounded($0, .pressure) }
            if let clear = d["assume_clear_sky"] { defaults.assumeClearSky = try clear.bool() }
        }
        return AreaDescriptor(id: id, name: try mapping["name"]?.string() ?? id.rawValue, exposure: exposure, sensors: sensorIDs,
                              method: method, defaults: defaults)
    }

    static func bounded(_ node: ConfigValue, _ quantity: Quantity) throws -> Double {
        let value = try node.double()
        guard quantity.plausibleRange.contains(value) else {
            throw node.error("\(quantity.label) \(NumberText.format(value)) \(quantity.unit.rawValue) is outside \(NumberText.format(quantity.plausibleRange.lowerBound))–\(NumberText.format(quantity.plausibleRange.upperBound))")
        }
        return value
    }

    static func parseSignal(_ node: ConfigValue?, areas: [AreaDescriptor], file: String) throws -> SignalConfiguration {
        let defaultLamps: [Lamp: OutputLine] = [
            .green: OutputLine(chip: "gpiochip0", line: 17, activeLow: false),
            .yellow: OutputLine(chip: "gpiochip0", line: 27, activeLow: false),
            .red: OutputLine(chip: "gpiochip0", line: 22, activeLow: false),
            .blue: OutputLine(chip: "gpiochip0", line: 23, activeLow: false),
        ]
        guard let node else {
            var signal = SignalConfiguration(areas: areas.map(\.id), lamps: defaultLamps,
                                             buzzer: OutputLine(chip: "gpiochip0", line: 24, activeLow: false),
                                             button: InputLine(chip: "gpiochip0", line: 25, activeLow: true, debounce: .milliseconds(30)))
            signal.gpioUses = Self.signalUses(signal, file: file, lines: [:])
            return signal
        }
        let mapping = try node.mapping(allowed: ["areas", "lamps", "buzzer", "button", "outputs"])
        var shown: [AreaID] = []
        if let list = mapping["areas"] {
            for item in try list.sequence() {
                let id = AreaID(try item.string())
                guard areas.contains(where: { $0.id == id }) else {
                    throw item.error("area '\(id)' is not defined under 'areas' (defined: \(areas.map(\.id.rawValue).joined(separator: ", ")))")
                }
                shown.append(id)
            }
        } else {
            shown = areas.map(\.id)
        }
        var lamps = defaultLamps
        var lines: [String: ConfigValue] = [:]
        if let lampNode = mapping["lamps"] {
            let lampMapping = try lampNode.mapping(allowed: Lamp.allCases.map(\.rawValue))
            lamps = [:]
            for key in lampMapping.keys {
                guard let value = lampMapping[key] else { continue }
                lamps[Lamp(rawValue: key)!] = try outputLine(value)
                lines["the \(key) lamp"] = value
            }
            for required in [Lamp.green, .yellow, .red] where lamps[required] == nil {
                throw lampNode.error("the signal tower needs a \(required.rawValue) lamp (blue is optional)")
            }
        }
        let buzzer = try mapping["buzzer"].map(outputLine)
        var button: InputLine?
        if let buttonNode = mapping["button"] {
            let b = try buttonNode.mapping(allowed: ["chip", "line", "active", "debounce"])
            button = InputLine(chip: try b["chip"]?.string() ?? "gpiochip0", line: try lineNumber(b.required("line")),
                               activeLow: try b["active"].map { try $0.choice([("low", true), ("high", false)]) } ?? true,
                               debounce: try b["debounce"]?.duration(in: Bounds.debounce) ?? .milliseconds(30))
        }
        var outputs = SignalConfiguration.Outputs.gpio
        if let node = mapping["outputs"] { outputs = try node.choice([("gpio", .gpio), ("terminal", .terminal)]) }
        lines["the buzzer"] = mapping["buzzer"]
        lines["the acknowledge button"] = mapping["button"]
        var signal = SignalConfiguration(areas: shown, lamps: lamps, buzzer: buzzer, button: button, outputs: outputs)
        signal.gpioUses = Self.signalUses(signal, file: node.file, lines: lines)
        return signal
    }

    /// The lamps', buzzer's and button's lines as uses, with the nodes they were written at.
    static func signalUses(_ signal: SignalConfiguration, file: String, lines: [String: ConfigValue]) -> [GPIOLineUse] {
        var outputs: [(String, String, Int)] = Lamp.allCases.compactMap { lamp in
            signal.lamps[lamp].map { ("the \(lamp.rawValue) lamp", $0.chip, $0.line) }
        }
        if let buzzer = signal.buzzer { outputs.append(("the buzzer", buzzer.chip, buzzer.line)) }
        if let button = signal.button { outputs.append(("the acknowledge button", button.chip, button.line)) }
        return outputs.map { user, chip, line in
            let node = lines[user]
            return GPIOLineUse(chip: chip, line: line, user: user, isSupplySwitch: false, file: node?.file ?? file,
                               configLine: node?.line, key: node?.path ?? "signal")
        }
    }

    static func lineNumber(_ node: ConfigValue) throws -> Int {
        let value = try node.int()
        guard (0...1023).contains(value) else { throw node.error("GPIO line offset must be 0–1023") }
        return value
    }

    static func outputLine(_ node: ConfigValue) throws -> OutputLine {
        let m = try node.mapping(allowed: ["chip", "line", "active"])
        return OutputLine(chip: try m["chip"]?.string() ?? "gpiochip0", line: try lineNumber(m.required("line")),
                          activeLow: try m["active"].map { try $0.choice([("low", true), ("high", false)]) } ?? false)
    }

    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        return nsError.localizedDescription
    }
}

extension ConfigurationLoader {
    /// Loads a regional profile on its own (for the calculator): the standard parameters
    /// overridden by the file, checked like a site's.
    public static func loadRegionProfile(path: String) throws -> (name: String, parameters: SafetyParameters) {
        let root = try ConfigValue.parse(yaml: read(path, what: "the regional profile"), file: path).mapping(allowed: regionKeys)
        let name = try root["name"]?.string() ?? (path as NSString).lastPathComponent
        var layers = SafetyParameterLayers()
        try layers.apply(root: root) { .region(name: name, file: path, line: $0) }
        return (name, try layers.parameters())
    }
}
