/// A point in civil time (UTC), as seconds since 1970-01-01T00:00:00Z.
///
/// Core uses wall-clock time only where the meaning is civil: the sun's position and the
/// expiry of an official alert. It never measures durations with it.
public struct WallClockTime: Comparable, Hashable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Double

    /// Creates a time `secondsSince1970` after the Unix epoch.
    public init(secondsSince1970: Double) {
        self.secondsSince1970 = secondsSince1970
    }

    /// Creates a UTC time from calendar fields (proleptic Gregorian).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Double = 0, utcOffsetSeconds: Int = 0) {
        let days = WallClockTime.daysFromCivil(year: year, month: month, day: day)
        secondsSince1970 = Double(days) * 86400 + Double(hour * 3600 + minute * 60 - utcOffsetSeconds) + second
    }

    /// The Julian date (days since noon UTC, 4713 BC January 1).
    public var julianDate: Double { secondsSince1970 / 86400 + 2440587.5 }

    /// The time `seconds` later.
    public func adding(seconds: Double) -> WallClockTime {
        WallClockTime(secondsSince1970: secondsSince1970 + seconds)
    }

    public static func < (lhs: WallClockTime, rhs: WallClockTime) -> Bool {
        lhs.secondsSince1970 < rhs.secondsSince1970
    }

    /// Calendar fields of this time shifted by `utcOffsetSeconds`.
    public func civil(utcOffsetSeconds: Int = 0) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Double) {
        let shifted = secondsSince1970 + Double(utcOffsetSeconds)
        var days = Int((shifted / 86400).rounded(.down))
        let secondsOfDay = shifted - Double(days) * 86400
        // Days since 1970 → civil date (H. Hinnant's algorithm).
        days += 719468
        let era = (days >= 0 ? days : days - 146096) / 146097
        let doe = days - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let hour = Int(secondsOfDay / 3600)
        let minute = Int((secondsOfDay - Double(hour) * 3600) / 60)
        let second = secondsOfDay - Double(hour * 3600 + minute * 60)
        return (year, month, day, hour, minute, second)
    }

    /// Days from 1970-01-01 to the given civil date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
