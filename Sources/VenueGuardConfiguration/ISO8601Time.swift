import Foundation
import VenueGuardCore

/// Reads the ISO 8601 times written in scenarios, calculator options and MQTT commands
/// (`2024-08-01T13:00:00+09:00`, `…Z`, fractional seconds allowed) with Foundation's
/// `ISO8601DateFormatter`, never by hand. Foundation rolls an impossible date over
/// (2024-02-31 → 2 March), so every parse is checked by writing the instant back in the same
/// offset: a date or time that does not exist is refused, not moved.
public enum ISO8601Time {
    /// The instant and its UTC offset in seconds, or `nil` when `text` is not an RFC 3339
    /// time with an offset, or names a date or time that does not exist.
    public static func parse(_ text: String) -> (time: WallClockTime, utcOffsetSeconds: Int)? {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.utf8.count <= 40 else { return nil }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: trimmed) ?? fractional.date(from: trimmed), let offset = utcOffset(of: trimmed),
              let zone = TimeZone(secondsFromGMT: offset) else { return nil }
        // Written back in its own offset, a real date reads the same to the second.
        plain.timeZone = zone
        let written = plain.string(from: date)
        guard written.prefix(19) == trimmed.prefix(19) else { return nil }
        return (WallClockTime(secondsSince1970: date.timeIntervalSince1970), offset)
    }

    /// The offset at the end of an RFC 3339 time (`Z`, `+09:00`), seconds east of UTC.
    static func utcOffset(of text: String) -> Int? {
        if text.hasSuffix("Z") || text.hasSuffix("z") { return 0 }
        let suffix = Array(text.suffix(6))
        guard suffix.count == 6, suffix[0] == "+" || suffix[0] == "-", suffix[3] == ":",
              let hours = Int(String(suffix[1...2])), let minutes = Int(String(suffix[4...5])), hours <= 14, minutes < 60 else { return nil }
        return (suffix[0] == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// Whether `text` is a YYYY-MM-DD date that exists (2026-02-31 does not), read by Foundation.
    public static func isCalendarDate(_ text: String) -> Bool {
        guard text.count == 10 else { return false }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        guard let date = formatter.date(from: text) else { return false }
        return formatter.string(from: date) == text
    }
}
