import Testing
@testable import VenueGuardCore

/// Faults real sensors show in the field (issue: "Trust nothing the hardware says"), each kind
/// as a table whose expected value is the right reading.
struct FieldFaultTests {
    static func at(_ s: Double) -> MonotonicInstant { MonotonicInstant(seconds: s) }

    static let globe150 = SensorDescriptor(id: "hall-globe", kind: "ds18b20", quantities: [.globeTemperature],
                                           samplingPeriod: .seconds(1), globeDiameter: 0.15)
    static let climate = SensorDescriptor(id: "hall-climate", kind: "sht3x", quantities: [.airTemperature, .relativeHumidity],
                                          samplingPeriod: .seconds(1))

    // MARK: - Physically impossible changes that repeat

    struct GlitchRun: Sendable, CustomTestStringConvertible {
        var name: String
        var descriptor: SensorDescriptor
        var quantity: Quantity
        var good: Double
        var glitches: [Double]
        var back: Double
        var testDescription: String { name }
    }

    @Test("A run of agreeing glitches stays a fault; the last good value stays the reading; a reachable value recovers", arguments: [
        GlitchRun(name: "150 mm globe 32 → 80.19, 80.56, 80.56, 80.13 (the field report)", descriptor: globe150, quantity: .globeTemperature,
                  good: 32.0, glitches: [80.19, 80.56, 80.56, 80.13], back: 32.1),
        GlitchRun(name: "150 mm globe +5 °C for ten readings", descriptor: globe150, quantity: .globeTemperature,
                  good: 30.0, glitches: Array(repeating: 35.0, count: 10), back: 30.2),
        GlitchRun(name: "air +12 °C for six readings", descriptor: climate, quantity: .airTemperature,
                  good: 26.0, glitches: [38.1, 38.0, 38.2, 38.1, 38.0, 38.1], back: 26.3),
        GlitchRun(name: "humidity 55 → 99 for five readings", descriptor: climate, quantity: .relativeHumidity,
                  good: 55.0, glitches: [99.0, 99.2, 99.1, 99.0, 99.3], back: 56.0),
        GlitchRun(name: "40 mm globe 31 → 60 for eight readings", descriptor: SensorDescriptor(
            id: "pingpong", kind: "ds18b20", quantities: [.globeTemperature], samplingPeriod: .seconds(1), globeDiameter: 0.04),
                  quantity: .globeTemperature, good: 31.0, glitches: Array(repeating: 60.0, count: 8), back: 31.5),
    ])
    func glitchRun(_ run: GlitchRun) {
        var tracker = SensorHealthTracker(descriptor: run.descriptor)
        func sample(_ value: Double) -> SensorSample {
            var values: [Quantity: Double] = [run.quantity: value]
            for quantity in run.descriptor.quantities where quantity != run.quantity {
                values[quantity] = quantity == .relativeHumidity ? 55 : 26
            }
            return .values(values)
        }
        #expect(tracker.ingest(sample(run.good), at: Self.at(0)) == .accepted(recovered: false))
        for (index, glitch) in run.glitches.enumerated() {
            let outcome = tracker.ingest(sample(glitch), at: Self.at(Double(index + 1)))
            guard case .faulted(.implausibleJump(run.quantity, _, _), _) = outcome else {
                Issue.record("glitch \(index + 1) (\(glitch)) gave \(outcome)")
                return
            }
            #expect(tracker.usableReading(run.quantity, at: Self.at(Double(index + 1))) == nil)
            #expect(tracker.latest[run.quantity]?.value == run.good)
        }
        let backAt = Double(run.glitches.count + 1)
        #expect(tracker.ingest(sample(run.back), at: Self.at(backAt)) == .accepted(recovered: true))
        #expect(tracker.usableReading(run.quantity, at: Self.at(backAt))?.value == run.back)
    }

    @Test("A change the sensor can make in the time since its last good reading is accepted", arguments: [
        // (quantity, from, to, seconds later)
        (Quantity.airTemperature, 22.0, 30.0, 20.0),    // 0.5 °C/s × 20 s = 10 °C
        (.relativeHumidity, 40.0, 75.0, 15.0),          // 3 %/s × 15 s = 45 %
        (.airTemperature, 22.0, 26.5, 1.0),             // within the 10 s floor
    ])
    func reachable(_ row: (Quantity, Double, Double, Double)) {
        var tracker = SensorHealthTracker(descriptor: Self.climate)
        var values: [Quantity: Double] = [.airTemperature: 25, .relativeHumidity: 50]
        values[row.0] = row.1
        tracker.ingest(.values(values), at: Self.at(0))
        values[row.0] = row.2
        #expect(tracker.ingest(.values(values), at: Self.at(row.3)) == .accepted(recovered: false))
    }

    @Test("A globe's allowance follows its time constant: 150 mm slower than 40 mm")
    func globeRates() {
        let standard = Quantity.globeTemperature.maximumRatePerSecond(globeDiameter: 0.15)!
        let pingPong = Quantity.globeTemperature.maximumRatePerSecond(globeDiameter: 0.04)!
        #expect(standard < 0.1)
        #expect(pingPong > 3 * standard)
        // 48 °C in four seconds is out of reach of either.
        #expect(48 > pingPong * Quantity.jumpFloor.seconds)
    }

    // MARK: - Derived values are range-checked

    @Test("A WBGT outside its model's validity is never used: a forced method fails, automatic selection falls back and says why")
    func derivedRange() {
        var inputs = WBGTInputs(exposure: .indoor, airTemperature: SourcedValue(32, .sensor("hall-climate", .measured)),
                                relativeHumidity: SourcedValue(60, .sensor("hall-climate", .measured)),
                                globeTemperature: SourcedValue(80.13, .sensor("hall-globe", .measured)), globeDiameter: 0.15)
        guard case let .failure(.outsideValidity(.globe, why)) = WBGTEstimator.estimate(inputs, method: .globe) else {
            Issue.record("the globe method gave a WBGT from an 80 °C globe"); return
        }
        #expect(why.contains("hall-globe"))
        guard case let .success(estimate) = WBGTEstimator.estimate(inputs) else { Issue.record("no fallback"); return }
        #expect(estimate.method == .indoorChart)
        #expect(estimate.notes.contains { $0.contains("outside -20…45") })
        inputs.globeTemperature = SourcedValue(34, .sensor("hall-globe", .measured))
        #expect((try? WBGTEstimator.estimate(inputs).get())?.method == .globe)
    }

    // MARK: - Clamp boundaries

    @Test("Values on a chip's clamp: the cold side is never used, the hot side only as an upper bound", arguments: [
        // (humidity given, cropped to, usable)
        (0.0, 0.0, false), (-3.5, 0.0, false), (100.0, 100.0, true), (103.5, 100.0, true), (119.0, 100.0, true),
    ])
    func clamp(_ row: (Double, Double, Bool)) {
        var tracker = SensorHealthTracker(descriptor: Self.climate)
        #expect(tracker.ingest(.values([.airTemperature: 33, .relativeHumidity: row.0]), at: Self.at(0)) == .accepted(recovered: false))
        #expect(tracker.latest[.relativeHumidity]?.value == row.1)
        #expect((tracker.usableReading(.relativeHumidity, at: Self.at(0)) != nil) == row.2)
        // The air temperature of the same chip stays good.
        #expect(tracker.usableReading(.airTemperature, at: Self.at(0))?.value == 33)
        #expect(tracker.suspect[.relativeHumidity]?.side == (row.1 == 0 ? .floor : .ceiling))
        #expect(tracker.faultCounts["at-limit"] == 1)
    }

    @Test("A value a driver reports as on its clamp is a bound even away from the quantity's ends; a real value clears it")
    func driverClamp() {
        var tracker = SensorHealthTracker(descriptor: Self.climate)
        for t in 0..<4 {
            tracker.ingest(.values([.airTemperature: 30, .relativeHumidity: 100], details: SampleDetails(atLimit: [.relativeHumidity: .ceiling])),
                           at: Self.at(Double(t)))
        }
        #expect(tracker.suspect[.relativeHumidity]?.readings == 4)
        #expect(tracker.suspect[.relativeHumidity]?.description.contains("upper bound") == true)
        tracker.ingest(.values([.airTemperature: 30, .relativeHumidity: 97]), at: Self.at(5))
        #expect(tracker.suspect.isEmpty)
        #expect(tracker.usableReading(.relativeHumidity, at: Self.at(5))?.value == 97)
    }

    @Test("A BME280 whose humidity element is gone (0 %, 33 °C) does not make a severe hall look like caution")
    func lostHumidityElement() {
        let model = VenueModel(site: SiteDescriptor(id: "t", name: "T"),
                               areas: [AreaDescriptor(id: "hall", name: "Hall", exposure: .indoor, sensors: ["bme"])],
                               sensors: [SensorDescriptor(id: "bme", kind: "bme280", quantities: [.airTemperature, .relativeHumidity, .pressure],
                                                          samplingPeriod: .seconds(10))],
                               parameters: .standard)
        func level(humidity: Double) -> AreaStatus? {
            var engine = VenueEngine(model: model)
            engine.apply(.sensor(SensorReport(sensor: "bme", at: .origin, sample: .values([.airTemperature: 33, .relativeHumidity: humidity, .pressure: 1005]))))
            return engine.evaluate(at: Timestamp(monotonic: .origin, wall: WallClockTime(secondsSince1970: 1_722_484_800))).area("hall")
        }
        #expect(level(humidity: 60)?.heatLevel == .severe)       // WBGT 28.4 by the indoor chart
        let lost = level(humidity: 0)
        #expect(lost?.heatLevel == .severe)                       // dry-bulb 33 °C: severe, not caution
        #expect(lost?.estimate?.method == .temperatureOnly)
        #expect(lost?.reasons.contains { $0.contains("sits on the sensor's floor") } == true)
    }

    // MARK: - Stuck detection and resolution

    @Test("Identical data: stuck for a fine sensor, normal for a coarse one", arguments: [
        // (values, stated resolution, stuck?)
        ([Quantity.airTemperature: 24.53, .relativeHumidity: 51.27], [Quantity: Double](), true),
        ([.airTemperature: 28.0, .relativeHumidity: 63.0], [:], false),                     // a whole-degree board
        ([.airTemperature: 27.5, .relativeHumidity: 61.0], [:], false),                     // DHT-style half degrees
        ([.airTemperature: 24.0, .relativeHumidity: 51.27], [:], true),                     // one quantity still fine
        ([.airTemperature: 24.5], [.airTemperature: 0.5], false),                            // 9-bit DS18B20
        ([.airTemperature: 24.5], [.airTemperature: 0.0625], true),                          // 12-bit DS18B20 stuck on .5
    ])
    func stuck(_ row: ([Quantity: Double], [Quantity: Double], Bool)) {
        let descriptor = SensorDescriptor(id: "s", kind: "serial", quantities: Array(row.0.keys), samplingPeriod: .seconds(10),
                                          stuckAfter: .seconds(900))
        var tracker = SensorHealthTracker(descriptor: descriptor)
        var last: SensorHealthTracker.Outcome?
        for t in stride(from: 0.0, through: 1800, by: 10) {
            last = tracker.ingest(.values(row.0, details: SampleDetails(resolution: row.1)), at: Self.at(t))
        }
        if row.2 {
            #expect(last == .faulted(.stuck(.seconds(900)), newFault: false))
        } else {
            #expect(last == .accepted(recovered: false))
        }
    }

    // MARK: - Start-up from incomplete inputs

    @Test("A board printing one quantity per line: the area waits for humidity instead of judging by dry bulb and holding it")
    func startsFromCompleteInputs() {
        let model = VenueModel(site: SiteDescriptor(id: "t", name: "T"),
                               areas: [AreaDescriptor(id: "room", name: "Room", exposure: .indoor, sensors: ["board"])],
                               sensors: [SensorDescriptor(id: "board", kind: "serial", quantities: [.airTemperature, .relativeHumidity],
                                                          samplingPeriod: .seconds(5))],
                               parameters: .standard)
        var engine = VenueEngine(model: model)
        let wall = WallClockTime(secondsSince1970: 1_722_484_800)
        engine.apply(.sensor(SensorReport(sensor: "board", at: .origin, sample: .values([.airTemperature: 28]))))
        let first = engine.evaluate(at: Timestamp(monotonic: .origin, wall: wall))
        #expect(first.area("room")?.status == .unknown)
        #expect(first.area("room")?.estimateError == .startingUp(awaiting: ["board"]))
        engine.apply(.sensor(SensorReport(sensor: "board", at: Self.at(1), sample: .values([.relativeHumidity: 63]))))
        let second = engine.evaluate(at: Timestamp(monotonic: Self.at(1), wall: wall.adding(seconds: 1)))
        #expect(second.area("room")?.estimate?.method == .indoorChart)
        #expect(second.area("room")?.heatLevel == .caution)   // WBGT 24.3, not dry-bulb warning
        #expect(second.area("room")?.hold == nil)
    }
}
