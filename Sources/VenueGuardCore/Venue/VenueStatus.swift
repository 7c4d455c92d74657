/// The safety verdict for one area at one instant.
public struct AreaStatus: Hashable, Sendable {
    /// The area.
    public var id: AreaID
    /// Its name.
    public var name: String
    /// Indoors or outdoors.
    public var exposure: Exposure
    /// The verdict: heat level raised by alert floors and (outdoors) lightning, or `unknown`.
    public var status: SafetyStatus
    /// The heat level after hysteresis and alert floors, or `unknown`.
    public var heatLevel: SafetyStatus
    /// The WBGT estimate, when one could be made.
    public var estimate: WBGTEstimate?
    /// Why no estimate could be made.
    public var estimateError: WBGTError?
    /// Present when hysteresis holds the level above what the value alone gives.
    public var hold: HeatLevelTracker.Hold?
    /// Why the status is what it is, in words (stable while the status is: no live numbers).
    public var reasons: [String]
    /// Changing particulars behind the reasons (how long a level is still held, …).
    public var details: [String]
}

/// A sensor's state as shown to people and subscribers.
public struct SensorStatus: Hashable, Sendable {
    /// The sensor.
    public var descriptor: SensorDescriptor
    /// Its health.
    public var health: SensorHealth
    /// Its latest accepted readings (possibly stale).
    public var readings: [Reading]
    /// Faults and rejections so far, by reason code.
    public var faultCounts: [String: Int]
    /// Input rejected before it became a sample (serial lines), by reason.
    public var rejectedInput: [String: Int] = [:]
    /// Quantities whose latest value sits on the chip's clamp, with why (see `Suspicion`).
    public var suspect: [Quantity: Suspicion] = [:]
    /// The source's remarks about the device (a non-Maxim DS18B20 …).
    public var notes: [String] = []
}

/// The whole venue's safety state at one instant, and what the signals should show.
public struct VenueStatus: Hashable, Sendable {
    /// When.
    public var at: Timestamp
    /// Each area, in configuration order.
    public var areas: [AreaStatus]
    /// What the signal shows: the combination of the signal areas' statuses.
    public var overall: SafetyStatus
    /// The combination of the signal areas' heat levels.
    public var heatLevel: SafetyStatus
    /// The lightning state.
    public var lightning: LightningState
    /// The strike holding the lightning state, if any.
    public var lightningStrike: LightningStrike?
    /// When the strike-driven lightning state ends without new strikes.
    public var lightningEndsAt: MonotonicInstant?
    /// The heat alert in force.
    public var heatAlert: HeatAlert
    /// Whether a thunder advisory/warning is in force.
    public var thunderAdvisory: Bool
    /// What the lamps and buzzer should do.
    public var signal: SignalIntent
    /// Every sensor, in configuration order.
    public var sensors: [SensorStatus]
    /// Venue-wide reasons (lightning, alerts), then each area's, prefixed with its id.
    public var reasons: [String]
    /// Changing particulars (the strike holding the lightning state, levels held by hysteresis), prefixed likewise.
    public var details: [String]
    /// The official sources the site reads through the companion service, in a fixed order
    /// (empty when the site has no `official:` section).
    public var official: [OfficialFeedStatus] = []
    /// The official WBGT forecast, when the companion has handed one in recently.
    public var forecast: OfficialForecast? = nil
    /// Outdoor areas whose WBGT disagrees with the official hourly estimate (a diagnostic: is
    /// the globe shaded, is a sensor drifting?).
    public var estimateDisagreements: [AreaID: ForecastDisagreement.Diagnostic] = [:]

    /// The area with `id`.
    public func area(_ id: AreaID) -> AreaStatus? { areas.first { $0.id == id } }
}
