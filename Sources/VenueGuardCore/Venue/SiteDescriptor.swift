/// The venue as a whole: identity and where it is.
public struct SiteDescriptor: Hashable, Sendable {
    /// The site id (used in MQTT topics).
    public var id: String
    /// A human name.
    public var name: String
    /// Latitude/longitude, for the sun's position (outdoor estimates).
    public var location: GeoLocation?
    /// Height above sea level, m, for the default pressure.
    public var elevation: Double?
    /// The local time's offset from UTC, seconds (Japan: +9 h).
    public var utcOffsetSeconds: Int

    /// Creates a site.
    public init(id: String, name: String, location: GeoLocation? = nil, elevation: Double? = nil, utcOffsetSeconds: Int = 9 * 3600) {
        self.id = id
        self.name = name
        self.location = location
        self.elevation = elevation
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Standard-atmosphere pressure at the site's elevation, hPa (sea level when unknown).
    public var standardPressure: Double {
        guard let elevation else { return WBGTInputs.standardPressure }
        return Atmosphere.standardPressure(atElevation: elevation)
    }
}
