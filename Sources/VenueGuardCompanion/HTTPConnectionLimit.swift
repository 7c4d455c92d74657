import HummingbirdCore
import Synchronization

/// The most HTTP connections the companion holds open at once (give or take 3: the limit is
/// checked before each accepting read, and swift-nio accepts up to 4 connections a read).
/// Beyond it, new connections wait
/// in the kernel's listen queue (which costs the process no file) until one closes, so a flood
/// of idle connections cannot use up the companion's files: it still reads the daemon's state
/// file, writes the records and fetches the feeds. Used through Hummingbird's
/// `AvailableConnectionsDelegate`, counting into a shared `Counts` for /metrics and tests.
public struct HTTPConnectionLimit: AvailableConnectionsDelegate {
    /// Connections open now and the most open at once since start.
    public final class Counts: Sendable {
        let openNow = Atomic<Int>(0)
        let peakOpen = Atomic<Int>(0)
        /// A fresh count.
        public init() {}
        /// Connections open now.
        public var open: Int { openNow.load(ordering: .relaxed) }
        /// The most open at once since start.
        public var peak: Int { peakOpen.load(ordering: .relaxed) }
    }

    /// The limit.
    public let maximum: Int
    /// Where the connections are counted.
    public let counts: Counts

    /// A limit of `maximum` connections, counted into `counts`.
    public init(maximum: Int, counts: Counts) {
        self.maximum = maximum
        self.counts = counts
    }

    /// One more connection accepted.
    public mutating func connectionOpened() {
        let now = counts.openNow.add(1, ordering: .relaxed).newValue
        counts.peakOpen.max(now, ordering: .relaxed)
    }

    /// One connection closed.
    public mutating func connectionClosed() {
        counts.openNow.subtract(1, ordering: .relaxed)
    }

    /// Whether another connection may be accepted now.
    public func isAcceptingNewConnections() -> Bool {
        counts.open < maximum
    }
}
