import Dispatch

/// Runs blocking device I/O on a serial dispatch queue (one per bus), so a slow or hung
/// transfer never blocks the cooperative thread pool and transfers on one bus never overlap.
public final class DispatchIOContext: IOContext, Sendable {
    private let queue: DispatchQueue

    /// Creates a context with its own serial queue labelled `label`.
    public init(label: String) {
        queue = DispatchQueue(label: "venueguard.io.\(label)")
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    /// The queue's own lane.
    public var lane: ObjectIdentifier { ObjectIdentifier(self) }
}
