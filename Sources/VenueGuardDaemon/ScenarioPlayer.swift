import VenueGuardCore
import VenueGuardSimulation

/// Plays a scenario's events into a real-time runtime on simulated hardware (`run` at speed 1,
/// `make bench`): each event at its time, a strike or interference through the simulated
/// detector and its driver, alerts and acknowledgements as inputs. Sensor values and faults
/// need no playing: the simulated chips read them from the scenario themselves.
public struct ScenarioPlayer: Sendable {
    /// The scenario.
    public let scenario: Scenario
    /// The simulated hardware the runtime samples.
    public let hardware: SimulatedHardware

    /// Creates a player.
    public init(scenario: Scenario, hardware: SimulatedHardware) {
        self.scenario = scenario
        self.hardware = hardware
    }

    /// Plays the events at their times (the runtime's monotonic clock started with the
    /// scenario); when `exitAtEnd`, asks `stop` to end the run at the scenario's end.
    public func play(into runtime: VenueRuntime, stop: StopRequest, exitAtEnd: Bool) async {
        let clock = ContinuousClock()
        let started = clock.now
        for event in scenario.events {
            try? await Task.sleep(until: started + event.at, clock: clock)
            if Task.isCancelled || stop.requested != nil { return }
            let at = MonotonicInstant(nanoseconds: event.at.nanoseconds)
            switch event.kind {
            case .strike, .disturbers, .noise:
                await runtime.submit(await hardware.hear(event.kind, at: at))
            case let .heatAlert(alert, until):
                await runtime.submit([.heatAlert(alert, until: until.map { scenario.start.adding(seconds: $0.seconds) })])
            case let .thunderAdvisory(active, until):
                await runtime.submit([.thunderAdvisory(active, until: until.map { scenario.start.adding(seconds: $0.seconds) })])
            case .acknowledge:
                await runtime.submit([.acknowledge(source: "scenario")])
            case .fault, .recover:
                break
            }
        }
        guard exitAtEnd else { return }
        try? await Task.sleep(until: started + scenario.duration, clock: clock)
        stop.request("scenario ended")
    }
}
