// venueguard-bench: the in-process part of `make bench`. It measures what a process-level
// harness cannot see from outside: the latency from a lightning IRQ edge to the buzzer
// line changing, through the real runtime (AS3935 driver on its twin, the engine, the
// output thread), as it runs on a board. Prints one JSON object.
import Foundation
import Logging
import Synchronization
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardDrivers
import VenueGuardSimulation

/// An output line remembering when it was first driven active.
final class StampedLine: GPIOOutputLine, @unchecked Sendable {
    private let firstActive = Mutex<ContinuousClock.Instant?>(nil)
    func set(_ active: Bool) throws {
        if active { firstActive.withLock { if $0 == nil { $0 = .now } } }
    }
    var activatedAt: ContinuousClock.Instant? { firstActive.withLock { $0 } }
}

let site = """
    site: { id: bench, latitude: 35.68, longitude: 139.77 }
    areas: [{ id: yard, exposure: outdoor, sensors: [yard-climate] }]
    sensors:
      - { id: yard-climate, kind: sht3x, bus: 1, address: 0x44, period: 1s }
      - { id: lightning, kind: as3935, bus: 1, address: 0x03, irq: 4, environment: outdoor }
    """
let scenarioText = """
    start: 2024-08-01T13:00:00+09:00
    duration: 24h
    samples:
      yard-climate: { air_temperature: { 0m: 24 }, humidity: { 0m: 50 } }
    """

let arguments = CommandLine.arguments.dropFirst()
let iterations = arguments.first.flatMap(Int.init) ?? 200
let configuration = try ConfigurationLoader.parse(yaml: site, file: "bench.yaml")
let scenario = try ScenarioLoader.parse(yaml: scenarioText, file: "bench-scenario.yaml", configuration: configuration)
let quiet = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
var latencies: [Double] = []

for _ in 0..<iterations {
    let hardware = SimulatedHardware(configuration: configuration, scenario: scenario)
    guard let detector = hardware.sources.first(where: { $0.id == "lightning" }) as? any InterruptSource,
          let chip = hardware.lightning?.chip else { fatalError("no lightning detector") }
    let buzzer = StampedLine()
    let signal = SignalLines(lamps: [.green: StampedLine(), .yellow: StampedLine(), .red: StampedLine(), .blue: StampedLine()], buzzer: buzzer)
    let runtime = VenueRuntime(model: configuration.model, wiring: .init(sources: hardware.sources, signal: signal), logger: quiet)
    let stop = StopRequest()
    let task = Task { await runtime.run(stop: stop) }
    while !(runtime.progress.firstCycleDone && runtime.evaluationCount > 1) { try await Task.sleep(for: .milliseconds(5)) }
    try await Task.sleep(for: .milliseconds(30))  // between frames, as an edge usually is
    chip.injectStrike(.kilometres(5), energy: 100_000)
    let edge = ContinuousClock.now
    // As the libgpiod event handler does: from a dispatch queue, into the runtime.
    DispatchQueue.global().async { runtime.interrupt(detector, at: runtime.now) }
    while buzzer.activatedAt == nil && ContinuousClock.now - edge < .seconds(2) { usleep(100) }
    if let on = buzzer.activatedAt { latencies.append((on - edge).seconds * 1000) }
    stop.request("bench")
    await task.value
}

latencies.sort()
let sorted = latencies
func percentile(_ p: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
}
let result: [String: Any] = [
    "irq_to_buzzer_ms": ["median": percentile(0.5), "p99": percentile(0.99), "max": latencies.last ?? .nan, "samples": latencies.count,
                         "missed": iterations - latencies.count],
]
print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
