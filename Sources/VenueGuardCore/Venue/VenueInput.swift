/// Something that happened and that the safety logic must take into account.
public enum VenueInput: Hashable, Sendable {
    /// A sample from a sensor (values, health check, or fault).
    case sensor(SensorReport)
    /// A lightning strike.
    case strike(LightningStrike)
    /// The Ministry of the Environment heat alert now in force, until an optional expiry, from
    /// `origin`. Manual and official alerts are kept apart; the higher of the two applies.
    case heatAlert(HeatAlert, until: WallClockTime?, origin: AlertOrigin = .manual)
    /// A thunder advisory/warning (雷注意報/警報) in force or lifted, until an optional expiry,
    /// from `origin`. An advisory is in force while either origin has one.
    case thunderAdvisory(Bool, until: WallClockTime?, origin: AlertOrigin = .manual)
    /// Someone asked to silence the alarm (button, MQTT command, scenario).
    case acknowledge(source: String)
    /// A sensor's input was rejected before it became a sample (counted, not a fault).
    case inputRejected(SensorID, reason: String)
    /// What the companion service knows about an official source now (sent at least once a
    /// minute; silence for `VenueEngine.companionSilence` makes the source "not known").
    case officialFeed(OfficialSource, OfficialAvailability)
    /// The official WBGT forecast for the nearest point (for planning; it sets no level).
    case officialForecast(OfficialForecast)
    /// The official hourly WBGT estimate (実況推定値) for the site's point, °C, for the hour
    /// ending at `hour` (for the comparison with the box's own outdoor WBGT; it sets no level).
    case officialEstimate(hour: WallClockTime, wbgt: Double)
}

/// Where an alert or advisory came from. The two are kept apart so that an official feed can
/// neither lower nor shorten an alert set by hand, and a manual clear cannot lift an official one.
public enum AlertOrigin: String, Hashable, Sendable, CaseIterable {
    /// Set by hand: an MQTT command, a scenario, the safety memory after a restart.
    case manual
    /// From the official feeds, through the companion service.
    case official
}
