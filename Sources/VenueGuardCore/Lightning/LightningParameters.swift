/// The regional lightning rules: radii, all-clear time and what an advisory does.
public struct LightningParameters: Hashable, Sendable {
    /// A strike at or within this distance puts the venue in `danger` (default 10 km: the 30-30 rule).
    public var dangerRadiusKm: Double
    /// A strike at or within this distance puts the venue in `watch` (default 40 km).
    public var watchRadiusKm: Double
    /// Time without a strike inside a radius before that state ends (default 30 minutes).
    public var allClear: Duration
    /// The level a thunder advisory/warning (雷注意報/警報) imposes on outdoor areas (default stop).
    public var advisoryOutdoorLevel: HeatLevel?
    /// The level lightning `danger` imposes on outdoor areas (default stop).
    public var dangerOutdoorLevel: HeatLevel?

    /// The club guide's standard: 10 km danger, 40 km watch, 30 minutes, outdoor stop.
    public static let standard = LightningParameters(dangerRadiusKm: 10, watchRadiusKm: 40, allClear: .seconds(1800),
                                                     advisoryOutdoorLevel: .stop, dangerOutdoorLevel: .stop)

    /// Creates parameters.
    public init(dangerRadiusKm: Double, watchRadiusKm: Double, allClear: Duration,
                advisoryOutdoorLevel: HeatLevel?, dangerOutdoorLevel: HeatLevel?) {
        self.dangerRadiusKm = dangerRadiusKm
        self.watchRadiusKm = watchRadiusKm
        self.allClear = allClear
        self.advisoryOutdoorLevel = advisoryOutdoorLevel
        self.dangerOutdoorLevel = dangerOutdoorLevel
    }

    /// `nil` when consistent, else what is wrong.
    public func validate() -> String? {
        if !(dangerRadiusKm >= 0) { return "danger radius must not be negative" }
        if !(watchRadiusKm >= dangerRadiusKm) { return "watch radius (\(NumberText.format(watchRadiusKm)) km) must be at least the danger radius (\(NumberText.format(dangerRadiusKm)) km)" }
        if allClear <= .zero { return "all-clear time must be positive" }
        return nil
    }
}
