import ArgumentParser
import Foundation
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon

/// `venueguard wbgt …`: the mentors' calculator.
struct WBGTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wbgt",
        abstract: "Work out WBGT, the heat level and what to do from what you measured.",
        discussion: """
            Examples:
              venueguard wbgt --ta 31 --rh 65                      (indoors, air temperature and humidity: indoor chart)
              venueguard wbgt --ta 31 --rh 65 --tg 36 --globe-mm 150
              venueguard wbgt --outdoor --ta 33 --rh 60 --wind 1.2 --solar 800 --lat 35.68 --lon 139.77 --time 2024-08-01T12:00:00+09:00
            """)

    @Option(parsing: .unconditional, help: "Air temperature, °C.") var ta: Double?
    @Option(help: "Relative humidity, %.") var rh: Double?
    @Option(parsing: .unconditional, help: "Black-globe temperature, °C.") var tg: Double?
    @Option(help: "Globe diameter, mm (150 standard; 40 ping-pong ball).") var globeMm: Double = 150
    @Option(parsing: .unconditional, help: "Natural wet-bulb temperature, °C (a real wetted wick).") var tnw: Double?
    @Option(parsing: .unconditional, help: "WBGT read from an instrument, °C.") var measured: Double?
    @Option(help: "Wind speed at 2 m, m/s.") var wind: Double?
    @Option(help: "Global solar irradiance, W/m², or 'clear-sky' to assume a clear sky.") var solar: String?
    @Option(parsing: .unconditional, help: "Latitude, degrees north.") var lat: Double?
    @Option(parsing: .unconditional, help: "Longitude, degrees east.") var lon: Double?
    @Option(help: "Time with offset, e.g. 2024-08-01T12:00:00+09:00 (default: now).") var time: String?
    @Option(help: "Station pressure, hPa.") var pressure: Double?
    @Flag(help: "Indoors (default).") var indoor = false
    @Flag(help: "Outdoors, with sun.") var outdoor = false
    @Option(help: "Use this method instead of the best available: \(WBGTMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: String?
    @Option(help: "A regional profile (YAML) whose thresholds to use.") var region: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        if indoor && outdoor { fail("give --indoor or --outdoor, not both") }
        var chosen: WBGTMethod?
        if let method {
            guard let parsed = WBGTMethod(rawValue: method) else {
                fail("unknown method '\(method)'; use one of: \(WBGTMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            chosen = parsed
        }
        var inputs = WBGTInputs(exposure: outdoor ? .outdoor : .indoor, globeDiameter: globeMm / 1000)
        inputs.airTemperature = ta.map { SourcedValue($0, .given) }
        inputs.relativeHumidity = rh.map { SourcedValue($0, .given) }
        inputs.globeTemperature = tg.map { SourcedValue($0, .given) }
        inputs.naturalWetBulb = tnw.map { SourcedValue($0, .given) }
        inputs.wbgt = measured.map { SourcedValue($0, .given) }
        inputs.windSpeed = wind.map { SourcedValue($0, .given) }
        inputs.pressure = pressure.map { SourcedValue($0, .given) }
        if let solar {
            if solar == "clear-sky" {
                inputs.assumeClearSkyWhenNoSolar = true
            } else if let value = Double(solar) {
                inputs.solarRadiation = SourcedValue(value, .given)
            } else {
                fail("--solar takes W/m² or 'clear-sky', not '\(solar)'")
            }
        }
        switch (lat, lon) {
        case let (la?, lo?):
            guard (-90...90).contains(la), (-180...180).contains(lo) else { fail("--lat must be -90…90 and --lon -180…180") }
            inputs.location = GeoLocation(latitude: la, longitude: lo)
        case (nil, nil): break
        default: fail("give both --lat and --lon")
        }
        if let time {
            guard let (parsed, _) = ISO8601Time.parse(time) else {
                fail("--time '\(time)' is not an existing date and time in ISO 8601 with offset, such as 2024-08-01T12:00:00+09:00")
            }
            inputs.time = parsed
        } else {
            inputs.time = WallClockTime(secondsSince1970: Date().timeIntervalSince1970)
        }
        if !outdoor && (inputs.solarRadiation != nil || inputs.assumeClearSkyWhenNoSolar) {
            fail("--solar applies outdoors: add --outdoor")
        }
        // As in the daemon: a hygrometer reads exactly 0 % only when its sensing element is gone.
        if rh == 0 {
            fail("--rh 0: a hygrometer reads exactly 0 % only when it is broken, and VenueGuard never uses such a reading; measure again, or leave --rh out for the dry-bulb thresholds")
        }
        if ta == nil && tnw == nil && measured == nil {
            fail("give at least --ta (air temperature), or --measured, or --tnw with --tg")
        }

        var parameters = SafetyParameters.standard
        var source = "standard"
        if let region {
            do {
                let profile = try ConfigurationLoader.loadRegionProfile(path: region)
                parameters = profile.parameters
                source = "region \(profile.name)"
            } catch let error as ConfigError {
                fail(error.description)
            }
        }
        switch CalculatorReport.make(inputs: inputs, method: chosen, parameters: parameters, thresholdSource: source) {
        case let .success(report):
            output(json ? report.json : report.text)
        case let .failure(error):
            fail(error.description)
        }
    }
}
