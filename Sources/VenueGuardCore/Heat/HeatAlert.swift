/// The Ministry of the Environment heat-stroke alerts for the venue's forecast region.
public enum HeatAlert: String, CaseIterable, Comparable, Hashable, Sendable {
    /// No alert in force.
    case none
    /// 熱中症警戒アラート: a point in the region is forecast to reach daily max WBGT ≥ 33.
    case alert
    /// 熱中症特別警戒アラート: every point in the prefecture is forecast ≥ 35.
    case specialAlert = "special-alert"

    /// The Japanese name.
    public var japaneseName: String {
        switch self {
        case .none: "なし"
        case .alert: "熱中症警戒アラート"
        case .specialAlert: "熱中症特別警戒アラート"
        }
    }

    /// The English name.
    public var englishName: String {
        switch self {
        case .none: "no heat alert"
        case .alert: "heat-stroke alert"
        case .specialAlert: "special heat-stroke alert"
        }
    }

    private var rank: Int {
        switch self {
        case .none: 0
        case .alert: 1
        case .specialAlert: 2
        }
    }

    public static func < (lhs: HeatAlert, rhs: HeatAlert) -> Bool { lhs.rank < rhs.rank }
}

/// The lowest level an alert imposes on indoor and outdoor areas (the guide's §12 first row:
/// special alert = stop; alert = outdoor stop, indoor light activity with breaks).
public struct AlertConsequence: Hashable, Sendable {
    /// The floor for indoor areas (`nil`: none).
    public var indoor: HeatLevel?
    /// The floor for outdoor areas (`nil`: none).
    public var outdoor: HeatLevel?

    /// Creates a consequence.
    public init(indoor: HeatLevel?, outdoor: HeatLevel?) {
        self.indoor = indoor
        self.outdoor = outdoor
    }

    /// The floor for an area of `exposure`.
    public func floor(for exposure: Exposure) -> HeatLevel? {
        exposure == .indoor ? indoor : outdoor
    }
}
