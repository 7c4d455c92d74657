import VenueGuardConfiguration

/// Which official sources this companion fetches for the daemon (from the site's `official:`
/// section), so that the page, /metrics and the records read an alert as not known, never
/// "none", when the daemon's state says nothing of a source fetched here (the daemon could not
/// be told, or was started without it) as well as when the daemon says anything but "known" or
/// "out-of-season" ("not-known", or "pending" while it waits for the companion's first word).
public struct OfficialSourcesFetched: Sendable, Equatable {
    /// 熱中症警戒アラート (heat-stroke alerts) are fetched: `official.heat_alert_area` is set.
    public var heatAlerts: Bool
    /// 雷注意報 (thunder advisories) are fetched: `official.thunder_municipality` is set.
    public var thunderAdvisory: Bool

    /// The sources given.
    public init(heatAlerts: Bool, thunderAdvisory: Bool) {
        self.heatAlerts = heatAlerts
        self.thunderAdvisory = thunderAdvisory
    }

    /// The sources `official` asks for (`nil`: none).
    public init(_ official: OfficialFeedsConfiguration?) {
        self.init(heatAlerts: official?.heatAlertArea != nil, thunderAdvisory: official?.thunderMunicipality != nil)
    }

    /// The source states that say it is known: `known`, or `out-of-season` (nothing is issued).
    public static let knownStates: Set<String> = ["known", "out-of-season"]

    /// Whether the heat alerts are not known, given the state the daemon gives their source
    /// (`known`, `not-known`, `out-of-season`, `pending`; `nil` when it gives none).
    public func heatAlertsNotKnown(daemonSays state: String?) -> Bool {
        state.map { !Self.knownStates.contains($0) } ?? heatAlerts
    }

    /// Whether the thunder advisory is not known, as `heatAlertsNotKnown(daemonSays:)`.
    public func thunderAdvisoryNotKnown(daemonSays state: String?) -> Bool {
        state.map { !Self.knownStates.contains($0) } ?? thunderAdvisory
    }
}
