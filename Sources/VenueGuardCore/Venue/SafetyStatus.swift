/// The verdict for an area or the whole venue: a heat level, or `unknown` when the inputs
/// are stale or faulted. Never `safe` without fresh data. Raw values are the machine names.
public enum SafetyStatus: String, CaseIterable, Hashable, Sendable {
    case safe
    case caution
    case warning
    case severe
    case stop
    /// The inputs needed are stale or faulted: the reasons name the sensor.
    case unknown

    /// The status of a known level.
    public init(_ level: HeatLevel) {
        switch level {
        case .safe: self = .safe
        case .caution: self = .caution
        case .warning: self = .warning
        case .severe: self = .severe
        case .stop: self = .stop
        }
    }

    /// The heat level, or `nil` for `unknown`.
    public var level: HeatLevel? {
        switch self {
        case .safe: .safe
        case .caution: .caution
        case .warning: .warning
        case .severe: .severe
        case .stop: .stop
        case .unknown: nil
        }
    }

    /// 0 (safe) … 4 (stop); `nil` for unknown.
    public var rank: Int? { level?.rank }

    /// Combines several statuses into the one a single signal shows: `stop` if any area must
    /// stop (that is actionable whatever else is unknown), else `unknown` if any is unknown,
    /// else the highest level. No areas at all is `unknown`.
    public static func combined<S: Sequence>(_ statuses: S) -> SafetyStatus where S.Element == SafetyStatus {
        var highest: HeatLevel?
        var anyUnknown = false
        var any = false
        for status in statuses {
            any = true
            if status == .stop { return .stop }
            if let level = status.level { highest = max(highest ?? level, level) } else { anyUnknown = true }
        }
        if anyUnknown || !any { return .unknown }
        return SafetyStatus(highest!)
    }

    /// The Japanese name.
    public var japaneseName: String { level?.japaneseName ?? "不明(データなし)" }
}
