import Testing
import VenueGuardCore
@testable import VenueGuardSimulation

struct SimulatedSensorTests {
    static let descriptor = SensorDescriptor(id: "s", kind: "sht3x", quantities: [.airTemperature, .relativeHumidity], samplingPeriod: .seconds(10))

    static func scenario(events: [ScenarioEvent] = []) -> Scenario {
        Scenario(name: "t", start: WallClockTime(secondsSince1970: 0), duration: .seconds(3600),
                 samples: ["s": [.airTemperature: SampleSeries(points: [(.zero, 20), (.seconds(1000), 30)]),
                                 .relativeHumidity: SampleSeries(points: [(.zero, 50)])]],
                 events: events)
    }

    @Test("Series interpolate linearly and hold their ends", arguments: [
        (-10.0, 20.0), (0.0, 20.0), (500.0, 25.0), (1000.0, 30.0), (5000.0, 30.0),
    ])
    func interpolation(_ row: (Double, Double)) {
        let series = SampleSeries(points: [(.zero, 20), (.seconds(1000), 30)])
        #expect(series.value(at: .seconds(fractional: row.0)) == row.1)
    }

    @Test("Readings follow the scenario within the noise, quantised to 0.01, and are repeatable")
    func readings() {
        let sensor = SimulatedSensor(descriptor: Self.descriptor, scenario: Self.scenario())
        var previous: [Quantity: Double]?
        for second in stride(from: 0.0, through: 1000, by: 10) {
            guard case let .values(values, _, fingerprint, _) = sensor.read(at: MonotonicInstant(seconds: second)) else {
                Issue.record("no values"); return
            }
            let expected = 20 + second / 100
            #expect(abs(values[.airTemperature]! - expected) <= 0.03 + 1e-9)
            #expect(abs((values[.airTemperature]! * 100).rounded() - values[.airTemperature]! * 100) < 1e-6)
            #expect(fingerprint != nil)
            if let previous { #expect(previous != values) }
            previous = values
            // Same instant, same bytes.
            #expect(sensor.read(at: MonotonicInstant(seconds: second)) == .values(values, fingerprint: fingerprint))
        }
    }

    @Test("Faults: each kind as a driver would report it, ending on time", arguments: [
        (ScenarioFault.Kind.noResponse, FaultReason.noResponse), (.timeout, .timeout), (.crc, .crcMismatch), (.unplugged, .unplugged),
    ])
    func faults(_ row: (ScenarioFault.Kind, FaultReason)) {
        let scenario = Self.scenario(events: [ScenarioEvent(at: .seconds(100), .fault(ScenarioFault(sensor: "s", kind: row.0, until: .seconds(200))))])
        let sensor = SimulatedSensor(descriptor: Self.descriptor, scenario: scenario)
        #expect(sensor.read(at: MonotonicInstant(seconds: 150)) == .fault(row.1))
        guard case .values = sensor.read(at: MonotonicInstant(seconds: 200)) else { Issue.record("fault did not end"); return }
    }

    @Test("Stuck returns the same raw data; implausible returns impossible values")
    func stuckAndImplausible() {
        let scenario = Self.scenario(events: [
            ScenarioEvent(at: .seconds(100), .fault(ScenarioFault(sensor: "s", kind: .stuck, until: .seconds(300)))),
            ScenarioEvent(at: .seconds(400), .fault(ScenarioFault(sensor: "s", kind: .implausible))),
        ])
        let sensor = SimulatedSensor(descriptor: Self.descriptor, scenario: scenario)
        #expect(sensor.read(at: MonotonicInstant(seconds: 110)) == sensor.read(at: MonotonicInstant(seconds: 290)))
        guard case let .values(values, _, _, _) = sensor.read(at: MonotonicInstant(seconds: 500)) else { Issue.record("no values"); return }
        #expect(values[.airTemperature] == 130)
        var tracker = SensorHealthTracker(descriptor: Self.descriptor)
        #expect(tracker.ingest(sensor.read(at: MonotonicInstant(seconds: 500)), at: MonotonicInstant(seconds: 500)) != .accepted(recovered: false))
    }

    @Test("A lightning detector with no quantities reports alive; a sensor with no samples does not answer")
    func detectorAndMissing() {
        let detector = SensorDescriptor(id: "as3935", kind: "as3935", quantities: [], samplingPeriod: .seconds(60), detectsLightning: true)
        #expect(SimulatedSensor(descriptor: detector, scenario: Self.scenario()).read(at: .origin) == .alive)
        let other = SensorDescriptor(id: "other", kind: "sht3x", quantities: [.airTemperature], samplingPeriod: .seconds(10))
        #expect(SimulatedSensor(descriptor: other, scenario: Self.scenario()).read(at: .origin) == .fault(.noResponse))
    }
}
