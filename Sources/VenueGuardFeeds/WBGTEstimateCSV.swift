import Foundation

/// The Ministry of the Environment estimated/observed WBGT per point for one month,
/// `https://www.wbgt.env.go.jp/est15WG/dl/wbgt_{point}_{YYYYMM}.csv`, for comparing the box's own
/// outdoor WBGT with the official estimate (`ForecastDisagreement`).
///
/// Layout: header `Date,Time,44132` (the 5-digit point number), then hourly lines
/// `2026/8/1,1:00,25.0` (°C; `24:00` = the next day's 00:00; blank = not yet reached or missing).
///
/// Strict: at most `maximumBytes` and `maximumRows` lines, times strictly increasing on the hour,
/// values within −20.0…60.0 °C, faults naming the line.
public struct WBGTEstimateCSV: Hashable, Sendable {
    /// One hourly value.
    public struct Sample: Hashable, Sendable {
        /// The hour (JST).
        public var time: JSTDateTime
        /// WBGT, °C; `nil` when blank.
        public var celsius: Double?
    }

    /// The largest document accepted: 256 KiB (a month is about 20 KiB).
    public static let maximumBytes = 256 * 1024
    /// The most data lines accepted (a 31-day month has 744 hours).
    public static let maximumRows = 800

    /// The encoding the document was found in.
    public var encoding: FeedTextEncoding
    /// The point number from the header.
    public var point: String
    /// The hourly values, in time order.
    public var samples: [Sample]

    /// The value for the hour `time` (its minutes and seconds ignored), if present and not blank.
    public func value(at time: JSTDateTime) -> Double? {
        guard let hour = JSTDateTime(date: time.date, hour: time.hour) else { return nil }
        return samples.first { $0.time == hour }?.celsius
    }

    /// Parses an estimate CSV; `point`, when given, must be the header's point.
    /// - Throws: `FeedFault` (`.tooLarge`, `.notText`, `.malformed`, `.outOfRange`, `.wrongPoint`).
    public static func parse(_ data: Data, point expected: String? = nil) throws(FeedFault) -> WBGTEstimateCSV {
        let doc = FeedDocument.wbgtEstimateCSV
        let (text, encoding) = try FeedText.decode(data, maximumBytes: maximumBytes, document: doc)
        let lines = try FeedText.lines(text, maximumLines: maximumRows + 10, document: doc).filter { !FeedText.trimmed($0.text).isEmpty }
        guard let (headerLine, header) = lines.first else { throw FeedFault(.malformed, doc, "the document has no lines") }
        let h = try FeedText.fields(header, maximumFields: 3, lineNumber: headerLine, document: doc).map(FeedText.trimmed)
        guard h.count == 3, h[0] == "Date", h[1] == "Time", h[2].utf8.count == 5, FeedText.integer(h[2]) != nil else {
            throw FeedFault(.malformed, doc, line: headerLine, "expected the header Date,Time,<5-digit point>")
        }
        let point = String(h[2])
        if let expected, expected != point {
            throw FeedFault(.wrongPoint, doc, line: headerLine, "the document is for point \(point), not \(expected)")
        }
        var samples: [Sample] = []
        for (number, line) in lines.dropFirst() {
            let f = try FeedText.fields(line, maximumFields: 3, lineNumber: number, document: doc).map(FeedText.trimmed)
            guard f.count == 3 else { throw FeedFault(.malformed, doc, line: number, "\(f.count) fields, expected 3") }
            guard let date = FeedText.slashDate(f[0]), let (hh, mm, ss) = FeedText.clockTime(f[1]), mm == 0, ss == 0,
                  let time = JSTDateTime(date: date, hour: hh) else {
                throw FeedFault(.outOfRange, doc, line: number, "\"\(f[0].prefix(12)),\(f[1].prefix(8))\" is not a date and a whole hour")
            }
            if let last = samples.last?.time, time <= last {
                throw FeedFault(.malformed, doc, line: number, "\(time) does not follow \(last)")
            }
            var value: Double?
            if !f[2].isEmpty {
                guard let v = FeedText.decimal(f[2]), (-20...60).contains(v) else {
                    throw FeedFault(.outOfRange, doc, line: number, "value \"\(f[2].prefix(12))\" is not °C within -20…60")
                }
                value = v
            }
            samples.append(Sample(time: time, celsius: value))
        }
        guard !samples.isEmpty else { throw FeedFault(.malformed, doc, "no data lines after the header") }
        return WBGTEstimateCSV(encoding: encoding, point: point, samples: samples)
    }
}
