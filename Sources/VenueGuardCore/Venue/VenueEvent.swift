/// Something worth telling subscribers and the log: changes, strikes, faults, acknowledgements.
public struct VenueEvent: Hashable, Sendable {
    /// What happened.
    public enum Kind: Hashable, Sendable {
        /// An area's status changed.
        case statusChanged(area: AreaID, from: SafetyStatus?, to: SafetyStatus)
        /// The lightning state changed.
        case lightningChanged(from: LightningState?, to: LightningState)
        /// A strike was recorded.
        case strike(LightningStrike)
        /// A sensor became faulted (or its fault reason changed).
        case sensorFaulted(SensorID, FaultReason)
        /// A sensor went stale.
        case sensorStale(SensorID)
        /// A sensor is healthy again.
        case sensorRecovered(SensorID)
        /// Someone acknowledged; `silenced` when an alarm was sounding.
        case acknowledged(source: String, silenced: Bool)
        /// The heat alert in force changed.
        case heatAlertChanged(from: HeatAlert, to: HeatAlert)
        /// A thunder advisory started or ended.
        case thunderAdvisoryChanged(Bool)
        /// An official source became known again or stopped being known (`utcOffsetSeconds`: the
        /// site's, for the texts).
        case officialFeedChanged(OfficialFeedStatus, utcOffsetSeconds: Int)
        /// An outdoor area's WBGT started (`diagnostic` present) or stopped disagreeing with the
        /// official hourly estimate.
        case estimateDisagreement(area: AreaID, ForecastDisagreement.Diagnostic?)
    }

    /// When (monotonic).
    public var at: MonotonicInstant
    /// What.
    public var kind: Kind

    /// Creates an event.
    public init(at: MonotonicInstant, kind: Kind) {
        self.at = at
        self.kind = kind
    }

    /// A stable machine name for the kind.
    public var type: String {
        switch kind {
        case .statusChanged: "status-changed"
        case .lightningChanged: "lightning-changed"
        case .strike: "strike"
        case .sensorFaulted: "sensor-faulted"
        case .sensorStale: "sensor-stale"
        case .sensorRecovered: "sensor-recovered"
        case .acknowledged: "acknowledged"
        case .heatAlertChanged: "heat-alert-changed"
        case .thunderAdvisoryChanged: "thunder-advisory-changed"
        case .officialFeedChanged: "official-feed-changed"
        case .estimateDisagreement: "estimate-disagreement"
        }
    }

    /// One line for a log.
    public var summary: String {
        switch kind {
        case let .statusChanged(area, from, to): "\(area): \(from?.rawValue ?? "start") → \(to.rawValue)"
        case let .lightningChanged(from, to): "lightning: \(from?.rawValue ?? "start") → \(to.rawValue)"
        case let .strike(strike): "lightning strike \(strike.distance)\(strike.source.map { " (\($0))" } ?? "")"
        case let .sensorFaulted(id, reason): "sensor \(id) faulted: \(reason)"
        case let .sensorStale(id): "sensor \(id) stale"
        case let .sensorRecovered(id): "sensor \(id) recovered"
        case let .acknowledged(source, silenced): "acknowledged by \(source)\(silenced ? ": alarm silenced" : ": no alarm sounding")"
        case let .heatAlertChanged(from, to): "heat alert: \(from.rawValue) → \(to.rawValue)"
        case let .thunderAdvisoryChanged(on): "thunder advisory \(on ? "in force" : "lifted")"
        case let .officialFeedChanged(feed, offset): feed.englishText(utcOffsetSeconds: offset)
        case let .estimateDisagreement(area, diagnostic?): "\(area): \(diagnostic.englishText)"
        case let .estimateDisagreement(area, nil): "\(area): outdoor WBGT agrees with the official estimate again"
        }
    }
}
