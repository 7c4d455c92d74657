/// Something that happened and that the safety logic must take into account.
public enum VenueInput: Hashable, Sendable {
    /// A sample from a sensor (values, health check, or fault).
    case sensor(SensorReport)
    /// A lightning strike.
    case strike(LightningStrike)
    /// The Ministry of the Environment heat alert now in force, until an optional expiry.
    case heatAlert(HeatAlert, until: WallClockTime?)
    /// A thunder advisory/warning (雷注意報/警報) in force or lifted, until an optional expiry.
    case thunderAdvisory(Bool, until: WallClockTime?)
    /// Someone asked to silence the alarm (button, MQTT command, scenario).
    case acknowledge(source: String)
    /// A sensor's input was rejected before it became a sample (counted, not a fault).
    case inputRejected(SensorID, reason: String)
}
