import Logging
import VenueGuardCore

extension VenueEvent {
    /// How loudly an event is logged: what makes an area fail safe or stop is a warning.
    public var logLevel: Logger.Level {
        switch kind {
        case let .statusChanged(_, _, to) where to == .stop || to == .unknown: .warning
        case let .lightningChanged(_, to) where to == .danger || to == .unknown: .warning
        case .sensorFaulted, .sensorStale: .warning
        default: .notice
        }
    }
}
