/// The five heat levels of the Japan Sport Association exercise guideline, as the club guide
/// (§3.3, §12) uses them. Raw values are the machine names used in JSON and MQTT.
public enum HeatLevel: String, CaseIterable, Comparable, Hashable, Sendable {
    /// ほぼ安全 "almost safe": drink as needed.
    case safe
    /// 注意 "caution": drink actively.
    case caution
    /// 警戒 "warning": take breaks actively.
    case warning
    /// 厳重警戒 "severe warning": stop intense exercise; rest every 10–20 minutes.
    case severe
    /// 危険 "danger": stop exercise in principle, children especially (運動は原則中止).
    case stop

    /// 0 (safe) … 4 (stop).
    public var rank: Int {
        switch self {
        case .safe: 0
        case .caution: 1
        case .warning: 2
        case .severe: 3
        case .stop: 4
        }
    }

    /// The level of a rank, clamped to 0…4.
    public init(rank: Int) {
        self = HeatLevel.allCases[max(0, min(4, rank))]
    }

    /// The Japanese name.
    public var japaneseName: String {
        switch self {
        case .safe: "ほぼ安全"
        case .caution: "注意"
        case .warning: "警戒"
        case .severe: "厳重警戒"
        case .stop: "危険(運動は原則中止)"
        }
    }

    /// The English name.
    public var englishName: String {
        switch self {
        case .safe: "almost safe"
        case .caution: "caution"
        case .warning: "warning"
        case .severe: "severe warning"
        case .stop: "danger: stop exercise"
        }
    }

    /// What to do, in English.
    public var guidance: String {
        switch self {
        case .safe: "Drink as needed."
        case .caution: "Drink actively; watch for signs of heat illness during active play."
        case .warning: "Take breaks actively; drink water and take salt; no continuous hard activity."
        case .severe: "Stop intense activity; rest every 10–20 minutes; keep children out of the heat."
        case .stop: "Stop exercise in principle, children especially; move to a cool place."
        }
    }

    /// What to do, in Japanese.
    public var japaneseGuidance: String {
        switch self {
        case .safe: "適宜水分補給。"
        case .caution: "積極的に水分補給。激しい運動中は熱中症の兆候に注意。"
        case .warning: "積極的に休憩し、水分・塩分を補給。激しい運動は避ける。"
        case .severe: "激しい運動は中止。10〜20分おきに休憩。"
        case .stop: "運動は原則中止。特に子どもは涼しい場所へ。"
        }
    }

    public static func < (lhs: HeatLevel, rhs: HeatLevel) -> Bool { lhs.rank < rhs.rank }
}
