import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDrivers
import VenueGuardSimulation

/// Builds the sensor sources of a configuration for a backend.
public enum SensorSourceFactory {
    /// Simulated twins of every configured sensor, playing `scenario`.
    public static func simulated(_ configuration: SiteConfiguration, scenario: Scenario) -> [any SensorSource] {
        configuration.sensors.map { SimulatedSensor(descriptor: $0.descriptor, scenario: scenario) }
    }
}
