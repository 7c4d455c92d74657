import Synchronization
import VenueGuardCore

/// What the run loops have done, for the watchdog: evaluations, output frames, and the
/// sensor reads in flight with when each began. Updated from any thread.
public final class RunProgress: Sendable {
    private let evaluationCount = Atomic<Int>(0)
    private let frameCount = Atomic<Int>(0)
    private let firstCycle = Mutex<(pending: Int, done: Bool)>((0, false))
    private let reads = Mutex<(next: Int, started: [Int: (SensorID, ContinuousClock.Instant)])>((0, [:]))

    /// Creates zeroed progress.
    public init() {}

    /// Evaluations so far.
    public var evaluations: Int { evaluationCount.load(ordering: .relaxed) }
    /// Output frames drawn so far.
    public var outputFrames: Int { frameCount.load(ordering: .relaxed) }

    /// One evaluation done.
    public func evaluated() { evaluationCount.add(1, ordering: .relaxed) }
    /// One output frame drawn.
    public func framed() { frameCount.add(1, ordering: .relaxed) }

    /// A (new) configuration starts: its first cycle has `sources` sensors to hear from.
    public func beginFirstCycle(sources: Int) {
        firstCycle.withLock { $0 = (sources, sources == 0) }
    }

    /// A reload began: not ready until the new configuration's first cycle is done.
    public func resetFirstCycle() {
        firstCycle.withLock { $0 = (Int.max, false) }
    }

    /// One sensor has answered (or failed) its first read.
    public func sourceAnswered() {
        firstCycle.withLock { cycle in
            cycle.pending = max(0, cycle.pending - 1)
            if cycle.pending == 0 { cycle.done = true }
        }
    }

    /// The first cycle is over (all answered, or the time limit passed, or there is no cycle: the simulation).
    public func endFirstCycle() {
        firstCycle.withLock { $0.done = true }
    }

    /// Whether the first cycle of the running configuration is over.
    public var firstCycleDone: Bool { firstCycle.withLock { $0.done } }

    /// Marks a read of `sensor` begun now; pass the token to `readEnded`.
    public func readBegan(_ sensor: SensorID) -> Int {
        let now = ContinuousClock.now
        return reads.withLock { reads in
            reads.next += 1
            reads.started[reads.next] = (sensor, now)
            return reads.next
        }
    }

    /// Marks a read done.
    public func readEnded(_ token: Int) {
        _ = reads.withLock { $0.started.removeValue(forKey: token) }
    }

    /// The read in flight longest, and for how long, if any.
    public var oldestRead: (sensor: SensorID, age: Duration)? {
        let now = ContinuousClock.now
        return reads.withLock { reads in reads.started.values.min { $0.1 < $1.1 }.map { ($0.0, now - $0.1) } }
    }

    /// The figures at `now`, for the watchdog gate.
    public func snapshot(at now: MonotonicInstant) -> WatchdogGate.Snapshot {
        WatchdogGate.Snapshot(at: now, evaluations: evaluations, outputFrames: outputFrames, oldestRead: oldestRead)
    }
}
