/// Turns a stream of heat index values into a level that steps up at once but steps down
/// only after the value has stayed a margin below the threshold for a dwell time, so the
/// lights do not flap when the value hovers at a boundary.
///
/// Durations are measured on the monotonic clock. When data goes missing, the evidence for
/// stepping down is discarded (`forgetEvidence`), so a level held before a gap is held again
/// for a full dwell after it: missing data never lowers a level.
public struct HeatLevelTracker: Hashable, Sendable {
    /// How far below a threshold the value must fall, and for how long, before the level steps down.
    public struct Hysteresis: Hashable, Sendable {
        /// Margin below the threshold, °C (default 0.5).
        public var margin: Double
        /// Time the value must stay below threshold − margin (default 10 minutes).
        public var dwell: Duration
        /// Creates hysteresis parameters.
        public init(margin: Double = 0.5, dwell: Duration = .seconds(600)) {
            self.margin = margin
            self.dwell = dwell
        }
    }

    /// Why a level is higher than the current value alone would give.
    public struct Hold: Hashable, Sendable {
        /// The level being held.
        public var level: HeatLevel
        /// The value must be at or below this…
        public var stepDownAtOrBelow: Double
        /// …continuously for this long (the whole dwell).
        public var dwell: Duration
        /// How much of the dwell remains.
        public var remaining: Duration
        /// The scale the value is on.
        public var scale: HeatScale
    }

    /// The current level; `nil` before the first value.
    public private(set) var level: HeatLevel?
    /// The scale of the last value.
    public private(set) var scale: HeatScale?
    /// Present when the level is above the raw level of the last value.
    public private(set) var hold: Hold?
    /// For each level (by rank 1…4): since when the value has been at or below that level's lower bound − margin.
    private var belowSince: [MonotonicInstant?] = Array(repeating: nil, count: 5)

    /// Creates a tracker with no level yet.
    public init() {}

    /// Creates a tracker at `level` with no evidence for stepping down (a level restored after
    /// a restart is held for a full dwell, as after any gap in the data).
    public init(holding level: HeatLevel, scale: HeatScale) {
        self.level = level
        self.scale = scale
    }

    /// Feeds one value at `now` and returns the resulting level.
    @discardableResult
    public mutating func update(value: Double, scale newScale: HeatScale, thresholds: HeatThresholds,
                                hysteresis: Hysteresis, at now: MonotonicInstant) -> HeatLevel {
        if scale != newScale {
            // Values on a different scale say nothing about how long the old one stayed low.
            forgetEvidence()
            scale = newScale
        }
        for level in HeatLevel.allCases where level != .safe {
            let bound = thresholds.lowerBound(of: level)!
            if value <= bound - hysteresis.margin {
                belowSince[level.rank] = belowSince[level.rank] ?? now
            } else {
                belowSince[level.rank] = nil
            }
        }
        let raw = thresholds.level(of: value)
        guard let current = level, raw < current else {
            level = raw
            hold = nil
            return raw
        }
        var next = raw
        for rank in stride(from: current.rank, to: raw.rank, by: -1) where !satisfied(rank: rank, dwell: hysteresis.dwell, now: now) {
            next = HeatLevel(rank: rank)
            break
        }
        level = next
        if next > raw {
            let bound = thresholds.lowerBound(of: next)! - hysteresis.margin
            let elapsed = belowSince[next.rank].map { now - $0 } ?? .zero
            hold = Hold(level: next, stepDownAtOrBelow: bound, dwell: hysteresis.dwell,
                        remaining: hysteresis.dwell - elapsed, scale: newScale)
        } else {
            hold = nil
        }
        return next
    }

    /// Discards the time the value has spent below thresholds (data went missing or stale).
    /// The level itself is kept, so it is held for a full dwell once data returns.
    public mutating func forgetEvidence() {
        belowSince = Array(repeating: nil, count: 5)
    }

    private func satisfied(rank: Int, dwell: Duration, now: MonotonicInstant) -> Bool {
        guard let since = belowSince[rank] else { return false }
        return now - since >= dwell
    }
}
