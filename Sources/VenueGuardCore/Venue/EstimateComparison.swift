/// The box's own outdoor WBGT set against the Ministry of the Environment's hourly estimate for
/// the site's official point, per outdoor area (`ForecastDisagreement` judges each pair).
///
/// The official value labelled `HH:00` is taken as the estimate for the hour ending then; the
/// box's value for that hour is the mean of its evaluations in (HH−1:00, HH:00], counted only
/// while the area has a WBGT (not temperature-only) and the clock is synchronised, and only
/// when at least `minimumSamples` fell in the hour.
struct EstimateComparison: Sendable {
    let parameters: ForecastDisagreement.Parameters
    let utcOffsetSeconds: Int
    private var trackers: [AreaID: ForecastDisagreement] = [:]
    private var open: [AreaID: (hour: WallClockTime, sum: Double, count: Int)] = [:]
    private var ownMeans: [AreaID: [WallClockTime: Double]] = [:]
    private var official: [WallClockTime: Double] = [:]
    private var fedUpTo: [AreaID: WallClockTime] = [:]
    /// The fewest evaluations in an hour for the box's mean to count.
    static let minimumSamples = 10
    /// Hours kept on either side.
    static let keptHours = 48

    init(parameters: ForecastDisagreement.Parameters, utcOffsetSeconds: Int) {
        self.parameters = parameters
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The end of the local hour `t` falls in: 13:20 → 14:00.
    func hourEnding(_ t: WallClockTime) -> WallClockTime {
        let local = t.secondsSince1970 + Double(utcOffsetSeconds)
        return WallClockTime(secondsSince1970: (local / 3600).rounded(.down) * 3600 + 3600 - Double(utcOffsetSeconds))
    }

    /// One evaluation's WBGT for an outdoor `area` at `t`.
    mutating func record(_ wbgt: Double, area: AreaID, at t: WallClockTime) {
        let hour = hourEnding(t)
        if let current = open[area], current.hour != hour {
            if current.count >= Self.minimumSamples, current.hour < hour {
                ownMeans[area, default: [:]][current.hour] = current.sum / Double(current.count)
                ownMeans[area] = Self.trimmed(ownMeans[area]!)
            }
            open[area] = nil
        }
        var bucket = open[area] ?? (hour, 0, 0)
        bucket.sum += wbgt
        bucket.count += 1
        open[area] = bucket
    }

    /// The official estimate for the hour ending at `hour`.
    mutating func recordOfficial(_ wbgt: Double, hour: WallClockTime) {
        official[hour] = wbgt
        official = Self.trimmed(official)
    }

    /// Feeds every hour with both values, in order, to each area's tracker.
    mutating func settle() {
        for (area, means) in ownMeans {
            var tracker = trackers[area] ?? ForecastDisagreement(parameters: parameters)
            for hour in means.keys.sorted() where hour > (fedUpTo[area] ?? WallClockTime(secondsSince1970: 0)) {
                guard let officialValue = official[hour] else { continue }
                tracker.update(hour: hour, official: officialValue, own: means[hour])
                fedUpTo[area] = hour
            }
            trackers[area] = tracker
        }
    }

    /// The diagnostics raised now, by area.
    var diagnostics: [AreaID: ForecastDisagreement.Diagnostic] {
        trackers.compactMapValues(\.diagnostic)
    }

    static func trimmed<V>(_ values: [WallClockTime: V]) -> [WallClockTime: V] {
        guard values.count > keptHours else { return values }
        let keep = Set(values.keys.sorted().suffix(keptHours))
        return values.filter { keep.contains($0.key) }
    }
}
