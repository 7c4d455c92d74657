/// An official source the companion service (`venueguard-companion`) reads for the venue.
/// The raw values are the keys on MQTT (`state.official.<source>`) and on the local channel.
public enum OfficialSource: String, Hashable, Sendable, CaseIterable, Comparable {
    /// The Ministry of the Environment's heat-stroke alerts (熱中症警戒アラート).
    case heatAlerts = "heat_alerts"
    /// The JMA's thunder advisories (雷注意報).
    case thunderAdvisory = "thunder_advisory"
    /// The Ministry's WBGT forecast (暑さ指数予測).
    case forecast

    /// `heat alerts`, `thunder advisories`, `WBGT forecast`.
    public var englishName: String {
        switch self {
        case .heatAlerts: "heat alerts"
        case .thunderAdvisory: "thunder advisories"
        case .forecast: "WBGT forecast"
        }
    }

    /// `熱中症警戒アラート`, `雷注意報`, `暑さ指数予測`.
    public var japaneseName: String {
        switch self {
        case .heatAlerts: "熱中症警戒アラート"
        case .thunderAdvisory: "雷注意報"
        case .forecast: "暑さ指数予測"
        }
    }

    /// Configuration order.
    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What the companion service knows about one official source.
public enum OfficialAvailability: Hashable, Sendable {
    /// A current document was read; known as of this time.
    case known(asOf: WallClockTime)
    /// Nothing current could be read since this time (`nil`: never since the start).
    case notKnown(since: WallClockTime?)
    /// Outside the service's season: nothing is published and nothing is expected (not a fault).
    case outOfSeason

    /// Whether the source is known (out of season counts as known: it means "no alert").
    public var isKnown: Bool {
        if case .notKnown = self { return false }
        return true
    }

    /// `known`, `not-known`, `out-of-season` (the machine name on MQTT and the channel).
    public var machineName: String {
        switch self {
        case .known: "known"
        case .notKnown: "not-known"
        case .outOfSeason: "out-of-season"
        }
    }
}

/// One official source as the safety daemon shows it: what the companion last said, or "not
/// known" when the companion has said nothing for `VenueEngine.companionSilence`.
public struct OfficialFeedStatus: Hashable, Sendable {
    /// The source.
    public var source: OfficialSource
    /// Known, not known since when, or out of season.
    public var availability: OfficialAvailability
    /// `true` when the companion service itself has gone silent (stopped or crashed): the
    /// availability is then the daemon's own `notKnown`.
    public var companionSilent: Bool
    /// `true` in the first `VenueEngine.companionSilence` after the start, before the companion's
    /// first word: not known yet, but not yet a fault either (no reason, no event).
    public var awaitingCompanion: Bool

    /// Creates a status.
    public init(source: OfficialSource, availability: OfficialAvailability, companionSilent: Bool = false,
                awaitingCompanion: Bool = false) {
        self.source = source
        self.availability = availability
        self.companionSilent = companionSilent
        self.awaitingCompanion = awaitingCompanion
    }

    /// `heat alerts: not known since 14:05 (the companion service is silent)`, `heat alerts:
    /// known as of 14:05`, `heat alerts: out of season`, times in the site's local time.
    public func englishText(utcOffsetSeconds: Int) -> String {
        let name = source.englishName
        switch availability {
        case let .known(t): return "\(name): known as of \(Self.hourMinute(t, utcOffsetSeconds))"
        case .outOfSeason: return "\(name): out of season"
        case let .notKnown(since):
            if awaitingCompanion { return "\(name): not known yet (waiting for the companion service)" }
            let when = since.map { " since \(Self.hourMinute($0, utcOffsetSeconds))" } ?? ""
            return "\(name): not known\(when)" + (companionSilent ? " (the companion service is silent)" : "")
        }
    }

    /// `熱中症警戒アラート: 14:05から不明`, `熱中症警戒アラート: 14:05時点で取得済み`,
    /// `熱中症警戒アラート: 提供期間外`.
    public func japaneseText(utcOffsetSeconds: Int) -> String {
        let name = source.japaneseName
        switch availability {
        case let .known(t): return "\(name): \(Self.hourMinute(t, utcOffsetSeconds))時点で取得済み"
        case .outOfSeason: return "\(name): 提供期間外"
        case let .notKnown(since):
            if awaitingCompanion { return "\(name): 確認中" }
            let when = since.map { "\(Self.hourMinute($0, utcOffsetSeconds))から不明" } ?? "不明(未取得)"
            return "\(name): \(when)" + (companionSilent ? "(連携サービス停止)" : "")
        }
    }

    /// `HH:MM` in the site's local time.
    static func hourMinute(_ t: WallClockTime, _ utcOffsetSeconds: Int) -> String {
        let c = t.civil(utcOffsetSeconds: utcOffsetSeconds)
        return (c.hour < 10 ? "0" : "") + "\(c.hour):" + (c.minute < 10 ? "0" : "") + "\(c.minute)"
    }
}

/// The Ministry of the Environment's WBGT forecast for the nearest official point, for planning
/// (it never sets a level). Validated by the daemon's channel before it gets here.
public struct OfficialForecast: Hashable, Sendable {
    /// One forecast day.
    public struct Day: Hashable, Sendable {
        /// `YYYY-MM-DD` (JST).
        public var date: String
        /// The day's highest forecast WBGT, °C (`nil`: no values).
        public var maximum: Double?
        /// The heat level of the maximum.
        public var level: HeatLevel?
        /// For caution, warning, severe and stop: the forecast times (`HH:MM`, JST) at or above the
        /// level's lower bound; a level absent is not reached.
        public var atOrAbove: [HeatLevel: [String]]

        /// Creates a day.
        public init(date: String, maximum: Double?, level: HeatLevel?, atOrAbove: [HeatLevel: [String]]) {
            self.date = date
            self.maximum = maximum
            self.level = level
            self.atOrAbove = atOrAbove
        }
    }

    /// The official point number (5 digits).
    public var point: String
    /// When the Ministry generated the forecast.
    public var generated: WallClockTime
    /// Today and tomorrow.
    public var today: Day
    /// Tomorrow.
    public var tomorrow: Day

    /// Creates a forecast.
    public init(point: String, generated: WallClockTime, today: Day, tomorrow: Day) {
        self.point = point
        self.generated = generated
        self.today = today
        self.tomorrow = tomorrow
    }
}
