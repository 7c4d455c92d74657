import Foundation
import VenueGuardCore

/// A flag of the heat-stroke alert CSV, for one forecast area and one target date. The CSV's own
/// `FlagExplanation` line reads 発表無し:0、熱中症警戒情報発表:1、熱中症特別警戒情報判定:2、
/// 熱中症特別警戒情報発表:3、発表時間外:9.
public enum HeatAlertFlag: Int, Hashable, Sendable, CaseIterable {
    /// 0 発表無し: no alert issued.
    case none = 0
    /// 1 熱中症警戒情報発表 (熱中症警戒アラート): alert issued.
    case alert = 1
    /// 2 熱中症特別警戒情報判定: the special alert's criteria were judged met (on the 10:00
    /// forecast) and the announcement (about 14:00, the day before) has not been made yet.
    case specialAlertJudged = 2
    /// 3 熱中症特別警戒情報発表 (熱中症特別警戒アラート): special alert issued.
    case specialAlert = 3
    /// 9 発表時間外: outside the issuing hours for this target date; the document says nothing
    /// about it. Normal, not an error.
    case outsideIssuingHours = 9
}

/// The Ministry of the Environment heat-stroke alert CSV (熱中症警戒アラート / 熱中症特別警戒アラート),
/// one national file per issuance:
/// `https://www.wbgt.env.go.jp/alert/dl/{YYYY}/alert_{YYYYMMDD}_{HH}.csv`, HH ∈ 05, 10, 14, 17
/// (see `HeatAlertIssuance`).
///
/// Layout (unquoted, comma-separated, UTF-8, Shift_JIS tolerated, BOM stripped):
/// - `key,value,,,…` metadata lines: `Title`, `Encoding`, `TimeZone`, `CreateDate`, `CreateTime`,
///   `PublishingOffice`, `ReportDate` (`2026/08/07`), `ReportTime` (`05:00:00`), `TargetDate1`,
///   `TargetDate2`, `FlagExplanation`, `Status` (`通常`), … Unknown keys are kept, not interpreted.
/// - a header line starting `府県予報区,` naming the columns, among them `府県予報区等コード`,
///   `都道府県コード`, `TargetDate1フラグ`, `TargetDate2フラグ`;
/// - one line per forecast area (58 in 2026): name, display number, sub-number, 6-digit area code
///   (the same codes as JMA's `area.json` offices, e.g. `130000`), prefecture name, 2-digit
///   prefecture code, the two flags, then daily-maximum point lists (`東京:31/八王子:34`).
///
/// Strict: at most `maximumBytes` bytes, `maximumMetadataLines` metadata lines and
/// `maximumAreas` area lines; every code, flag, date and time checked; faults name the line.
public struct HeatAlertCSV: Hashable, Sendable {
    /// One forecast area's line.
    public struct Area: Hashable, Sendable {
        /// 府県予報区 name, e.g. `東京都`, `宗谷地方`.
        public var name: String
        /// 府県予報区等コード: 6 digits, e.g. `130000`.
        public var code: String
        /// 都道府県名 as written, e.g. `東京`.
        public var prefectureName: String
        /// 都道府県コード: 2 digits, `01`…`47`.
        public var prefectureCode: String
        /// The flag for `TargetDate1` (the issuance's own date).
        public var targetDate1Flag: HeatAlertFlag
        /// The flag for `TargetDate2` (the next day).
        public var targetDate2Flag: HeatAlertFlag
        /// The remaining columns (daily-maximum WBGT point lists such as `東京:31/八王子:34`), as
        /// written, keyed by their header name; not interpreted.
        public var extraColumns: [String: String]
        /// The 1-based line of the document.
        public var line: Int
    }

    /// The largest document accepted: 512 KiB (the 2026 file is a few KiB).
    public static let maximumBytes = 512 * 1024
    /// The most metadata lines accepted before the header (23 seen in 2026).
    public static let maximumMetadataLines = 100
    /// The most area lines accepted (58 forecast areas in 2026).
    public static let maximumAreas = 200
    /// The most fields accepted on one line.
    public static let maximumFields = 64
    /// The longest field accepted, in characters.
    public static let maximumFieldLength = 4096

    /// The encoding the document was found in.
    public var encoding: FeedTextEncoding
    /// The metadata lines' first two fields, by key.
    public var metadata: [String: String]
    /// `ReportDate` + `ReportTime`: the issuance the document says it is.
    public var reportTime: JSTDateTime
    /// `CreateDate` + `CreateTime`, when present (the file is made shortly before the report time).
    public var createTime: JSTDateTime?
    /// `TargetDate1`: the date of the first flag column (the issuance's own date).
    public var targetDate1: JSTDate
    /// `TargetDate2`: the date of the second flag column (the next day).
    public var targetDate2: JSTDate
    /// `Status` when present (`通常` for real issuances).
    public var status: String?
    /// The forecast areas, in document order.
    public var areas: [Area]

    /// The area with the 6-digit `code`, if the document has it.
    public func area(code: String) -> Area? { areas.first { $0.code == code } }

    /// Parses a heat-stroke alert CSV.
    /// - Throws: `FeedFault` (`.tooLarge`, `.notText`, `.malformed`, `.outOfRange`) naming the line.
    public static func parse(_ data: Data) throws(FeedFault) -> HeatAlertCSV {
        let doc = FeedDocument.heatAlertCSV
        let (text, encoding) = try FeedText.decode(data, maximumBytes: maximumBytes, document: doc)
        let lines = try FeedText.lines(text, maximumLines: maximumMetadataLines + maximumAreas + 20, document: doc)
        var metadata: [String: String] = [:]
        var metadataLine: [String: Int] = [:]
        var header: [String]?
        var areas: [Area] = []
        var seenCodes: Set<String> = []
        var columns = (code: -1, prefName: -1, prefCode: -1, flag1: -1, flag2: -1)

        for (number, rawLine) in lines {
            if FeedText.trimmed(rawLine).isEmpty { continue }
            let fields = try FeedText.fields(rawLine, maximumFields: maximumFields, lineNumber: number, document: doc)
            if let long = fields.first(where: { $0.count > maximumFieldLength }) {
                throw FeedFault(.malformed, doc, line: number, "a field of \(long.count) characters, more than \(maximumFieldLength)")
            }
            guard let names = header else {
                let key = String(FeedText.trimmed(fields[0]))
                if key == "府県予報区" {
                    let h = fields.map { String(FeedText.trimmed($0)) }
                    func column(_ name: String) throws(FeedFault) -> Int {
                        guard let i = h.firstIndex(of: name) else {
                            throw FeedFault(.malformed, doc, line: number, "the header has no column \(name)")
                        }
                        return i
                    }
                    columns = (try column("府県予報区等コード"), try column("都道府県名"), try column("都道府県コード"),
                               try column("TargetDate1フラグ"), try column("TargetDate2フラグ"))
                    header = h
                    continue
                }
                guard metadata.count < maximumMetadataLines else {
                    throw FeedFault(.malformed, doc, line: number, "more than \(maximumMetadataLines) metadata lines before the header")
                }
                guard !key.isEmpty, key.utf8.count <= 64, key.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) else {
                    throw FeedFault(.malformed, doc, line: number, "expected a `key,value` metadata line or the 府県予報区 header, found \"\(key.prefix(40))\"")
                }
                guard metadata[key] == nil else {
                    throw FeedFault(.malformed, doc, line: number, "metadata key \(key) repeated (first on line \(metadataLine[key] ?? 0))")
                }
                metadata[key] = fields.count > 1 ? String(FeedText.trimmed(fields[1])) : ""
                metadataLine[key] = number
                continue
            }
            // An area line.
            guard areas.count < maximumAreas else {
                throw FeedFault(.malformed, doc, line: number, "more than \(maximumAreas) area lines")
            }
            let needed = max(columns.code, columns.prefName, columns.prefCode, columns.flag1, columns.flag2) + 1
            guard fields.count >= needed else {
                throw FeedFault(.malformed, doc, line: number, "\(fields.count) fields, the header needs at least \(needed)")
            }
            let code = String(FeedText.trimmed(fields[columns.code]))
            guard code.utf8.count == 6, FeedText.integer(Substring(code)) != nil else {
                throw FeedFault(.malformed, doc, line: number, "area code \"\(code.prefix(20))\" is not 6 digits")
            }
            guard seenCodes.insert(code).inserted else {
                throw FeedFault(.malformed, doc, line: number, "area code \(code) appears twice")
            }
            let prefCode = String(FeedText.trimmed(fields[columns.prefCode]))
            guard prefCode.utf8.count == 2, let pref = FeedText.integer(Substring(prefCode)), (1...47).contains(pref) else {
                throw FeedFault(.outOfRange, doc, line: number, "prefecture code \"\(prefCode.prefix(20))\" is not 01…47")
            }
            func flag(_ index: Int, _ name: String) throws(FeedFault) -> HeatAlertFlag {
                let text = FeedText.trimmed(fields[index])
                guard let value = FeedText.integer(text, maxDigits: 1), let f = HeatAlertFlag(rawValue: value) else {
                    throw FeedFault(.outOfRange, doc, line: number, "\(name) \"\(text.prefix(20))\" is not one of 0, 1, 2, 3, 9")
                }
                return f
            }
            var extra: [String: String] = [:]
            let used: Set<Int> = [0, 1, 2, columns.code, columns.prefName, columns.prefCode, columns.flag1, columns.flag2]
            for (i, name) in names.enumerated() where !used.contains(i) && i < fields.count && !name.isEmpty {
                extra[name] = String(FeedText.trimmed(fields[i]))
            }
            areas.append(Area(name: String(FeedText.trimmed(fields[0])), code: code,
                              prefectureName: String(FeedText.trimmed(fields[columns.prefName])), prefectureCode: prefCode,
                              targetDate1Flag: try flag(columns.flag1, "TargetDate1 flag"),
                              targetDate2Flag: try flag(columns.flag2, "TargetDate2 flag"),
                              extraColumns: extra, line: number))
        }
        guard header != nil else {
            throw FeedFault(.malformed, doc, "no 府県予報区 header line (is this a heat alert CSV?)")
        }
        guard !areas.isEmpty else { throw FeedFault(.malformed, doc, "no area lines after the header") }

        func required(_ key: String) throws(FeedFault) -> (String, Int) {
            guard let value = metadata[key], let line = metadataLine[key] else {
                throw FeedFault(.malformed, doc, "metadata key \(key) is missing")
            }
            return (value, line)
        }
        func date(_ key: String) throws(FeedFault) -> JSTDate {
            let (value, line) = try required(key)
            guard let d = FeedText.slashDate(Substring(value)) else {
                throw FeedFault(.outOfRange, doc, line: line, "\(key) \"\(value.prefix(20))\" is not a date YYYY/MM/DD")
            }
            return d
        }
        func time(_ key: String, on day: JSTDate) throws(FeedFault) -> JSTDateTime {
            let (value, line) = try required(key)
            guard let (h, m, s) = FeedText.clockTime(Substring(value)), let t = JSTDateTime(date: day, hour: h, minute: m, second: s) else {
                throw FeedFault(.outOfRange, doc, line: line, "\(key) \"\(value.prefix(20))\" is not a time hh:mm:ss")
            }
            return t
        }
        let reportTime = try time("ReportTime", on: try date("ReportDate"))
        var createTime: JSTDateTime?
        if metadata["CreateDate"] != nil, metadata["CreateTime"] != nil {
            createTime = try time("CreateTime", on: try date("CreateDate"))
        }
        let target1 = try date("TargetDate1")
        let target2 = try date("TargetDate2")
        guard target2 == target1.adding(days: 1) else {
            throw FeedFault(.outOfRange, doc, line: metadataLine["TargetDate2"], "TargetDate2 \(target2) is not the day after TargetDate1 \(target1)")
        }
        if let zone = metadata["TimeZone"], zone != "+09:00" {
            throw FeedFault(.outOfRange, doc, line: metadataLine["TimeZone"], "TimeZone \"\(zone.prefix(20))\" is not +09:00")
        }
        return HeatAlertCSV(encoding: encoding, metadata: metadata, reportTime: reportTime, createTime: createTime,
                            targetDate1: target1, targetDate2: target2, status: metadata["Status"], areas: areas)
    }
}
