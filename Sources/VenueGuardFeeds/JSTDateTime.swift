import VenueGuardCore

/// Japan Standard Time: UTC+9, no daylight saving time (none since 1952).
public enum JST {
    /// The offset of JST from UTC, in seconds (+9 h).
    public static let utcOffsetSeconds = 9 * 3600
}

/// A civil date in Japan Standard Time (the date printed on the official documents).
///
/// Years are bounded to 2000…2199 so that no number read from a document can overflow a
/// calculation; the official services did not exist before 2000.
public struct JSTDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year (2000…2199).
    public let year: Int
    /// The month (1…12).
    public let month: Int
    /// The day of the month (1…28/29/30/31).
    public let day: Int

    /// The date, or `nil` when the fields do not name a real date between 2000-01-01 and 2199-12-31.
    public init?(year: Int, month: Int, day: Int) {
        guard (2000...2199).contains(year), (1...12).contains(month),
              (1...JSTDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The JST date of `wall`, clamped to 2000-01-01…2199-12-31 (a wall clock at 1970 gives 2000-01-01).
    public init(_ wall: WallClockTime) {
        let c = wall.civil(utcOffsetSeconds: JST.utcOffsetSeconds)
        if c.year < 2000 {
            (year, month, day) = (2000, 1, 1)
        } else if c.year > 2199 {
            (year, month, day) = (2199, 12, 31)
        } else {
            (year, month, day) = (c.year, c.month, c.day)
        }
    }

    /// The date `days` later (earlier when negative), clamped to the supported years.
    public func adding(days: Int) -> JSTDate {
        JSTDate(start.adding(seconds: Double(days) * 86400 + 3600))
    }

    /// The start of the day, 00:00 JST.
    public var start: WallClockTime {
        WallClockTime(year: year, month: month, day: day, utcOffsetSeconds: JST.utcOffsetSeconds)
    }

    /// The end of the day: the first instant after 23:59:59 JST (the next day's 00:00 JST).
    /// Official heat alerts are valid "until 23:59" of their day, that is until this instant.
    public var end: WallClockTime { start.adding(seconds: 86400) }

    /// `2026-08-07`.
    public var description: String { "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))" }

    /// `20260807`, as in the Ministry's file names.
    public var compact: String { "\(Self.pad(year, 4))\(Self.pad(month, 2))\(Self.pad(day, 2))" }

    public static func < (lhs: JSTDate, rhs: JSTDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// A wall-clock date and time in Japan Standard Time, to the second.
public struct JSTDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The date.
    public let date: JSTDate
    /// The hour (0…23).
    public let hour: Int
    /// The minute (0…59).
    public let minute: Int
    /// The second (0…59).
    public let second: Int

    /// The time, or `nil` when a field is out of range. Hour 24 is accepted only at 24:00:00 and
    /// becomes 00:00:00 of the next day (the Ministry's CSVs write midnight as `24`).
    public init?(date: JSTDate, hour: Int, minute: Int = 0, second: Int = 0) {
        if hour == 24 && minute == 0 && second == 0 {
            self.date = date.adding(days: 1)
            self.hour = 0
        } else {
            guard (0...23).contains(hour) else { return nil }
            self.date = date
            self.hour = hour
        }
        guard (0...59).contains(minute), (0...59).contains(second) else { return nil }
        self.minute = minute
        self.second = second
    }

    /// The JST wall-clock time of `wall` (seconds truncated; clamped like `JSTDate.init(_:)`).
    public init(_ wall: WallClockTime) {
        let c = wall.civil(utcOffsetSeconds: JST.utcOffsetSeconds)
        let d = JSTDate(wall)
        date = d
        if d.year == c.year && d.month == c.month && d.day == c.day {
            hour = c.hour
            minute = c.minute
            second = min(59, max(0, Int(c.second)))
        } else {
            (hour, minute, second) = c.year < 2000 ? (0, 0, 0) : (23, 59, 59)
        }
    }

    /// The same moment as a UTC wall-clock time.
    public var wallClockTime: WallClockTime {
        date.start.adding(seconds: Double(hour * 3600 + minute * 60 + second))
    }

    /// The time `seconds` later (earlier when negative).
    public func adding(seconds: Double) -> JSTDateTime { JSTDateTime(wallClockTime.adding(seconds: seconds)) }

    /// `14:05`.
    public var hourMinute: String { "\(JSTDate.pad(hour, 2)):\(JSTDate.pad(minute, 2))" }

    /// `2026-08-07T14:05:00+09:00` (ISO 8601 with the JST offset).
    public var description: String { "\(date)T\(hourMinute):\(JSTDate.pad(second, 2))+09:00" }

    public static func < (lhs: JSTDateTime, rhs: JSTDateTime) -> Bool {
        (lhs.date, lhs.hour, lhs.minute, lhs.second) < (rhs.date, rhs.hour, rhs.minute, rhs.second)
    }

    /// Parses the strict ISO 8601 form the JMA documents use: `YYYY-MM-DDThh:mm:ss` followed by
    /// `Z`, `+09:00` or another `±hh:mm` offset (fractional seconds are not accepted). Returns the
    /// instant as a UTC wall-clock time, or `nil` when the text is not in that form.
    public static func parseISO8601(_ text: String) -> WallClockTime? {
        let b = Array(text.utf8)
        guard b.count == 20 || b.count == 25 else { return nil }
        func num(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for i in from..<(from + count) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58,
              let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
              let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2),
              let date = JSTDate(year: y, month: mo, day: d), h <= 23, mi <= 59, s <= 59 else { return nil }
        var offset = 0
        if b.count == 20 {
            guard b[19] == 90 else { return nil }  // "Z"
        } else {
            guard b[19] == 43 || b[19] == 45, b[22] == 58, let oh = num(20, 2), let om = num(23, 2),
                  oh <= 14, om <= 59 else { return nil }
            offset = (oh * 3600 + om * 60) * (b[19] == 43 ? 1 : -1)
        }
        return WallClockTime(year: date.year, month: date.month, day: date.day, hour: h, minute: mi,
                             second: Double(s), utcOffsetSeconds: offset)
    }
}
