import Testing
@testable import VenueGuardCore

/// The engine end to end: inputs in, status and signals out, time passed in.
struct VenueEngineTests {
    static let start = WallClockTime(year: 2024, month: 8, day: 1, hour: 13, utcOffsetSeconds: 9 * 3600)

    static func model(parameters: SafetyParameters = .standard, withDetector: Bool = false) -> VenueModel {
        var sensors = [
            SensorDescriptor(id: "hall-sht31", kind: "sht3x", quantities: [.airTemperature, .relativeHumidity], samplingPeriod: .seconds(10)),
            SensorDescriptor(id: "hall-globe", kind: "ds18b20", quantities: [.globeTemperature], samplingPeriod: .seconds(10), globeDiameter: 0.15),
            SensorDescriptor(id: "yard-bme280", kind: "bme280", quantities: [.airTemperature, .relativeHumidity, .pressure], samplingPeriod: .seconds(10)),
            SensorDescriptor(id: "kids-microbit", kind: "serial", quantities: [.airTemperature], samplingPeriod: .seconds(1), trust: .advisory),
        ]
        if withDetector {
            sensors.append(SensorDescriptor(id: "as3935", kind: "as3935", quantities: [], samplingPeriod: .seconds(60), detectsLightning: true))
        }
        return VenueModel(
            site: SiteDescriptor(id: "test", name: "Test", location: GeoLocation(latitude: 35.68, longitude: 139.77)),
            areas: [AreaDescriptor(id: "hall", name: "Hall", exposure: .indoor, sensors: ["hall-sht31", "hall-globe", "kids-microbit"]),
                    AreaDescriptor(id: "yard", name: "Yard", exposure: .outdoor, sensors: ["yard-bme280"])],
            sensors: sensors, parameters: parameters)
    }

    static func at(_ seconds: Double) -> Timestamp {
        Timestamp(monotonic: MonotonicInstant(seconds: seconds), wall: start.adding(seconds: seconds))
    }

    static func feed(_ engine: inout VenueEngine, _ seconds: Double, _ sensor: SensorID, _ values: [Quantity: Double]) {
        engine.apply(.sensor(SensorReport(sensor: sensor, at: MonotonicInstant(seconds: seconds), sample: .values(values))))
    }

    static func feedAll(_ engine: inout VenueEngine, _ seconds: Double, hall ta: Double = 22, tg: Double = 22, yard: Double = 22) {
        feed(&engine, seconds, "hall-sht31", [.airTemperature: ta, .relativeHumidity: 50])
        feed(&engine, seconds, "hall-globe", [.globeTemperature: tg])
        feed(&engine, seconds, "yard-bme280", [.airTemperature: yard, .relativeHumidity: 50, .pressure: 1010])
    }

    @Test("Before any reading every area is unknown, never safe")
    func startsUnknown() {
        var engine = VenueEngine(model: Self.model())
        let status = engine.evaluate(at: Self.at(0))
        #expect(status.areas.map(\.status) == [.unknown, .unknown])
        #expect(status.overall == .unknown)
        #expect(status.signal.lamps[.green] == .off)
        #expect(status.reasons.contains { $0.contains("hall-sht31") && $0.contains("no reading yet") })
    }

    @Test("A sensor still giving its first reading is awaited, not replaced by an assumption; after its max_age it is not")
    func awaitsFirstReading() {
        var model = Self.model()
        model.sensors.append(SensorDescriptor(id: "yard-wind", kind: "anemometer", quantities: [.windSpeed, .windGust], samplingPeriod: .seconds(10)))
        model.areas[1].sensors.append("yard-wind")
        var engine = VenueEngine(model: model)
        Self.feedAll(&engine, 0, yard: 30)
        engine.apply(.sensor(SensorReport(sensor: "yard-wind", at: .origin, sample: .alive)))  // counting, no mean yet
        let first = engine.evaluate(at: Self.at(0))
        #expect(first.area("yard")?.status == .unknown)
        #expect(first.area("yard")?.estimateError == .startingUp(awaiting: ["yard-wind"]))
        #expect(first.area("hall")?.status != .unknown)  // only the area that uses it waits
        Self.feed(&engine, 10, "yard-wind", [.windSpeed: 2, .windGust: 3])
        Self.feedAll(&engine, 10, yard: 30)
        #expect(engine.evaluate(at: Self.at(10)).area("yard")?.estimate?.inputs[.windSpeed]?.source == .sensor("yard-wind", .measured))
        // A wind sensor that never answers: after its max_age (30 s) the area falls back to an assumed light wind.
        var silent = VenueEngine(model: model)
        for t in stride(from: 0.0, through: 40, by: 10) {
            Self.feedAll(&silent, t, yard: 30)
            let status = silent.evaluate(at: Self.at(t))
            #expect((status.area("yard")?.status == .unknown) == (t < 30), "t=\(t)")
        }
    }

    @Test("Methods per area: globe indoors, Liljegren with assumed clear sky outdoors")
    func methods() {
        var engine = VenueEngine(model: Self.model())
        Self.feedAll(&engine, 0)
        let status = engine.evaluate(at: Self.at(0))
        #expect(status.area("hall")?.estimate?.method == .globe)
        #expect(status.area("yard")?.estimate?.method == .liljegren)
        #expect(status.area("yard")?.estimate?.inputs[.solarRadiation]?.source == .assumed("clear sky"))
        #expect(status.area("yard")?.estimate?.inputs[.pressure]?.source == .sensor("yard-bme280", .measured))
    }

    @Test("A stale sensor makes its area unknown with the sensor named; it recovers by itself")
    func staleFailSafe() {
        var engine = VenueEngine(model: Self.model())
        Self.feedAll(&engine, 0)
        #expect(engine.evaluate(at: Self.at(0)).area("hall")?.status == .safe)
        // The SHT31 stops answering; the globe and yard go on.
        for t in stride(from: 10.0, through: 60, by: 10) {
            Self.feed(&engine, t, "hall-globe", [.globeTemperature: 22])
            Self.feed(&engine, t, "yard-bme280", [.airTemperature: 22, .relativeHumidity: 50, .pressure: 1010])
        }
        let hall = engine.evaluate(at: Self.at(60)).area("hall")!
        #expect(hall.status == .unknown)
        #expect(hall.reasons.contains { $0.contains("hall-sht31") && $0.contains("stale") })
        // The advisory micro:bit still reports Ta, but it must not stand in for the fixed sensor.
        Self.feed(&engine, 60, "kids-microbit", [.airTemperature: 22])
        #expect(engine.evaluate(at: Self.at(60)).area("hall")?.status == .unknown)
        Self.feedAll(&engine, 70)
        #expect(engine.evaluate(at: Self.at(70)).area("hall")?.status == .safe)
        let events = engine.drainEvents().map(\.type)
        #expect(events.contains("sensor-stale") && events.contains("sensor-recovered"))
    }

    @Test("A faulted sensor makes its area unknown at once and the signal shows the unknown pattern")
    func faultFailSafe() {
        var engine = VenueEngine(model: Self.model())
        Self.feedAll(&engine, 0)
        _ = engine.evaluate(at: Self.at(0))
        engine.apply(.sensor(SensorReport(sensor: "hall-sht31", at: MonotonicInstant(seconds: 10), sample: .fault(.crcMismatch))))
        let status = engine.evaluate(at: Self.at(10))
        #expect(status.area("hall")?.status == .unknown)
        #expect(status.overall == .unknown)
        #expect(status.signal.lamps[.yellow] == .blinkFast)
        #expect(status.signal.buzzer == .doubleChirp)
        #expect(status.reasons.contains("hall: sensor hall-sht31 faulted: CRC mismatch"))
    }

    @Test("A hot afternoon: levels rise at once and fall only after the dwell")
    func hysteresisThroughEngine() {
        var engine = VenueEngine(model: Self.model())
        Self.feedAll(&engine, 0, hall: 33, tg: 34, yard: 20)
        let hot = engine.evaluate(at: Self.at(0))
        let hotLevel = hot.area("hall")!.heatLevel
        #expect(hotLevel.rank! >= HeatLevel.warning.rank)
        // Cool down sharply; the level holds for 10 minutes.
        // The daemon evaluates after every sample; so does this test.
        for t in stride(from: 10.0, through: 600, by: 10) {
            Self.feedAll(&engine, t, hall: 20, tg: 20, yard: 20)
            _ = engine.evaluate(at: Self.at(t))
        }
        let held = engine.evaluate(at: Self.at(600)).area("hall")!
        #expect(held.heatLevel == hotLevel)
        #expect(held.details.contains { $0.hasPrefix("holding") })
        // A 13 °C drop of the air is out of the sensor's reach (0.5 °C/s) until t = 26, so the
        // reading at t = 30 is the first accepted (the globe follows later, by its own time
        // constant; meanwhile the indoor chart judges): the dwell runs from t = 30 to t = 630.
        Self.feedAll(&engine, 620, hall: 20, tg: 20, yard: 20)
        #expect(engine.evaluate(at: Self.at(620)).area("hall")?.heatLevel == hotLevel)
        Self.feedAll(&engine, 630, hall: 20, tg: 20, yard: 20)
        #expect(engine.evaluate(at: Self.at(630)).area("hall")?.heatLevel == .safe)
    }

    @Test("Heat alerts: special alert stops everywhere; alert stops outdoors, severe indoors", arguments: [
        (HeatAlert.alert, SafetyStatus.severe, SafetyStatus.stop),
        (.specialAlert, .stop, .stop),
        (.none, .safe, .safe),
    ])
    func heatAlerts(_ row: (HeatAlert, SafetyStatus, SafetyStatus)) {
        var engine = VenueEngine(model: Self.model())
        Self.feedAll(&engine, 0, hall: 22, tg: 22, yard: 15)
        engine.apply(.heatAlert(row.0, until: nil))
        let status = engine.evaluate(at: Self.at(0))
        #expect(status.area("hall")?.status == row.1)
        #expect(status.area("yard")?.status == row.2)
    }

    @Test("An alert with an expiry ends at its wall-clock time, but not while the clock is unsynchronised")
    func alertExpiry() {
        var engine = VenueEngine(model: Self.model())
        Self.feedAll(&engine, 0, hall: 22, tg: 22, yard: 15)
        engine.apply(.heatAlert(.specialAlert, until: Self.start.adding(seconds: 5)))
        #expect(engine.evaluate(at: Self.at(0)).area("hall")?.status == .stop)
        var unsynced = Self.at(10)
        unsynced.wallClockSynchronized = false
        Self.feedAll(&engine, 10, hall: 22, tg: 22, yard: 15)
        #expect(engine.evaluate(at: unsynced).heatAlert == .specialAlert)
        #expect(engine.evaluate(at: Self.at(10)).heatAlert == HeatAlert.none)
    }

    @Test("Manual and official alerts are kept apart: the higher applies, neither lowers nor shortens the other", arguments: [
        // (manual, official, then official changed to, expected after)
        (HeatAlert.specialAlert, HeatAlert.alert, HeatAlert.none, HeatAlert.specialAlert),
        (HeatAlert.none, HeatAlert.alert, HeatAlert.specialAlert, HeatAlert.specialAlert),
        (HeatAlert.alert, HeatAlert.specialAlert, HeatAlert.none, HeatAlert.alert),
    ])
    func alertOrigins(_ row: (HeatAlert, HeatAlert, HeatAlert, HeatAlert)) {
        var engine = VenueEngine(model: Self.model())
        Self.feedAll(&engine, 0, hall: 22, tg: 22, yard: 15)
        engine.apply(.heatAlert(row.0, until: Self.start.adding(seconds: 3600)))
        engine.apply(.heatAlert(row.1, until: Self.start.adding(seconds: 60), origin: .official))
        #expect(engine.evaluate(at: Self.at(0)).heatAlert == max(row.0, row.1))
        engine.apply(.heatAlert(row.2, until: Self.start.adding(seconds: 60), origin: .official))
        #expect(engine.evaluate(at: Self.at(1)).heatAlert == row.3)
        // The official one ends at its expiry; the manual one holds to its own.
        Self.feedAll(&engine, 100, hall: 22, tg: 22, yard: 15)
        #expect(engine.evaluate(at: Self.at(100)).heatAlert == row.0)
    }

    @Test("An official advisory lifted (解除) leaves a manual one in force, and the reverse")
    func advisoryOrigins() {
        var engine = VenueEngine(model: Self.model())
        Self.feedAll(&engine, 0, hall: 22, tg: 22, yard: 15)
        engine.apply(.thunderAdvisory(true, until: nil))
        engine.apply(.thunderAdvisory(true, until: Self.start.adding(seconds: 600), origin: .official))
        engine.apply(.thunderAdvisory(false, until: nil, origin: .official))
        #expect(engine.evaluate(at: Self.at(0)).thunderAdvisory)
        engine.apply(.thunderAdvisory(true, until: nil, origin: .official))
        engine.apply(.thunderAdvisory(false, until: nil))
        #expect(engine.evaluate(at: Self.at(1)).thunderAdvisory)
        engine.apply(.thunderAdvisory(false, until: nil, origin: .official))
        #expect(!engine.evaluate(at: Self.at(2)).thunderAdvisory)
    }

    @Test("Lightning: danger stops outdoor areas; indoors calls for precautions; advisory stops outdoors")
    func lightning() {
        var engine = VenueEngine(model: Self.model())
        Self.feedAll(&engine, 0, hall: 22, tg: 22, yard: 15)
        engine.apply(.strike(LightningStrike(distance: .kilometres(7), at: MonotonicInstant(seconds: 0))))
        let danger = engine.evaluate(at: Self.at(0))
        #expect(danger.lightning == .danger)
        #expect(danger.area("yard")?.status == .stop)
        #expect(danger.area("hall")?.status == .safe)
        #expect(danger.area("hall")?.reasons.contains { $0.contains("stay indoors") } == true)
        #expect(danger.signal.lamps[.blue] == .blinkFast)
        #expect(danger.signal.buzzer == .lightningAlarm)

        var advisory = VenueEngine(model: Self.model())
        Self.feedAll(&advisory, 0, hall: 22, tg: 22, yard: 15)
        advisory.apply(.thunderAdvisory(true, until: nil))
        let status = advisory.evaluate(at: Self.at(0))
        #expect(status.lightning == .watch)
        #expect(status.area("yard")?.status == .stop)
        #expect(status.area("hall")?.status == .safe)
    }

    @Test("A wall-clock jump (NTP sync) neither ends a lightning hold early nor freezes it")
    func clockJump() {
        var engine = VenueEngine(model: Self.model())
        engine.apply(.strike(LightningStrike(distance: .kilometres(5), at: MonotonicInstant(seconds: 0))))
        var jumped = Self.at(600)
        jumped.wall = jumped.wall.adding(seconds: 86400 * 365)  // the date jumps a year forward
        #expect(engine.evaluate(at: jumped).lightning == .danger)
        var back = Self.at(1799)
        back.wall = WallClockTime(secondsSince1970: 0)  // or back to 1970
        #expect(engine.evaluate(at: back).lightning == .danger)
        #expect(engine.evaluate(at: Self.at(1800)).lightning == .clear)
    }

    @Test("A faulted lightning detector makes lightning unknown, but never hides a recent strike")
    func detectorHealth() {
        var engine = VenueEngine(model: Self.model(withDetector: true))
        engine.apply(.sensor(SensorReport(sensor: "as3935", at: .origin, sample: .alive)))
        #expect(engine.evaluate(at: Self.at(0)).lightning == .clear)
        engine.apply(.strike(LightningStrike(distance: .kilometres(5), at: MonotonicInstant(seconds: 10))))
        engine.apply(.sensor(SensorReport(sensor: "as3935", at: MonotonicInstant(seconds: 20), sample: .fault(.noResponse))))
        #expect(engine.evaluate(at: Self.at(20)).lightning == .danger)
        let later = engine.evaluate(at: Self.at(1900))
        #expect(later.lightning == .unknown)
        #expect(later.signal.lamps[.blue] == .flash)
        #expect(later.reasons.contains { $0.contains("as3935") })
    }

    @Test("Acknowledging silences the alarm and is reported")
    func acknowledge() {
        var engine = VenueEngine(model: Self.model())
        Self.feedAll(&engine, 0, hall: 36, tg: 40, yard: 36)
        #expect(engine.evaluate(at: Self.at(0)).signal.buzzer == .heatAlarm)
        engine.apply(.acknowledge(source: "button"))
        Self.feedAll(&engine, 10, hall: 36, tg: 40, yard: 36)
        #expect(engine.evaluate(at: Self.at(10)).signal.buzzer == .off)
        #expect(engine.drainEvents().contains { $0.kind == .acknowledged(source: "button", silenced: true) })
    }

    @Test("Regional thresholds apply")
    func regionalThresholds() {
        var parameters = SafetyParameters.standard
        parameters.wbgtThresholds = HeatThresholds(caution: 18, warning: 21, severe: 24, stop: 27)
        var engine = VenueEngine(model: Self.model(parameters: parameters))
        Self.feedAll(&engine, 0, hall: 27, tg: 27, yard: 15)
        let status = engine.evaluate(at: Self.at(0))
        let wbgt = status.area("hall")!.estimate!.wbgt!
        #expect(status.area("hall")?.heatLevel == SafetyStatus(parameters.wbgtThresholds.level(of: wbgt)))
        #expect(status.area("hall")?.heatLevel != SafetyStatus(HeatThresholds.standardWBGT.level(of: wbgt)))
    }
}
