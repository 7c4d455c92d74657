import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardSimulation

/// Runs a scenario through the whole pipeline in virtual time, as fast as it can, and
/// reports a status line at every change of status or outputs (`venueguard simulate`).
public enum SimulationRunner {
    /// Runs `scenario` on `configuration`'s venue with simulated sensors and calls `emit`
    /// with one JSON line at every change. Deterministic: same input, same lines.
    public static func run(configuration: SiteConfiguration, scenario: Scenario, evaluationStep: Duration = .seconds(1),
                           emit: (String) -> Void) async {
        let (pipeline, _) = SensorSourceFactory.simulatedPipeline(configuration, scenario: scenario, evaluationStep: evaluationStep)
        var previous: StatusJSON?
        await pipeline.advance(to: .origin + scenario.duration) { status, _ in
            let json = StatusJSON(status, origin: pipeline.origin, utcOffsetSeconds: scenario.utcOffsetSeconds,
                                  signalAreas: configuration.model.signalAreas)
            if let previous, json.sameStateAs(previous) { return }
            previous = json
            emit(json.line())
        }
    }
}
