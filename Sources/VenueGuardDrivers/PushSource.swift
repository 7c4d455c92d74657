import VenueGuardCore

/// A sensor that speaks when it has something to say (a serial board), rather than being
/// polled. It delivers inputs in order through `deliver`, from its own context.
public protocol PushSource: Sendable {
    /// The sensor's configuration id.
    var id: SensorID { get }
    /// Starts listening; `now` gives the monotonic instant for timestamps.
    func start(now: @escaping @Sendable () -> MonotonicInstant, deliver: @escaping @Sendable ([VenueInput]) -> Void)
    /// Stops listening and releases the device.
    func stop()
}
