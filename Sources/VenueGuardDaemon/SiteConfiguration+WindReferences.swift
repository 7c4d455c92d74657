import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDrivers

extension SiteConfiguration {
    /// A wind reference for each sensor an anemometer names as its `stuck_reference`.
    public func windReferences() -> [SensorID: WindReference] {
        var references: [SensorID: WindReference] = [:]
        for case let reference? in sensors.map(\.anemometer?.stuckReference) {
            references[reference] = WindReference(sensor: reference)
        }
        return references
    }
}
