/// One issuance of the heat-stroke alert CSV: a JST date and an issuing hour (05, 10, 14 or 17).
///
/// The alert is issued at 17:00 the day before and 05:00 on the day; the special alert is judged
/// on the 10:00 forecast and announced at about 14:00 the day before. Each issuance is one national
/// file, `https://www.wbgt.env.go.jp/alert/dl/{YYYY}/alert_{YYYYMMDD}_{HH}.csv`.
public struct HeatAlertIssuance: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The issuing hours, JST: 05, 10, 14, 17.
    public static let hours = [5, 10, 14, 17]

    /// The service's base URL (the fetcher may point at a local test server instead).
    public static let baseURL = "https://www.wbgt.env.go.jp/"

    /// The issuance date (JST), also the file's `YYYYMMDD` and the document's `TargetDate1`.
    public let date: JSTDate
    /// The issuing hour, one of `hours`.
    public let hour: Int

    /// The issuance, or `nil` when `hour` is not an issuing hour.
    public init?(date: JSTDate, hour: Int) {
        guard Self.hours.contains(hour) else { return nil }
        self.date = date
        self.hour = hour
    }

    /// The report date/time the document must carry (`ReportDate`/`ReportTime`): `hour`:00 JST.
    public var reportTime: JSTDateTime { JSTDateTime(date: date, hour: hour)! }

    /// `alert_20260807_05.csv`.
    public var fileName: String { "alert_\(date.compact)_\(JSTDate.pad(hour, 2)).csv" }

    /// `alert/dl/2026/alert_20260807_05.csv`, relative to `baseURL`.
    public var path: String { "alert/dl/\(JSTDate.pad(date.year, 4))/\(fileName)" }

    /// The issuance's full URL on the official service.
    public var url: String { Self.baseURL + path }

    /// The next issuance after this one.
    public var next: HeatAlertIssuance {
        if let later = Self.hours.first(where: { $0 > hour }) { return HeatAlertIssuance(date: date, hour: later)! }
        return HeatAlertIssuance(date: date.adding(days: 1), hour: Self.hours[0])!
    }

    /// The issuance before this one.
    public var previous: HeatAlertIssuance {
        if let earlier = Self.hours.last(where: { $0 < hour }) { return HeatAlertIssuance(date: date, hour: earlier)! }
        return HeatAlertIssuance(date: date.adding(days: -1), hour: Self.hours[Self.hours.count - 1])!
    }

    /// The newest issuance whose hour has come at `time`: the latest of today's 05/10/14/17 at or
    /// before it, else yesterday's 17:00.
    public static func newest(atOrBefore time: JSTDateTime) -> HeatAlertIssuance {
        if let hour = hours.last(where: { $0 <= time.hour }) { return HeatAlertIssuance(date: time.date, hour: hour)! }
        return HeatAlertIssuance(date: time.date.adding(days: -1), hour: hours[hours.count - 1])!
    }

    /// The files to try at `now`, newest first: today's issuances at or before `now` (newest
    /// first), then yesterday's 17:00. A 404 on one (not yet published, out of season) means
    /// "try the next"; the first that parses and judges well wins. At most five entries.
    ///
    /// - 04:59 → yesterday 17
    /// - 05:10 → today 05, yesterday 17
    /// - 17:05 → today 17, 14, 10, 05, yesterday 17
    public static func candidates(at now: JSTDateTime) -> [HeatAlertIssuance] {
        var result = hours.filter { $0 <= now.hour }.reversed().map { HeatAlertIssuance(date: now.date, hour: $0)! }
        result.append(HeatAlertIssuance(date: now.date.adding(days: -1), hour: hours[hours.count - 1])!)
        return result
    }

    /// Parses a file name such as `alert_20260807_05.csv`.
    public init?(fileName: String) {
        let b = Array(fileName.utf8)
        guard b.count == 21, fileName.hasPrefix("alert_"), fileName.hasSuffix(".csv"), b[14] == 95,
              let y = FeedText.integer(Substring(fileName.dropFirst(6).prefix(4))),
              let m = FeedText.integer(Substring(fileName.dropFirst(10).prefix(2))),
              let d = FeedText.integer(Substring(fileName.dropFirst(12).prefix(2))),
              let h = FeedText.integer(Substring(fileName.dropFirst(15).prefix(2))),
              let date = JSTDate(year: y, month: m, day: d) else { return nil }
        self.init(date: date, hour: h)
    }

    public static func < (lhs: HeatAlertIssuance, rhs: HeatAlertIssuance) -> Bool {
        (lhs.date, lhs.hour) < (rhs.date, rhs.hour)
    }

    /// `2026-08-07 05:00`.
    public var description: String { "\(date) \(JSTDate.pad(hour, 2)):00" }
}

/// The season in which the Ministry's data service publishes (clients use 22 April – 21 October;
/// outside it a 404 is normal and means "no alert", not a fault). The bounds are parameters because
/// they are taken from clients, not from the Ministry's own documentation.
public struct HeatAlertSeason: Hashable, Sendable {
    /// First day of the season (month, day).
    public var first: (month: Int, day: Int)
    /// Last day of the season (month, day).
    public var last: (month: Int, day: Int)

    /// 22 April – 21 October.
    public static let standard = HeatAlertSeason(first: (4, 22), last: (10, 21))

    /// Creates a season from its first and last days.
    public init(first: (month: Int, day: Int), last: (month: Int, day: Int)) {
        self.first = first
        self.last = last
    }

    /// Whether `date` falls in the season.
    public func contains(_ date: JSTDate) -> Bool {
        let md = date.month * 100 + date.day
        return md >= first.month * 100 + first.day && md <= last.month * 100 + last.day
    }

    public static func == (lhs: HeatAlertSeason, rhs: HeatAlertSeason) -> Bool {
        lhs.first == rhs.first && lhs.last == rhs.last
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(first.month); hasher.combine(first.day); hasher.combine(last.month); hasher.combine(last.day)
    }
}
