import Foundation
import VenueGuardCore

/// The Ministry of the Environment WBGT forecast per point,
/// `https://www.wbgt.env.go.jp/prev15WG/dl/yohou_{point}.csv` (overwritten in place; also per
/// prefecture and for all points, with one data line per point).
///
/// Layout: a header line `,,2026080721,2026080724,…` of forecast times `YYYYMMDDHH` (JST,
/// 3-hourly, hour `24` = the next day's 00), then one line per point:
/// `44132,2026/08/07 20:25, 260, 250,…` = the 5-digit point number (AMeDAS station), the
/// generation time, then values in tenths of °C with leading spaces; blank = missing.
///
/// Strict: at most `maximumBytes`, `maximumTimes` columns and `maximumPoints` lines; times strictly
/// increasing; values within −20.0…60.0 °C; faults name the line.
public struct WBGTForecastCSV: Hashable, Sendable {
    /// One point's forecast.
    public struct Point: Hashable, Sendable {
        /// The 5-digit point number, e.g. `44132` (Tokyo).
        public var point: String
        /// When the forecast was generated (JST).
        public var generated: JSTDateTime
        /// The forecast WBGT in °C per header time (`nil` where blank).
        public var values: [Double?]
        /// The 1-based line.
        public var line: Int
    }

    /// The largest document accepted: 256 KiB (a point's file is well under 1 KiB; all points fit).
    public static let maximumBytes = 256 * 1024
    /// The most forecast times accepted.
    public static let maximumTimes = 64
    /// The most point lines accepted.
    public static let maximumPoints = 1000

    /// The encoding the document was found in.
    public var encoding: FeedTextEncoding
    /// The forecast times (JST), strictly increasing.
    public var times: [JSTDateTime]
    /// The points, in document order.
    public var points: [Point]

    /// Parses a forecast CSV.
    /// - Throws: `FeedFault` (`.tooLarge`, `.notText`, `.malformed`, `.outOfRange`) naming the line.
    public static func parse(_ data: Data) throws(FeedFault) -> WBGTForecastCSV {
        let doc = FeedDocument.wbgtForecastCSV
        let (text, encoding) = try FeedText.decode(data, maximumBytes: maximumBytes, document: doc)
        let lines = try FeedText.lines(text, maximumLines: maximumPoints + 10, document: doc).filter { !FeedText.trimmed($0.text).isEmpty }
        guard let (headerLine, header) = lines.first else { throw FeedFault(.malformed, doc, "the document has no lines") }
        let headerFields = try FeedText.fields(header, maximumFields: maximumTimes + 2, lineNumber: headerLine, document: doc)
        guard headerFields.count >= 3, FeedText.trimmed(headerFields[0]).isEmpty, FeedText.trimmed(headerFields[1]).isEmpty else {
            throw FeedFault(.malformed, doc, line: headerLine, "the header must start with two empty fields and list forecast times")
        }
        var times: [JSTDateTime] = []
        for field in headerFields.dropFirst(2) {
            let f = FeedText.trimmed(field)
            if f.isEmpty && field == headerFields.last { break }  // a trailing comma
            guard f.utf8.count == 10, let y = FeedText.integer(f.prefix(4)), let m = FeedText.integer(f.dropFirst(4).prefix(2)),
                  let d = FeedText.integer(f.dropFirst(6).prefix(2)), let h = FeedText.integer(f.suffix(2)),
                  let date = JSTDate(year: y, month: m, day: d), let t = JSTDateTime(date: date, hour: h) else {
                throw FeedFault(.outOfRange, doc, line: headerLine, "forecast time \"\(f.prefix(20))\" is not YYYYMMDDHH")
            }
            if let last = times.last, t <= last {
                throw FeedFault(.malformed, doc, line: headerLine, "forecast time \(f) does not follow \(last)")
            }
            times.append(t)
        }
        guard !times.isEmpty else { throw FeedFault(.malformed, doc, line: headerLine, "no forecast times") }
        var points: [Point] = []
        var seen: Set<String> = []
        for (number, line) in lines.dropFirst() {
            let fields = try FeedText.fields(line, maximumFields: maximumTimes + 3, lineNumber: number, document: doc)
            let point = String(FeedText.trimmed(fields[0]))
            guard point.utf8.count == 5, FeedText.integer(Substring(point)) != nil else {
                throw FeedFault(.malformed, doc, line: number, "point \"\(point.prefix(20))\" is not a 5-digit point number")
            }
            guard seen.insert(point).inserted else { throw FeedFault(.malformed, doc, line: number, "point \(point) appears twice") }
            guard fields.count >= 2, let generated = parseDateTime(FeedText.trimmed(fields[1])) else {
                throw FeedFault(.outOfRange, doc, line: number, "generation time \"\(fields.count > 1 ? String(fields[1].prefix(20)) : "")\" is not YYYY/MM/DD hh:mm")
            }
            let raw = Array(fields.dropFirst(2))
            guard raw.count == times.count || (raw.count == times.count + 1 && FeedText.trimmed(raw[raw.count - 1]).isEmpty) else {
                throw FeedFault(.malformed, doc, line: number, "\(raw.count) values for \(times.count) forecast times")
            }
            var values: [Double?] = []
            for (i, field) in raw.prefix(times.count).enumerated() {
                let f = FeedText.trimmed(field)
                if f.isEmpty { values.append(nil); continue }
                guard let tenths = FeedText.signedInteger(f, maxDigits: 4), (-200...600).contains(tenths) else {
                    throw FeedFault(.outOfRange, doc, line: number, "value \"\(f.prefix(20))\" at \(times[i]) is not tenths of °C within -200…600")
                }
                values.append(Double(tenths) / 10)
            }
            points.append(Point(point: point, generated: generated, values: values, line: number))
        }
        guard !points.isEmpty else { throw FeedFault(.malformed, doc, "no point lines after the header") }
        return WBGTForecastCSV(encoding: encoding, times: times, points: points)
    }

    /// `2026/08/07 20:25` (seconds optional).
    static func parseDateTime(_ text: Substring) -> JSTDateTime? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let date = FeedText.slashDate(parts[0]), let (h, m, s) = FeedText.clockTime(parts[1]) else { return nil }
        return JSTDateTime(date: date, hour: h, minute: m, second: s)
    }

    /// Summarises the forecast for `point` at `now` for planning (today's and tomorrow's maxima and
    /// the times at or above each level).
    /// - Throws: `FeedFault.wrongPoint` when the point is not in the document; `.stale` when the
    ///   forecast was generated more than `maximumAge` before `now`, or is for days before today.
    ///   A generation time after `now` (the caller's clock is behind) is accepted and flagged.
    public func summary(point: String, now: JSTDateTime, maximumAge: Duration = .seconds(24 * 3600),
                        thresholds: HeatThresholds = .standardWBGT) throws(FeedFault) -> WBGTForecastSummary {
        let doc = FeedDocument.wbgtForecastCSV
        guard let p = points.first(where: { $0.point == point }) else {
            throw FeedFault(.wrongPoint, doc, "point \(point) is not in the document (it has \(points.prefix(5).map(\.point).joined(separator: ", ")))")
        }
        let age = now.wallClockTime.secondsSince1970 - p.generated.wallClockTime.secondsSince1970
        if age > maximumAge.seconds {
            throw FeedFault(.stale, doc, line: p.line, "generated \(p.generated.date) \(p.generated.hourMinute), more than \(DurationText.format(maximumAge)) before \(now.date) \(now.hourMinute)")
        }
        let clockBehind = age < -3600
        let today = clockBehind ? p.generated.date : now.date
        func day(_ date: JSTDate) -> WBGTForecastSummary.Day {
            var maximum: Double?
            var at: JSTDateTime?
            var slots = 0, missing = 0
            var atOrAbove: [HeatLevel: [JSTDateTime]] = [:]
            for (t, v) in zip(times, p.values) where t.date == date {
                slots += 1
                guard let v else { missing += 1; continue }
                if maximum.map({ v > $0 }) ?? true { maximum = v; at = t }
                for level in HeatLevel.allCases where level != .safe {
                    if let bound = thresholds.lowerBound(of: level), v >= bound { atOrAbove[level, default: []].append(t) }
                }
            }
            return WBGTForecastSummary.Day(date: date, maximum: maximum, maximumAt: at,
                                           level: maximum.map { thresholds.level(of: $0) }, timesAtOrAbove: atOrAbove,
                                           slots: slots, missing: missing)
        }
        let first = day(today)
        guard first.slots > 0 || times.contains(where: { $0.date > today }) else {
            throw FeedFault(.stale, doc, line: p.line, "the forecast ends before \(today)")
        }
        return WBGTForecastSummary(point: point, generated: p.generated, today: first, tomorrow: day(today.adding(days: 1)),
                                   clockBehindDocument: clockBehind)
    }
}

/// Today's and tomorrow's WBGT forecast for one point, for planning (MQTT `forecast`, `status`).
public struct WBGTForecastSummary: Hashable, Sendable {
    /// One day of forecast.
    public struct Day: Hashable, Sendable {
        /// The date (JST).
        public var date: JSTDate
        /// The highest forecast value of the day, °C (`nil` when the day has no values).
        public var maximum: Double?
        /// When the maximum is forecast (the first such time).
        public var maximumAt: JSTDateTime?
        /// The heat level of the maximum.
        public var level: HeatLevel?
        /// For caution, warning, severe and stop: the forecast times at or above the level's lower
        /// bound (21/25/28/31 °C by default). A level absent from the dictionary is not reached.
        public var timesAtOrAbove: [HeatLevel: [JSTDateTime]]
        /// Forecast times falling on the day.
        public var slots: Int
        /// Of those, the blank ones.
        public var missing: Int
    }

    /// The point number.
    public var point: String
    /// When the Ministry generated the forecast.
    public var generated: JSTDateTime
    /// Today (the caller's date; the generation date when the caller's clock is behind).
    public var today: Day
    /// Tomorrow.
    public var tomorrow: Day
    /// `true` when the caller's clock read more than an hour before the generation time.
    public var clockBehindDocument: Bool
}
