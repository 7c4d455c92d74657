import Foundation

/// The text encoding a CSV document was found in.
public enum FeedTextEncoding: String, Hashable, Sendable {
    /// UTF-8 (with or without a byte-order mark): what the services publish as of 2026.
    case utf8 = "UTF-8"
    /// Shift_JIS, accepted when the bytes are not valid UTF-8.
    case shiftJIS = "Shift_JIS"
}

/// Decoding and splitting of the Ministry's small CSV documents (internal helpers).
enum FeedText {
    /// Decodes `data` as UTF-8 (a leading BOM removed), else as Shift_JIS. Rejects documents over
    /// `maximumBytes`, empty ones and binary ones (a NUL byte, or neither encoding fits).
    static func decode(_ data: Data, maximumBytes: Int, document: FeedDocument) throws(FeedFault) -> (String, FeedTextEncoding) {
        guard data.count <= maximumBytes else {
            throw FeedFault(.tooLarge, document, "\(data.count) bytes, more than the \(maximumBytes) accepted")
        }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard !bytes.isEmpty else { throw FeedFault(.notText, document, "the document is empty") }
        guard !bytes.contains(0) else { throw FeedFault(.notText, document, "the document contains NUL bytes (binary)") }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
        if let text = String(data: Data(bytes), encoding: .shiftJIS), !text.contains("\u{FFFD}") { return (text, .shiftJIS) }
        throw FeedFault(.notText, document, "the bytes are neither UTF-8 nor Shift_JIS")
    }

    /// The document's lines (CRLF, LF or CR), with their 1-based numbers, at most `maximumLines`.
    static func lines(_ text: String, maximumLines: Int, document: FeedDocument) throws(FeedFault) -> [(number: Int, text: Substring)] {
        var result: [(Int, Substring)] = []
        var number = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            number += 1
            guard number <= maximumLines else {
                throw FeedFault(.malformed, document, line: number, "more than \(maximumLines) lines")
            }
            result.append((number, line))
        }
        return result
    }

    /// The comma-separated fields of an unquoted CSV line, at most `maximumFields`.
    static func fields(_ line: Substring, maximumFields: Int, lineNumber: Int, document: FeedDocument) throws(FeedFault) -> [Substring] {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count <= maximumFields else {
            throw FeedFault(.malformed, document, line: lineNumber, "\(fields.count) fields, more than \(maximumFields)")
        }
        if line.contains("\"") {
            throw FeedFault(.malformed, document, line: lineNumber, "quoted fields are not expected in this document")
        }
        return fields
    }

    /// A field without surrounding spaces or tabs.
    static func trimmed(_ field: Substring) -> Substring {
        var s = field
        while let c = s.first, c == " " || c == "\t" || c == "\u{3000}" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\u{3000}" { s.removeLast() }
        return s
    }

    /// A non-negative decimal integer of 1…`maxDigits` ASCII digits, or `nil`.
    static func integer(_ text: Substring, maxDigits: Int = 9) -> Int? {
        guard !text.isEmpty, text.utf8.count <= maxDigits else { return nil }
        var value = 0
        for b in text.utf8 {
            guard b >= 48 && b <= 57 else { return nil }
            value = value * 10 + Int(b - 48)
        }
        return value
    }

    /// A signed decimal integer (`-12`, `260`), or `nil`.
    static func signedInteger(_ text: Substring, maxDigits: Int = 9) -> Int? {
        if text.first == "-" { return integer(text.dropFirst(), maxDigits: maxDigits).map { -$0 } }
        return integer(text, maxDigits: maxDigits)
    }

    /// A plain decimal number (`25.0`, `-3`, `31.25`): digits, at most one point, optional sign;
    /// no exponent, no `nan`/`inf`. `nil` otherwise.
    static func decimal(_ text: Substring) -> Double? {
        guard !text.isEmpty, text.utf8.count <= 12 else { return nil }
        var sawDigit = false, sawPoint = false
        for (i, b) in text.utf8.enumerated() {
            if b >= 48 && b <= 57 { sawDigit = true; continue }
            if b == 46 && !sawPoint { sawPoint = true; continue }
            if b == 45 && i == 0 { continue }
            return nil
        }
        guard sawDigit else { return nil }
        return Double(String(text))
    }

    /// `2026/08/07` or `2026/8/7`.
    static func slashDate(_ text: Substring) -> JSTDate? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count == 4, (1...2).contains(parts[1].utf8.count), (1...2).contains(parts[2].utf8.count),
              let y = integer(parts[0]), let m = integer(parts[1]), let d = integer(parts[2]) else { return nil }
        return JSTDate(year: y, month: m, day: d)
    }

    /// `05:00:00`, `5:00`, `24:00` → (hour, minute, second); the hour may be 24 only at 24:00(:00).
    static func clockTime(_ text: Substring) -> (Int, Int, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, (1...2).contains(parts[0].utf8.count),
              parts[1].utf8.count == 2, parts.count == 2 || parts[2].utf8.count == 2,
              let h = integer(parts[0]), let m = integer(parts[1]) else { return nil }
        let s = parts.count == 3 ? integer(parts[2]) : 0
        guard let s, h <= 24, m <= 59, s <= 59, h < 24 || (m == 0 && s == 0) else { return nil }
        return (h, m, s)
    }
}
