import VenueGuardCore

/// A configured sensor the daemon can sample: a chip behind its driver, a kernel sensor, a
/// serial board, or a simulated twin. The scheduler calls `sample(at:)` once per period.
public protocol SensorSource: Sendable {
    /// The sensor's configuration id.
    var id: SensorID { get }
    /// Takes one sample at the scheduler's instant `now`; `nil` when the source is backing
    /// off after repeated failures and made no attempt. Never throws: failures are `.fault`
    /// samples, which the safety logic counts and fails safe on.
    func sample(at now: MonotonicInstant) async -> SensorSample?

    /// The sources with the same lane are read one after another by one task, since their I/O
    /// is serial anyway (one bus, one queue); `nil`, the default: a lane of its own.
    var readLane: ObjectIdentifier? { get }
}

extension SensorSource {
    /// A lane of its own.
    public var readLane: ObjectIdentifier? { nil }
}

/// A source that also reports events between samples (a lightning detector's interrupts).
public protocol InterruptSource: SensorSource {
    /// Handles everything pending at `now` (after an IRQ edge) and returns what the safety logic must hear.
    func serviceInterrupt(at now: MonotonicInstant) async -> [VenueInput]
}

/// Where blocking device I/O runs: a serial queue per bus on real hardware, inline in the
/// simulation. Everything a driver touches is confined to its context.
public protocol IOContext: Sendable {
    /// Runs `body` in the context and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T

    /// What identifies the context's queue: sources on one lane are read by one task.
    var lane: ObjectIdentifier { get }
}

/// Runs I/O on the caller's task: for simulated devices, which never block.
public struct InlineIOContext: IOContext {
    private final class Lane: Sendable {}
    private static let shared = Lane()

    /// Creates the context.
    public init() {}
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T { body() }
    /// One lane for every inline source: they never block, so one task reads them all.
    public var lane: ObjectIdentifier { ObjectIdentifier(Self.shared) }
}
