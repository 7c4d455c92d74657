import Logging
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardTelemetry

/// Connects a runner to the MQTT publisher without ever making the signals wait for it:
/// statuses go through an unbounded stream (the outbox keeps up; a broker outage only
/// grows the outbox), commands come back the same way.
public final class TelemetryBridge: Sendable {
    /// The publisher.
    public let publisher: MQTTPublisher
    private let statuses: AsyncStream<(VenueStatus, [VenueEvent])>.Continuation
    private let consumer: Task<Void, Never>

    /// Starts a publisher for `configuration` (which must have an `mqtt` section);
    /// `instanceID` and `unstoredLimit` as `MQTTPublisher` takes them (tests set them).
    public init(configuration: SiteConfiguration, mqtt: MQTTConfiguration, logger: Logger, instanceID: String? = nil,
                unstoredLimit: Int = 5000) throws {
        let publisher = try MQTTPublisher(config: mqtt, model: configuration.model, logger: logger, instanceID: instanceID,
                                          unstoredLimit: unstoredLimit)
        self.publisher = publisher
        let (stream, continuation) = AsyncStream.makeStream(of: (VenueStatus, [VenueEvent]).self)
        statuses = continuation
        consumer = Task {
            await publisher.start()
            for await (status, events) in stream { await publisher.handle(status, events) }
        }
    }

    /// Hands one evaluation to the publisher (never blocks).
    public func submit(_ status: VenueStatus, _ events: [VenueEvent]) {
        statuses.yield((status, events))
    }

    /// Forwards validated MQTT commands to `apply`.
    public func forwardCommands(to apply: @escaping @Sendable ([VenueInput]) async -> Void) -> Task<Void, Never> {
        let commands = publisher.commands
        return Task {
            for await inputs in commands { await apply(inputs) }
        }
    }

    /// Drains what is queued, publishes `offline`, disconnects.
    public func stop() async {
        statuses.finish()
        await consumer.value
        await publisher.stop()
    }
}
