/// Whether an official source is known now, for the status, the panel, MQTT and Home Assistant.
public enum FeedAvailability: Hashable, Sendable {
    /// A current document was read; the state is known as of this JST time.
    case known(asOf: JSTDateTime)
    /// Nothing current could be read. `since`: the JST time the source was last known (`nil` if
    /// never since start); `reason`: the latest fault or why the last document no longer counts.
    case notKnown(since: JSTDateTime?, reason: String)
    /// Outside the service's season: no document is published and none is expected (not a fault).
    case outOfSeason

    /// Whether the source is known (or out of season, which is known to mean "no alert").
    public var isKnown: Bool {
        if case .notKnown = self { return false }
        return true
    }

    /// `heat alerts: not known since 14:05 (…reason…)`, `heat alerts: known as of 14:05`,
    /// `heat alerts: out of season`. `source` names the feed in English.
    public func englishText(source: String) -> String {
        switch self {
        case let .known(t): "\(source): known as of \(t.hourMinute)"
        case let .notKnown(since?, reason): "\(source): not known since \(since.hourMinute) (\(reason))"
        case let .notKnown(nil, reason): "\(source): not known (\(reason))"
        case .outOfSeason: "\(source): out of season"
        }
    }

    /// `熱中症アラート: 14:05から不明`, `熱中症アラート: 14:05時点で取得済み`, `熱中症アラート: 提供期間外`.
    /// `source` names the feed in Japanese. The reason (English, technical) is left to the log.
    public func japaneseText(source: String) -> String {
        switch self {
        case let .known(t): "\(source): \(t.hourMinute)時点で取得済み"
        case let .notKnown(since?, _): "\(source): \(since.hourMinute)から不明"
        case .notKnown(nil, _): "\(source): 不明(未取得)"
        case .outOfSeason: "\(source): 提供期間外"
        }
    }
}
