import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDrivers
import VenueGuardSimulation

/// Builds the pipeline for a configuration on a backend.
public enum SensorSourceFactory {
    /// A pipeline over the simulated twins of `configuration`'s hardware, playing `scenario`.
    public static func simulatedPipeline(_ configuration: SiteConfiguration, scenario: Scenario,
                                         evaluationStep: Duration = .seconds(1)) -> (VenuePipeline, SimulatedHardware) {
        let hardware = SimulatedHardware(configuration: configuration, scenario: scenario)
        let pipeline = VenuePipeline(model: configuration.model, sources: hardware.sources, scenario: scenario,
                                     evaluationStep: evaluationStep, strikeInjector: { kind, at in
                                         await hardware.hear(kind, at: at)
                                     })
        return (pipeline, hardware)
    }
}
