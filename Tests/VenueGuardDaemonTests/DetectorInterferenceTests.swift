import Testing
import VenueGuardConfiguration
import VenueGuardCore
@testable import VenueGuardDaemon
import VenueGuardSimulation

/// Scenario events that reach the AS3935 driver's interference handling and an AHT20 that never
/// finishes converting: paths no strike can reach, run through the real driver code on the twins.
struct DetectorInterferenceTests {
    static let site = """
    site: { id: lab }
    areas:
      - { id: hall, exposure: indoor, sensors: [hall-climate] }
    sensors:
      - { id: hall-climate, kind: aht20, period: 10s }
      - { id: lightning, kind: as3935, irq: 5, environment: indoor, noise_floor: 2 }
    """

    static let scenario = """
    start: 2024-08-01T13:00:00+09:00
    duration: 70m
    samples:
      hall-climate: { air_temperature: { 0m: 26 }, humidity: { 0m: 55 } }
    events:
      - { at: 1m, disturber: 12 }
      - { at: 2m, noise: 2 }
      - { at: 5m, fault: { sensor: hall-climate, kind: busy, until: 6m } }
      - { at: 8m, strike: { distance_km: 12 } }
    """

    @Test("Disturbers are masked after ten, noise raises the floor, a quiet half hour undoes both a step at a time")
    func interference() async throws {
        let configuration = try ConfigurationLoader.parse(yaml: Self.site, file: "lab.yaml")
        let scenario = try ScenarioLoader.parse(yaml: Self.scenario, file: "lab-scenario.yaml", configuration: configuration)
        let (pipeline, hardware) = SensorSourceFactory.simulatedPipeline(configuration, scenario: scenario)
        let chip = try #require(hardware.lightning?.chip)
        let driver = try #require(hardware.lightning?.source.detector)
        var statuses: [Double: VenueStatus] = [:]
        func advance(to minutes: Double) async {
            await pipeline.advance(to: .origin + .seconds(minutes * 60)) { status, _ in statuses[status.at.monotonic.seconds] = status }
        }
        await advance(to: 1)
        #expect(chip.disturbersMasked)
        #expect(driver.counts["disturber"] == 10)   // the chip stays silent once masked
        await advance(to: 2)
        #expect(chip.noiseFloor == 4)
        #expect(driver.counts["noise"] == 2)
        // The detector is still healthy and hears a strike through the raised floor.
        await advance(to: 8)
        #expect(pipeline.latest?.lightning == .watch)
        #expect(driver.counts["lightning"] == 1)
        await advance(to: 31)
        #expect(chip.noiseFloor == 4 && chip.disturbersMasked)
        await advance(to: 34)
        #expect(chip.noiseFloor == 3 && !chip.disturbersMasked)
        await advance(to: 64)
        #expect(chip.noiseFloor == 2)
        await advance(to: 70)
        #expect(chip.noiseFloor == 2)   // never below the configured floor
    }

    @Test("An AHT20 whose busy bit never clears is a timeout fault, the area unknown, and recovers when it clears")
    func busyAHT20() async throws {
        let configuration = try ConfigurationLoader.parse(yaml: Self.site, file: "lab.yaml")
        let scenario = try ScenarioLoader.parse(yaml: Self.scenario, file: "lab-scenario.yaml", configuration: configuration)
        let (pipeline, _) = SensorSourceFactory.simulatedPipeline(configuration, scenario: scenario)
        await pipeline.advance(to: .origin + .seconds(5 * 60 + 30)) { _, _ in }
        let busy = try #require(pipeline.latest)
        #expect(busy.sensors.first { $0.descriptor.id == "hall-climate" }?.health == .faulted(.timeout))
        #expect(busy.area("hall")?.status == .unknown)
        await pipeline.advance(to: .origin + .seconds(7 * 60)) { _, _ in }
        let recovered = try #require(pipeline.latest)
        #expect(recovered.sensors.first { $0.descriptor.id == "hall-climate" }?.health == .ok)
        #expect(recovered.area("hall")?.status != .unknown)
    }
}
