import Logging
import Synchronization
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardTelemetry

/// Connects a runner to the MQTT publisher without ever making the signals wait for it.
/// Statuses are queued (`submit` never blocks) and handed to the publisher in order by
/// `flush()`: the real-time runtime calls it after each evaluation, in the task that
/// evaluated (the output thread never waits on it, and no extra wake-up is spent); other
/// runners let a consumer task of the bridge's own do it. Commands come back through a stream.
public final class TelemetryBridge: Sendable {
    /// The publisher.
    public let publisher: MQTTPublisher
    private let queue = StatusQueue()
    private let wake: AsyncStream<Void>.Continuation?
    private let consumer: Task<Void, Never>?
    private let started: Task<Void, Never>

    /// Starts a publisher for `configuration` (which must have an `mqtt` section);
    /// `instanceID` and `unstoredLimit` as `MQTTPublisher` takes them (tests set them).
    /// `flushedByCaller`: the caller calls `flush()` after its submissions (the real-time
    /// runtime); otherwise a task of the bridge does.
    public init(configuration: SiteConfiguration, mqtt: MQTTConfiguration, logger: Logger, instanceID: String? = nil,
                unstoredLimit: Int = 5000, flushedByCaller: Bool = false) throws {
        let publisher = try MQTTPublisher(config: mqtt, model: configuration.model, logger: logger, instanceID: instanceID,
                                          unstoredLimit: unstoredLimit)
        self.publisher = publisher
        started = Task { await publisher.start() }
        if flushedByCaller {
            wake = nil
            consumer = nil
        } else {
            let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            wake = continuation
            consumer = Task { [started, queue] in
                await started.value
                for await _ in stream { await queue.drain(into: publisher) }
            }
        }
    }

    /// Queues one evaluation for the publisher (never blocks).
    public func submit(_ status: VenueStatus, _ events: [VenueEvent]) {
        queue.append((status, events))
        wake?.yield()
    }

    /// Hands what is queued to the publisher, oldest first. When another task is already
    /// doing so, returns at once (that one takes these too), so the order holds.
    public func flush() async {
        await started.value
        await queue.drain(into: publisher)
    }

    /// Whether every submitted evaluation has been handed to the publisher (none queued, none
    /// being handed over): the publisher has numbered everything submitted so far.
    public var isIdle: Bool { queue.isIdle }

    /// Forwards validated MQTT commands to `apply`.
    public func forwardCommands(to apply: @escaping @Sendable ([VenueInput]) async -> Void) -> Task<Void, Never> {
        let commands = publisher.commands
        return Task {
            for await inputs in commands { await apply(inputs) }
        }
    }

    /// Drains what is queued, publishes `offline`, disconnects.
    public func stop() async {
        wake?.finish()
        await consumer?.value
        await flush()
        await publisher.stop()
    }
}

/// Evaluations waiting for the publisher, and whether a task is handing them over.
private final class StatusQueue: Sendable {
    private let state = Mutex<(statuses: [(VenueStatus, [VenueEvent])], flushing: Bool)>(([], false))

    var isIdle: Bool { state.withLock { $0.statuses.isEmpty && !$0.flushing } }

    func append(_ entry: (VenueStatus, [VenueEvent])) {
        state.withLock { $0.statuses.append(entry) }
    }

    /// Hands everything queued to `publisher` in order; returns at once when another task is
    /// already doing so (it takes these too).
    func drain(into publisher: MQTTPublisher) async {
        guard state.withLock({ state in
            if state.flushing { return false }
            state.flushing = true
            return true
        }) else { return }
        while true {
            let next = state.withLock { state -> [(VenueStatus, [VenueEvent])] in
                defer { state.statuses = [] }
                if state.statuses.isEmpty { state.flushing = false }
                return state.statuses
            }
            if next.isEmpty { return }
            for (status, events) in next { await publisher.handle(status, events) }
        }
    }
}
