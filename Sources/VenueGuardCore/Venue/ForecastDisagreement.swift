/// Compares the box's own outdoor WBGT with the Ministry of the Environment's hourly estimate for
/// the nearest official point (暑さ指数の実況推定値, fetched by the companion service) and raises a diagnostic when they disagree by more than a margin for long
/// enough: "outdoor WBGT reads 4.2 °C below the official estimate for the last hour: is the globe
/// shaded or the sensor drifting?".
///
/// Pure and driven by data time: the caller feeds one pair per hour (the official value for the
/// hour and the box's own mean over the same hour), in increasing hour order. The mean of
/// own − official over the pairs in the last `window` is evaluated at each hour; the diagnostic is
/// raised once the mean has stayed beyond `margin` (either sign) at every evaluation for
/// `persistence`, and cleared when it comes back within `margin − hysteresis`.
public struct ForecastDisagreement: Sendable {
    /// The tracker's parameters.
    public struct Parameters: Hashable, Sendable {
        /// The averaging window. Default 1 hour.
        public var window: Duration
        /// The largest |mean difference| tolerated, °C. Default 3.0 °C.
        public var margin: Double
        /// How long the difference must persist before the diagnostic is raised. Default 1 hour
        /// (two consecutive hourly evaluations).
        public var persistence: Duration
        /// How far back inside the margin the difference must come to clear, °C. Default 0.5 °C.
        public var hysteresis: Double
        /// The fewest pairs in the window for an evaluation. Default 1.
        public var minimumPairs: Int

        /// The defaults described on each property.
        public static let standard = Parameters(window: .seconds(3600), margin: 3.0, persistence: .seconds(3600),
                                                hysteresis: 0.5, minimumPairs: 1)

        /// Creates parameters.
        public init(window: Duration, margin: Double, persistence: Duration, hysteresis: Double, minimumPairs: Int) {
            self.window = window
            self.margin = margin
            self.persistence = persistence
            self.hysteresis = hysteresis
            self.minimumPairs = minimumPairs
        }
    }

    /// A raised diagnostic.
    public struct Diagnostic: Hashable, Sendable {
        /// Mean of own − official over the window at the latest evaluation, °C (negative: the box
        /// reads lower).
        public var meanDifference: Double
        /// How long the disagreement has been seen (from the start of the first disagreeing window
        /// to the latest hour).
        public var duration: Duration
        /// The latest hour evaluated.
        public var hour: WallClockTime
        /// Pairs in the latest window.
        public var pairs: Int

        /// A diagnostic with the given figures.
        public init(meanDifference: Double, duration: Duration, hour: WallClockTime, pairs: Int) {
            self.meanDifference = meanDifference
            self.duration = duration
            self.hour = hour
            self.pairs = pairs
        }

        /// `outdoor WBGT reads 4.2 °C below the official estimate for the last hour: is the globe
        /// shaded or the sensor drifting?`
        public var englishText: String {
            let below = meanDifference < 0
            return "outdoor WBGT reads \(Self.oneDecimal(meanDifference)) °C \(below ? "below" : "above") the official estimate "
                + "for the last \(Self.english(duration)): "
                + (below ? "is the globe shaded or the sensor drifting?" : "is the globe near a hot surface or the sensor drifting?")
        }

        /// `屋外のWBGTが公式の推定値より4.2 °C低い状態が直近1時間続いています。黒球が日陰になっていないか、センサーがずれていないか確認してください。`
        public var japaneseText: String {
            let below = meanDifference < 0
            return "屋外のWBGTが公式の推定値より\(Self.oneDecimal(meanDifference)) °C\(below ? "低い" : "高い")状態が直近\(Self.japanese(duration))続いています。"
                + (below ? "黒球が日陰になっていないか、センサーがずれていないか確認してください。"
                         : "黒球の近くに熱い面がないか、センサーがずれていないか確認してください。")
        }

        static func oneDecimal(_ value: Double) -> String {
            let tenths = Int((abs(value) * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)"
        }

        static func english(_ d: Duration) -> String {
            let minutes = Int(d.seconds / 60)
            if minutes == 60 { return "hour" }
            if minutes % 60 == 0 { return "\(minutes / 60) hours" }
            return "\(minutes) minutes"
        }

        static func japanese(_ d: Duration) -> String {
            let minutes = Int(d.seconds / 60)
            return minutes % 60 == 0 ? "\(minutes / 60)時間" : "\(minutes)分"
        }
    }

    /// The parameters.
    public let parameters: Parameters
    var pairs: [(hour: WallClockTime, difference: Double)] = []
    var disagreeingSince: WallClockTime?
    /// The diagnostic raised now, if any.
    public private(set) var diagnostic: Diagnostic?

    /// A tracker with nothing seen.
    public init(parameters: Parameters = .standard) {
        self.parameters = parameters
    }

    /// Adds the pair for `hour` (either value `nil` when missing) and evaluates; returns the
    /// diagnostic raised after this hour, if any. Hours not after the previous one are ignored;
    /// values outside −20…60 °C count as missing.
    @discardableResult
    public mutating func update(hour: WallClockTime, official: Double?, own: Double?) -> Diagnostic? {
        if let last = pairs.last?.hour, hour <= last { return diagnostic }
        let windowSeconds = parameters.window.seconds
        func secondsBetween(_ a: WallClockTime, _ b: WallClockTime) -> Double {
            b.secondsSince1970 - a.secondsSince1970
        }
        if let official, let own, (-20...60).contains(official), (-20...60).contains(own) {
            pairs.append((hour, own - official))
        }
        pairs.removeAll { secondsBetween($0.hour, hour) >= windowSeconds }
        guard pairs.count >= max(1, parameters.minimumPairs) else {
            disagreeingSince = nil  // no evidence either way: start over
            return diagnostic
        }
        let mean = pairs.map(\.difference).reduce(0, +) / Double(pairs.count)
        if abs(mean) > parameters.margin {
            let since = disagreeingSince ?? hour
            disagreeingSince = since
            let seen = secondsBetween(since, hour)
            if seen >= parameters.persistence.seconds {
                diagnostic = Diagnostic(meanDifference: mean, duration: .seconds(seen + windowSeconds), hour: hour, pairs: pairs.count)
            }
        } else if abs(mean) < parameters.margin - parameters.hysteresis {
            disagreeingSince = nil
            diagnostic = nil
        } else if let d = diagnostic {
            diagnostic = Diagnostic(meanDifference: mean, duration: d.duration, hour: hour, pairs: pairs.count)
        }
        return diagnostic
    }
}
