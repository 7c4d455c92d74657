import VenueGuardCore

/// Parameters of `HeatAlertJudgement` and `HeatAlertState`.
public struct HeatAlertPolicy: Hashable, Sendable {
    /// How long after an issuing hour its file may still be missing before the previous issuance
    /// counts as stale (the service is slow at times). Default 45 minutes.
    public var publicationGrace: Duration
    /// What flag 2 (特別警戒情報判定: judged, not yet announced) counts as. Default
    /// `.specialAlert`: the Ministry has found the criteria met and the announcement follows, and
    /// the flag concerns the next day (the special alert is announced the day before), so taking
    /// it at once only brings planning forward and never weakens a floor. Set `.alert` to wait for
    /// the announcement (flag 3) before stopping indoor activity.
    public var specialAlertJudgedCounts: HeatAlert
    /// The latest a document may be learned after its creation time, used to bound a wall clock
    /// that was wrong when it was learned (see `HeatAlertState`). Default 13 hours (17:00 → 05:00
    /// is the longest gap between issuances).
    public var maximumLearningLag: Duration
    /// Slack for clock comparisons. Default 60 s.
    public var clockSlack: Duration
    /// When the service publishes at all.
    public var season: HeatAlertSeason

    /// The defaults described on each property.
    public static let standard = HeatAlertPolicy(publicationGrace: .seconds(45 * 60), specialAlertJudgedCounts: .specialAlert,
                                                 maximumLearningLag: .seconds(13 * 3600), clockSlack: .seconds(60),
                                                 season: .standard)

    /// Creates a policy.
    public init(publicationGrace: Duration, specialAlertJudgedCounts: HeatAlert, maximumLearningLag: Duration,
                clockSlack: Duration, season: HeatAlertSeason) {
        self.publicationGrace = publicationGrace
        self.specialAlertJudgedCounts = specialAlertJudgedCounts
        self.maximumLearningLag = maximumLearningLag
        self.clockSlack = clockSlack
        self.season = season
    }

    /// The alert a flag means, or `nil` for 9 (outside issuing hours: no information).
    public func alert(for flag: HeatAlertFlag) -> HeatAlert? {
        switch flag {
        case .none: HeatAlert.none  // spelled out: `.none` here would be Optional.none
        case .alert: .alert
        case .specialAlertJudged: max(specialAlertJudgedCounts, .alert)
        case .specialAlert: .specialAlert
        case .outsideIssuingHours: nil
        }
    }
}

/// What one heat alert document says about the configured forecast area, after its freshness,
/// date and area have been checked. Pure: the caller passes "now" (a JST wall-clock time).
public struct HeatAlertJudgement: Hashable, Sendable {
    /// One target date's verdict.
    public struct Day: Hashable, Sendable {
        /// The target date (JST); the alert is valid until its 23:59 (`date.end`).
        public var date: JSTDate
        /// The document's flag.
        public var flag: HeatAlertFlag
        /// The alert it means under the policy; `nil` for flag 9 (no information, not "none").
        public var alert: HeatAlert?
    }

    /// The issuance judged.
    public var issuance: HeatAlertIssuance
    /// The configured 6-digit forecast-area code.
    public var areaCode: String
    /// The area's name as written (e.g. `東京都`).
    public var areaName: String
    /// TargetDate1: the issuance's own date.
    public var day1: Day
    /// TargetDate2: the next day.
    public var day2: Day
    /// The document's creation time (or one hour before its report time when absent): no clock
    /// that reads earlier than this can be right.
    public var createdNoLaterThan: JSTDateTime
    /// `true` when "now" read earlier than the document's creation: the caller's clock is behind
    /// (not synchronised), so freshness could not be checked. The document is still used, since a
    /// well-formed official document only adds knowledge; `HeatAlertState` never ends an alert on
    /// such a clock.
    public var clockBehindDocument: Bool

    /// Judges `document`, fetched as `requested`, for the forecast area `areaCode` at `now`.
    ///
    /// - Throws: `FeedFault`:
    ///   - `.wrongIssuance`: `ReportDate`/`ReportTime` are not the requested file's date and hour;
    ///   - `.wrongDate`: `TargetDate1` is not the issuance date;
    ///   - `.notNormal`: a `Status` other than `通常`;
    ///   - `.wrongArea`: `areaCode` is not in the document (or is not 6 digits);
    ///   - `.stale`: a newer issuance should exist: `requested` is older than the newest issuance
    ///     whose hour had come `policy.publicationGrace` before `now`.
    public static func judge(_ document: HeatAlertCSV, requested: HeatAlertIssuance, areaCode: String, now: JSTDateTime,
                             policy: HeatAlertPolicy = .standard) throws(FeedFault) -> HeatAlertJudgement {
        let doc = FeedDocument.heatAlertCSV
        guard document.reportTime == requested.reportTime else {
            throw FeedFault(.wrongIssuance, doc, "the document reports \(document.reportTime.date) \(document.reportTime.hourMinute), the file requested was \(requested)")
        }
        guard document.targetDate1 == requested.date else {
            throw FeedFault(.wrongDate, doc, "TargetDate1 is \(document.targetDate1), the issuance date is \(requested.date)")
        }
        if let status = document.status, status != "通常" {
            throw FeedFault(.notNormal, doc, "Status is \"\(status.prefix(20))\", not 通常")
        }
        guard areaCode.utf8.count == 6, FeedText.integer(Substring(areaCode)) != nil else {
            throw FeedFault(.wrongArea, doc, "the configured area code \"\(areaCode.prefix(20))\" is not 6 digits")
        }
        guard let area = document.area(code: areaCode) else {
            throw FeedFault(.wrongArea, doc, "area \(areaCode) is not in the document (\(document.areas.count) areas)")
        }
        let created = min(document.createTime ?? document.reportTime.adding(seconds: -3600), document.reportTime)
        let behind = now.wallClockTime < created.wallClockTime.adding(seconds: -policy.clockSlack.seconds)
        if !behind {
            let expected = HeatAlertIssuance.newest(atOrBefore: now.adding(seconds: -policy.publicationGrace.seconds))
            if requested < expected {
                throw FeedFault(.stale, doc, "issuance \(requested) is older than \(expected), which should exist at \(now.date) \(now.hourMinute)")
            }
        }
        return HeatAlertJudgement(
            issuance: requested, areaCode: areaCode, areaName: area.name,
            day1: Day(date: document.targetDate1, flag: area.targetDate1Flag, alert: policy.alert(for: area.targetDate1Flag)),
            day2: Day(date: document.targetDate2, flag: area.targetDate2Flag, alert: policy.alert(for: area.targetDate2Flag)),
            createdNoLaterThan: created, clockBehindDocument: behind)
    }
}
