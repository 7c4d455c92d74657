/// The venue's lightning state. Raw values are the machine names used in JSON and MQTT.
public enum LightningState: String, CaseIterable, Comparable, Hashable, Sendable {
    /// No strike within the watch radius for the all-clear time, no advisory.
    case clear
    /// A strike within the watch radius (default 40 km) recently, or a thunder advisory/warning in force.
    case watch
    /// A strike within the danger radius (default 10 km) less than the all-clear time ago: go indoors.
    case danger
    /// The lightning detector is stale or faulted and nothing else says there is a storm.
    case unknown

    /// 0 clear … 2 danger; unknown ranks with watch for deciding what is "worse".
    public var rank: Int {
        switch self {
        case .clear: 0
        case .watch, .unknown: 1
        case .danger: 2
        }
    }

    /// The Japanese name.
    public var japaneseName: String {
        switch self {
        case .clear: "雷なし"
        case .watch: "雷注意"
        case .danger: "雷危険(屋内へ)"
        case .unknown: "雷検知不明"
        }
    }

    public static func < (lhs: LightningState, rhs: LightningState) -> Bool { lhs.rank < rhs.rank }
}
