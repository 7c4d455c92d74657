import VenueGuardCore

/// The heat alert the venue is under now, as `HeatAlertState.status(at:)` reports it.
public struct HeatAlertStatus: Hashable, Sendable {
    /// The source to name wherever the alert is shown, as the service's terms require.
    public static let attribution = "出典：環境省熱中症予防情報サイト"

    /// The alert in force now (`.none` when none). Never lower than an alert already issued for
    /// the day, whatever later documents say, and held while the feed cannot be read.
    public var alert: HeatAlert
    /// When `alert` ends: the end of its day (the next day's 00:00 JST), or `nil` with `.none`.
    /// Pass it on as `VenueInput.heatAlert(alert, until:)`.
    public var until: WallClockTime?
    /// The target date `alert` belongs to, or `nil` with `.none`.
    public var date: JSTDate?
    /// `false` when the level comes from flag 2 only (special alert judged, not yet announced).
    public var announced: Bool
    /// Tomorrow's alert as known so far (for planning), `nil` when no document has said.
    public var tomorrow: HeatAlert?
    /// Whether the feed is known now, and since when it is not.
    public var availability: FeedAvailability
    /// The newest issuance read, if any.
    public var newestIssuance: HeatAlertIssuance?
}

/// Merges successive `HeatAlertJudgement`s for one forecast area into the alert in force.
///
/// Rules:
/// - **Never lifted early.** Per target date the level only rises: a later document saying 0 does
///   not lower an alert already issued for that day; flag 9 (outside issuing hours) adds nothing.
/// - **Valid until 23:59 JST of the target day**, ended only on proof: either the monotonic time
///   since the day was last learned covers the rest of the day counted from the document's creation
///   (no wall clock needed), or the wall clock is synchronised, reads past the day's end, *and*
///   the monotonic time since learning agrees. A wall clock at 1970, one that jumps forward, or an
///   unsynchronised one never ends an alert early.
/// - **Started** when the wall clock (synchronised) reads the day's 00:00, or the monotonic time
///   since learning proves it. With an unsynchronised clock every day not proven ended counts, so
///   tomorrow's alert may apply early: the safe side.
/// - **Faults keep the last known state** until its natural end; the availability turns to
///   "not known since <time of the last good read>" at once, and also when the newest document
///   read is no longer current (a newer issuance should exist), even if no fault was reported.
///
/// `Timestamp`s passed in must come from one monotonic clock (one boot).
public struct HeatAlertState: Sendable {
    struct DayRecord: Hashable, Sendable {
        var alert: HeatAlert
        var announced: Bool
        var issuance: HeatAlertIssuance
        var learnedAt: MonotonicInstant
        var learnedWall: WallClockTime
        var created: WallClockTime
    }

    /// The parameters.
    public let policy: HeatAlertPolicy
    var days: [JSTDate: DayRecord] = [:]
    var newestIssuance: HeatAlertIssuance?
    var lastGood: (monotonic: MonotonicInstant, shown: JSTDateTime)?
    var lastFault: (monotonic: MonotonicInstant, fault: FeedFault)?

    /// The most target dates remembered.
    public static let maximumDays = 8

    /// An empty state: nothing known yet.
    public init(policy: HeatAlertPolicy = .standard) {
        self.policy = policy
    }

    /// Merges a judgement read at `time`.
    public mutating func record(_ judgement: HeatAlertJudgement, at time: Timestamp) {
        let created = judgement.createdNoLaterThan.wallClockTime
        let learnedWall: WallClockTime
        if time.wallClockSynchronized && !judgement.clockBehindDocument {
            learnedWall = min(max(time.wall, created), created.adding(seconds: policy.maximumLearningLag.seconds))
        } else {
            learnedWall = created
        }
        for day in [judgement.day1, judgement.day2] {
            guard let alert = day.alert else { continue }  // flag 9: no information
            let announced = day.flag != .specialAlertJudged
            let fresh = DayRecord(alert: alert, announced: announced, issuance: judgement.issuance,
                                  learnedAt: time.monotonic, learnedWall: learnedWall, created: created)
            guard var record = days[day.date] else {
                days[day.date] = fresh
                continue
            }
            if alert > record.alert {
                record.alert = alert
                record.announced = announced
            } else if alert == record.alert {
                record.announced = record.announced || announced
            }
            if judgement.issuance >= record.issuance {
                record.issuance = judgement.issuance
                record.learnedAt = time.monotonic
                record.learnedWall = learnedWall
                record.created = created
            }
            days[day.date] = record
        }
        if newestIssuance.map({ judgement.issuance >= $0 }) ?? true {
            newestIssuance = judgement.issuance
            lastGood = (time.monotonic, time.wallClockSynchronized && !judgement.clockBehindDocument
                        ? JSTDateTime(time.wall) : judgement.issuance.reportTime)
        }
        prune(at: time)
    }

    /// Notes that no usable document could be read at `time` (every candidate failed, or the
    /// document was malformed, stale, for another date or area). The alerts already known hold.
    public mutating func recordFault(_ fault: FeedFault, at time: Timestamp) {
        lastFault = (time.monotonic, fault)
    }

    /// The alert in force at `time`, and whether the feed is known.
    public func status(at time: Timestamp) -> HeatAlertStatus {
        let trusted = time.wallClockSynchronized
        var best: (date: JSTDate, record: DayRecord)?
        for (date, record) in days where !ended(date, record, at: time) && (started(date, record, at: time) || !trusted) {
            if let b = best {
                if record.alert > b.record.alert || (record.alert == b.record.alert && date > b.date) { best = (date, record) }
            } else {
                best = (date, record)
            }
        }
        let today: JSTDate? = trusted ? JSTDate(time.wall) : (best?.date ?? newestIssuance?.date)
        let alert = best?.record.alert ?? .none
        return HeatAlertStatus(
            alert: alert,
            until: alert == .none ? nil : best?.date.end,
            date: alert == .none ? nil : best?.date,
            announced: alert == .none ? true : best?.record.announced ?? true,
            tomorrow: today.flatMap { days[$0.adding(days: 1)]?.alert },
            availability: availability(at: time, today: today, alertInForce: alert != .none),
            newestIssuance: newestIssuance)
    }

    func availability(at time: Timestamp, today: JSTDate?, alertInForce: Bool) -> FeedAvailability {
        if time.wallClockSynchronized, let today, !policy.season.contains(today), !alertInForce { return .outOfSeason }
        guard let good = lastGood, let newest = newestIssuance else {
            return .notKnown(since: nil, reason: lastFault?.fault.description
                             ?? (time.wallClockSynchronized ? "no heat alert document read yet"
                                 : "no heat alert document read yet, and the clock is not synchronised, so the season cannot be told"))
        }
        if let fault = lastFault, fault.monotonic > good.monotonic {
            return .notKnown(since: good.shown, reason: fault.fault.description)
        }
        if time.wallClockSynchronized {
            let expected = HeatAlertIssuance.newest(atOrBefore: JSTDateTime(time.wall.adding(seconds: -policy.publicationGrace.seconds)))
            if newest < expected && time.wall >= newest.reportTime.wallClockTime {
                return .notKnown(since: good.shown, reason: "the newest document read is \(newest); \(expected) should exist by now")
            }
        } else if (time.monotonic - good.monotonic).seconds > policy.maximumLearningLag.seconds {
            return .notKnown(since: good.shown, reason: "no document read for \(DurationText.format(time.monotonic - good.monotonic)) and the clock is not synchronised")
        }
        return .known(asOf: good.shown)
    }

    /// Proof that `date` has ended (see the type's rules).
    func ended(_ date: JSTDate, _ record: DayRecord, at time: Timestamp) -> Bool {
        let elapsed = (time.monotonic - record.learnedAt).seconds
        let end = date.end.secondsSince1970
        if elapsed >= end - record.created.secondsSince1970 { return true }
        return time.wallClockSynchronized && time.wall.secondsSince1970 >= end
            && elapsed >= end - record.learnedWall.secondsSince1970
    }

    /// Proof that `date` has begun.
    func started(_ date: JSTDate, _ record: DayRecord, at time: Timestamp) -> Bool {
        let elapsed = (time.monotonic - record.learnedAt).seconds
        if record.created.secondsSince1970 + elapsed >= date.start.secondsSince1970 { return true }
        return time.wallClockSynchronized && time.wall >= date.start
    }

    mutating func prune(at time: Timestamp) {
        for (date, record) in days where ended(date, record, at: time) { days[date] = nil }
        while days.count > Self.maximumDays, let oldest = days.keys.min() { days[oldest] = nil }
    }
}
