/// What the safety logic must not forget when the daemon reloads its configuration or is
/// restarted (by its watchdog, an update, a power cut): the strikes that hold a lightning
/// state, the heat alerts and advisories in force, and each area's heat level, so the 30-minute
/// rule and the step-down dwell are not cut short by a restart. Times are wall-clock times
/// (whole seconds), because the monotonic clock starts again with the process.
public struct VenueMemory: Codable, Hashable, Sendable {
    /// A strike that holds a lightning state.
    public struct Strike: Codable, Hashable, Sendable {
        /// Distance, km (0 = overhead).
        public var kilometres: Double
        /// The detector's energy value, if given.
        public var energy: Int?
        /// When, seconds since 1970.
        public var wall: Double
        /// Which sensor heard it.
        public var source: String?
    }

    /// A held heat level.
    public struct Level: Codable, Hashable, Sendable {
        /// The level (`safe` … `stop`).
        public var level: String
        /// Its scale (`wbgt` or `dry-bulb`).
        public var scale: String
    }

    /// When this was taken, seconds since 1970.
    public var savedAt: Double
    /// Whether the wall clock was synchronised then (if not, the times above may be off).
    public var clockSynchronized: Bool
    /// The latest strike within the danger radius.
    public var dangerStrike: Strike?
    /// The latest strike within the watch radius.
    public var watchStrike: Strike?
    /// The heat alert in force (`none`, `alert`, `special-alert`) and its expiry.
    public var heatAlert: String
    public var heatAlertUntil: Double?
    /// Whether a thunder advisory is in force, and its expiry.
    public var thunderAdvisory: Bool
    public var thunderAdvisoryUntil: Double?
    /// `true` when only the official feeds gave the heat alert (restored as official, so a manual
    /// clear cannot lift it); absent in files from older versions (restored as manual).
    public var heatAlertOfficial: Bool? = nil
    /// Likewise for the thunder advisory.
    public var thunderAdvisoryOfficial: Bool? = nil
    /// Each area's level, by area id.
    public var levels: [String: Level]

    /// Whether `other` holds the same facts (the time it was taken aside).
    public func sameFacts(as other: VenueMemory?) -> Bool {
        guard var other else { return false }
        other.savedAt = savedAt
        other.clockSynchronized = clockSynchronized
        return other == self
    }
}

extension VenueEngine {
    /// What must survive a reload or restart, as of `now`.
    public func memory(at now: Timestamp) -> VenueMemory {
        func wall(_ instant: MonotonicInstant) -> Double {
            (now.wall.secondsSince1970 - (now.monotonic - instant).seconds).rounded()
        }
        func strike(_ strike: LightningStrike?) -> VenueMemory.Strike? {
            guard let strike, let km = strike.distance.kilometresValue, now.monotonic - strike.at < lightning.parameters.allClear else { return nil }
            return VenueMemory.Strike(kilometres: km, energy: strike.energy, wall: wall(strike.at), source: strike.source?.rawValue)
        }
        var levels: [String: VenueMemory.Level] = [:]
        for (area, tracker) in heatTrackers {
            if let level = tracker.level, let scale = tracker.scale, level != .safe {
                levels[area.rawValue] = VenueMemory.Level(level: level.rawValue, scale: scale.rawValue)
            }
        }
        return VenueMemory(savedAt: now.wall.secondsSince1970.rounded(), clockSynchronized: now.wallClockSynchronized,
                           dangerStrike: strike(lightning.lastDangerStrike), watchStrike: strike(lightning.lastWatchStrike),
                           heatAlert: heatAlert.rawValue, heatAlertUntil: heatAlertExpiry?.secondsSince1970,
                           thunderAdvisory: thunderAdvisory, thunderAdvisoryUntil: thunderAdvisoryExpiry?.secondsSince1970,
                           heatAlertOfficial: heatAlertOnlyOfficial ? true : nil,
                           thunderAdvisoryOfficial: thunderAdvisoryOnlyOfficial ? true : nil, levels: levels)
    }

    /// Takes back `memory` at `now`, before the first evaluation. When both clocks were
    /// synchronised the strikes keep their real age; otherwise nobody knows how long the
    /// daemon was down, and they are taken as just as old as when they were saved (the safe
    /// side: a hold is never cut short). Levels are held again for a full dwell, unless the
    /// known time since the save already exceeds it.
    public mutating func restore(_ memory: VenueMemory, at now: Timestamp) {
        let elapsed: Double? = memory.clockSynchronized && now.wallClockSynchronized
            ? max(0, now.wall.secondsSince1970 - memory.savedAt) : nil
        func instant(_ wall: Double) -> MonotonicInstant {
            now.monotonic - .seconds(fractional: (memory.savedAt - wall) + (elapsed ?? 0))
        }
        for saved in [memory.dangerStrike, memory.watchStrike].compactMap({ $0 }) {
            let distance: LightningStrike.Distance = saved.kilometres == 0 ? .overhead : .kilometres(saved.kilometres)
            restoreStrike(LightningStrike(distance: distance, energy: saved.energy, at: instant(saved.wall), source: saved.source.map { SensorID($0) }))
        }
        if let alert = HeatAlert(rawValue: memory.heatAlert), alert != .none {
            apply(.heatAlert(alert, until: memory.heatAlertUntil.map(WallClockTime.init(secondsSince1970:)),
                             origin: memory.heatAlertOfficial == true ? .official : .manual))
        }
        if memory.thunderAdvisory {
            apply(.thunderAdvisory(true, until: memory.thunderAdvisoryUntil.map(WallClockTime.init(secondsSince1970:)),
                                   origin: memory.thunderAdvisoryOfficial == true ? .official : .manual))
        }
        if let elapsed, elapsed >= model.parameters.hysteresis.dwell.seconds { return }
        for area in model.areas {
            guard let saved = memory.levels[area.id.rawValue], let level = HeatLevel(rawValue: saved.level),
                  let scale = HeatScale(rawValue: saved.scale) else { continue }
            seedLevel(level, scale: scale, for: area.id)
        }
    }
}
