import Logging
import Foundation
import Synchronization
import Testing
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardDrivers
import VenueGuardSimulation

/// An output line recording each write with the time it happened.
final class TimedLine: GPIOOutputLine, @unchecked Sendable {
    private let log = Mutex<[(Bool, ContinuousClock.Instant)]>([])
    func set(_ active: Bool) throws { log.withLock { $0.append((active, ContinuousClock.now)) } }
    var writes: [(Bool, ContinuousClock.Instant)] { log.withLock { $0 } }
}

/// The real-time runtime on simulated devices: sampling tasks, evaluation, the output thread.
/// Timing-sensitive: `make test` runs the *RealTime* suites after the rest, not in parallel.
struct RuntimeRealTimeTests {
    static let site = """
    site: { id: rt, latitude: 35.0, longitude: 135.0 }
    areas:
      - { id: hall, exposure: indoor, sensors: [hall-climate] }
    sensors:
      - { id: hall-climate, kind: sht3x, bus: 1, address: 0x44, period: 200ms, max_age: 3s }  # no staleness under load
    """

    @Test("Samples in real time, shows the level on the lamps at a steady cadence, acknowledges, and ends not monitoring")
    func runtime() async throws {
        let configuration = try ConfigurationLoader.parse(yaml: Self.site, file: "rt.yaml")
        let scenario = try ScenarioLoader.parse(yaml: """
            start: 2024-08-01T13:00:00+09:00
            duration: 1h
            samples:
              hall-climate:
                air_temperature: { 0m: 36 }
                humidity: { 0m: 70 }
            """, file: "rt-scenario.yaml", configuration: configuration)
        let hardware = SimulatedHardware(configuration: configuration, scenario: scenario)
        let green = TimedLine(), red = TimedLine(), buzzer = TimedLine()
        let signal = SignalLines(lamps: [.green: green, .red: red], buzzer: buzzer)
        let runtime = VenueRuntime(model: configuration.model, wiring: .init(sources: hardware.sources, signal: signal), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let stop = StopRequest()
        let started = ContinuousClock.now
        let task = Task { await runtime.run(stop: stop) }
        try await Task.sleep(for: .milliseconds(1200))
        let before = runtime.status
        #expect(before?.area("hall")?.status == .stop)
        #expect(before?.signal.buzzer == .heatAlarm)
        runtime.acknowledge(source: "button")
        let deadline = ContinuousClock.now + .seconds(3)
        while runtime.status?.signal.buzzer != .off && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(runtime.status?.signal.buzzer == .off)
        stop.request("test")
        let elapsed = (ContinuousClock.now - started).seconds
        await task.value
        // Shutdown is prompt (SIGTERM must finish within a few seconds).
        #expect((ContinuousClock.now - started).seconds - elapsed < 0.5)
        // The output thread draws at each pattern edge (red blinking at 1 Hz and the alarm's
        // beeps: a few a second), at once for each change of the signal (the first pattern, the
        // alarm, its acknowledgement), and at least once a second; never at a fixed 20 Hz.
        // Other suites load both cores meanwhile, so this checks liveness and the no-burst rule,
        // not precise timing (that is measured by `make bench`).
        let frames = Double(runtime.outputFrames)
        let changes = Double(runtime.signalChanges)
        #expect(changes >= 2 && changes <= 4)
        #expect(frames >= elapsed * 0.8 && frames <= elapsed * 6 + 2 + changes, "\(frames) frames (\(changes) signal changes) in \(elapsed) s")
        #expect(runtime.evaluationCount >= 6)
        // Red blinked (1 Hz) and everything ended off.
        #expect(red.writes.filter { $0.0 }.count >= 1)
        #expect(red.writes.last?.0 == false && green.writes.last?.0 == false && buzzer.writes.last?.0 == false)
    }

    @Test("Evaluations that race (ticks, interrupts, button presses) follow one another in order: a strike's alarm is never replaced by an older status")
    func evaluationsInOrder() async throws {
        let configuration = try ConfigurationLoader.parse(yaml: Self.site, file: "rt.yaml")
        let scenario = try ScenarioLoader.parse(yaml: """
            start: 2024-08-01T13:00:00+09:00
            duration: 1h
            samples:
              hall-climate: { air_temperature: { 0m: 24 }, humidity: { 0m: 50 } }
            """, file: "rt-scenario.yaml", configuration: configuration)
        let hardware = SimulatedHardware(configuration: configuration, scenario: scenario)
        let runtime = VenueRuntime(model: configuration.model, wiring: .init(sources: hardware.sources),
                                   logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let seen = Mutex<[VenueStatus]>([])
        runtime.onEvaluated = { status, _ in seen.withLock { $0.append(status) } }
        let stop = StopRequest()
        let task = Task { await runtime.run(stop: stop) }
        let started = ContinuousClock.now + .seconds(30)
        while runtime.evaluationCount < 2 && ContinuousClock.now < started { try await Task.sleep(for: .milliseconds(10)) }
        try #require(runtime.evaluationCount >= 2, "the runtime did not start evaluating within 30 s")
        // Many evaluations at once from many tasks, one of them a near strike.
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    if index == 150 {
                        await runtime.submit([.strike(LightningStrike(distance: .kilometres(3), energy: nil, at: runtime.now))])
                    } else if index % 3 == 0 {
                        runtime.acknowledge(source: "test")
                    } else {
                        await runtime.submit([])
                    }
                }
            }
        }
        // The strike's danger stands: no older status came after it.
        #expect(runtime.status?.lightning == .danger)
        stop.request("test")
        await task.value
        let statuses = seen.withLock { $0 }
        #expect(statuses.count >= 200)
        let times = statuses.map(\.at.monotonic)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "evaluations out of order")
        #expect(runtime.status?.at == statuses.last?.at)
        // Once danger, every later evaluation says danger (the 30-minute rule).
        let firstDanger = try #require(statuses.firstIndex { $0.lightning == .danger })
        #expect(statuses[firstDanger...].allSatisfy { $0.lightning == .danger })
    }

    /// A sensor whose read hangs (until cancelled), as a wedged bus would.
    struct HangingSource: SensorSource {
        let id: SensorID
        func sample(at now: MonotonicInstant) async -> SensorSample? {
            try? await Task.sleep(for: .seconds(60))
            return nil
        }
    }

    @Test("A read that hangs shows in the runtime's progress: the watchdog gate names the sensor while evaluations go on")
    func hangingRead() async throws {
        let configuration = try ConfigurationLoader.parse(yaml: Self.site, file: "rt.yaml")
        let runtime = VenueRuntime(model: configuration.model, wiring: .init(sources: [HangingSource(id: "hall-climate")]),
                                   logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let stop = StopRequest()
        let task = Task { await runtime.run(stop: stop) }
        var gate = WatchdogGate(readLimit: .milliseconds(300))
        try await Task.sleep(for: .milliseconds(200))
        #expect(gate.check(runtime.progress.snapshot(at: MonotonicInstant(seconds: 0.2))) == .alive)
        #expect(!runtime.progress.firstCycleDone)  // not ready: its one sensor has not answered
        try await Task.sleep(for: .milliseconds(300))
        let verdict = gate.check(runtime.progress.snapshot(at: MonotonicInstant(seconds: 0.5)))
        guard case let .stalled(reason) = verdict else { Issue.record("\(verdict)"); return }
        #expect(reason.hasPrefix("the read of sensor hall-climate has not returned for"), "\(reason)")
        stop.request("test")
        await task.value  // the hanging read is cancelled: shutdown does not wait for it
    }
}
