import VenueGuardCore

/// The thunder advisory the venue is under now, as `ThunderAdvisoryState.status(at:)` reports it.
public struct ThunderAdvisoryNow: Hashable, Sendable {
    /// The source to name wherever the advisory is shown.
    public static let attribution = "出典：気象庁"

    /// Whether the advisory is in force (held while the feed cannot be read: a silent or broken
    /// feed never lifts it). Pass it on as `VenueInput.thunderAdvisory(inForce, until: nil)`.
    public var inForce: Bool
    /// The state reported by the newest document accepted, `nil` before any.
    public var status: ThunderAdvisoryStatus?
    /// That document's report time.
    public var reportTime: WallClockTime?
    /// Whether the feed is known now, and since when it is not.
    public var availability: FeedAvailability
}

/// Merges successive `ThunderAdvisoryReport`s (from VPWW61/VPWW54 XML or the r8 JSON) for one
/// municipality.
///
/// - Reports are ordered by their own report time: an older document never overrides a newer one
///   (documents can arrive out of order, from two channels, or again); a correction (訂正) with the
///   same report time replaces the report it corrects.
/// - A lift (解除) or "none" from a newer document ends the advisory; nothing else does. Faults and
///   silence keep the last known state (in force stays in force) and make the availability
///   "not known since <last confirmation>".
/// - The source is known while it was confirmed within `maximumSilence` (monotonic): by an accepted
///   report or by `recordConfirmation` (the Atom feed read and current, nothing new for us).
///
/// `Timestamp`s must come from one monotonic clock (one boot).
public struct ThunderAdvisoryState: Sendable {
    /// The longest time without confirmation before the source is "not known". Default 10 minutes.
    public var maximumSilence: Duration
    var report: ThunderAdvisoryReport?
    var lastConfirmed: (monotonic: MonotonicInstant, shown: JSTDateTime)?
    var lastFault: (monotonic: MonotonicInstant, fault: FeedFault)?

    /// Nothing known yet.
    public init(maximumSilence: Duration = .seconds(10 * 60)) {
        self.maximumSilence = maximumSilence
    }

    /// Merges a report read at `time`. Returns `false` (and changes nothing but the confirmation)
    /// when it is older than the report already held.
    @discardableResult
    public mutating func record(_ new: ThunderAdvisoryReport, at time: Timestamp) -> Bool {
        confirm(at: time)
        if let old = report {
            if new.reportTime < old.reportTime { return false }
            if new.reportTime == old.reportTime && !new.isCorrection && new.status != old.status {
                // Two different answers for the same report time (e.g. XML and JSON disagree):
                // keep the one in force, the safe side.
                if old.status.inForce { return false }
            }
        }
        report = new
        return true
    }

    /// Notes that the source was read and is current at `time` with nothing new for the
    /// municipality (e.g. `JMAAtomFeed.checkCurrent` passed and no matching entry was new).
    public mutating func recordConfirmation(at time: Timestamp) {
        confirm(at: time)
    }

    /// Notes a fault at `time`: the state holds; the availability turns to "not known".
    public mutating func recordFault(_ fault: FeedFault, at time: Timestamp) {
        lastFault = (time.monotonic, fault)
    }

    mutating func confirm(at time: Timestamp) {
        lastConfirmed = (time.monotonic, JSTDateTime(time.wall))
        lastFault = nil
    }

    /// The advisory at `time`.
    public func status(at time: Timestamp) -> ThunderAdvisoryNow {
        let availability: FeedAvailability
        if let confirmed = lastConfirmed {
            if let fault = lastFault, fault.monotonic >= confirmed.monotonic {
                availability = .notKnown(since: confirmed.shown, reason: fault.fault.description)
            } else if time.monotonic - confirmed.monotonic > maximumSilence {
                availability = .notKnown(since: confirmed.shown, reason: "nothing read for \(DurationText.format(time.monotonic - confirmed.monotonic))")
            } else {
                availability = .known(asOf: confirmed.shown)
            }
        } else {
            availability = .notKnown(since: nil, reason: lastFault?.fault.description ?? "no thunder advisory document read yet")
        }
        return ThunderAdvisoryNow(inForce: report?.status.inForce ?? false, status: report?.status,
                                  reportTime: report?.reportTime, availability: availability)
    }
}
