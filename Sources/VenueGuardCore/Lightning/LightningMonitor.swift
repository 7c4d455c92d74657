/// Applies the lightning rules to strikes: `danger` while a strike within the danger radius
/// is more recent than the all-clear time (every new near strike restarts the timer), then
/// `watch` while a strike within the watch radius is, then `clear`. A thunder advisory keeps
/// the state at least `watch`. Times are monotonic, so a clock jump neither ends a hold early
/// nor freezes it.
public struct LightningMonitor: Hashable, Sendable {
    /// The rules.
    public var parameters: LightningParameters
    /// The latest strike within the danger radius.
    public private(set) var lastDangerStrike: LightningStrike?
    /// The latest strike within the watch radius.
    public private(set) var lastWatchStrike: LightningStrike?
    /// The latest strike of any distance (including out of range).
    public private(set) var lastStrike: LightningStrike?
    /// Strikes recorded, by kind, since start.
    public private(set) var strikeCount = 0

    /// Creates a monitor with no strikes.
    public init(parameters: LightningParameters = .standard) {
        self.parameters = parameters
    }

    /// Records a strike. Strikes out of order (older than the latest) still count if nearer.
    public mutating func record(_ strike: LightningStrike) {
        strikeCount += 1
        if lastStrike == nil || strike.at >= lastStrike!.at { lastStrike = strike }
        guard let km = strike.distance.kilometresValue else { return }
        if km <= parameters.dangerRadiusKm, lastDangerStrike.map({ strike.at >= $0.at }) ?? true {
            lastDangerStrike = strike
        }
        if km <= parameters.watchRadiusKm, lastWatchStrike.map({ strike.at >= $0.at }) ?? true {
            lastWatchStrike = strike
        }
    }

    /// What the monitor says at `now`.
    public struct Assessment: Hashable, Sendable {
        /// The state by strikes and advisory (never `unknown`: detector health is the engine's business).
        public var state: LightningState
        /// The strike that holds the state, if a strike does.
        public var holdingStrike: LightningStrike?
        /// When the current strike-driven state ends if no new strike comes.
        public var endsAt: MonotonicInstant?
        /// Whether an advisory is what keeps the state at `watch`.
        public var byAdvisory: Bool
    }

    /// The state at `now`, with `advisory` telling whether a thunder advisory/warning is in force.
    public func assess(at now: MonotonicInstant, advisory: Bool) -> Assessment {
        if let strike = lastDangerStrike, now - strike.at < parameters.allClear {
            return Assessment(state: .danger, holdingStrike: strike, endsAt: strike.at + parameters.allClear, byAdvisory: false)
        }
        if let strike = lastWatchStrike, now - strike.at < parameters.allClear {
            return Assessment(state: .watch, holdingStrike: strike, endsAt: strike.at + parameters.allClear, byAdvisory: false)
        }
        if advisory {
            return Assessment(state: .watch, holdingStrike: nil, endsAt: nil, byAdvisory: true)
        }
        return Assessment(state: .clear, holdingStrike: nil, endsAt: nil, byAdvisory: false)
    }
}
