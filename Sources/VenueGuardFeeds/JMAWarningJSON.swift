import Foundation
import VenueGuardCore

/// The JMA web site's warning JSON, `https://www.jma.go.jp/bosai/warning/data/r8/{office}.json`
/// (not an API: no promise of stability; usable under the government standard terms of use).
///
/// Shape: a JSON array with one element per (publishing office × product `dataTypeCode`
/// VPWW55…61): `{"reportDatetime":"2026-08-07T14:12:00+09:00","dataTypeCode":"VPWW61",
/// "publishingOffice":"気象庁","warning":{"class10Items":[…],"class20Items":[{"areaCode":"1310100",
/// "kinds":[{"code":"14","status":"継続"}]}]}}`. Areas with nothing in force carry
/// `{"status":"発表警報・注意報はなし"}` without a code. All elements are merged (keeping only the
/// newest element loses municipalities), and matched on the 7-digit municipality code.
///
/// **Pitfall:** the pre-2026 files (`…/bosai/warning/data/warning/{office}.json`) still answer 200
/// with valid JSON whose `reportDatetime` stopped in May 2026. `thunderAdvisory` rejects any file
/// whose newest report is older than `newSystemStart` or `maximumAge`.
public struct JMAWarningJSON: Hashable, Sendable {
    /// One element of the array.
    public struct Element: Hashable, Sendable {
        /// `reportDatetime`.
        public var reportTime: WallClockTime
        /// `dataTypeCode` (`VPWW61` …), when present.
        public var dataTypeCode: String?
        /// `publishingOffice`, when present.
        public var publishingOffice: String?
        /// `warning.class20Items`: municipality code → kinds as (code, status).
        public var municipalities: [String: [(code: String, status: String)]]

        public static func == (lhs: Element, rhs: Element) -> Bool {
            lhs.reportTime == rhs.reportTime && lhs.dataTypeCode == rhs.dataTypeCode && lhs.publishingOffice == rhs.publishingOffice
                && lhs.municipalities.keys.sorted() == rhs.municipalities.keys.sorted()
                && lhs.municipalities.allSatisfy { k, v in
                    let w = rhs.municipalities[k] ?? []
                    return v.count == w.count && zip(v, w).allSatisfy { $0.code == $1.code && $0.status == $1.status }
                }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(reportTime)
            hasher.combine(dataTypeCode)
            hasher.combine(municipalities.count)
        }
    }

    /// The start of JMA's new warning system (新たな防災気象情報): 2026-05-28 00:00 JST. A file whose
    /// newest report is older is the frozen pre-2026 format.
    public static let newSystemStart = WallClockTime(year: 2026, month: 5, day: 28, utcOffsetSeconds: JST.utcOffsetSeconds)
    /// The largest file accepted: 2 MiB.
    public static let maximumBytes = 2 * 1024 * 1024
    /// The most elements accepted.
    public static let maximumElements = 200

    /// The elements, in file order.
    public var elements: [Element]

    private struct RawElement: Decodable {
        var reportDatetime: String?
        var dataTypeCode: String?
        var publishingOffice: String?
        var warning: RawWarning?
    }
    private struct RawWarning: Decodable {
        var class20Items: [RawArea]?
    }
    private struct RawArea: Decodable {
        var areaCode: String
        var kinds: [RawKind]?
    }
    private struct RawKind: Decodable {
        var code: String?
        var status: String?
    }

    /// Parses an r8 warning file.
    /// - Throws: `FeedFault` (`.tooLarge`, `.notText`, `.malformed` — not a JSON array of
    ///   elements, an element without a readable `reportDatetime`, too many elements).
    public static func parse(_ data: Data) throws(FeedFault) -> JMAWarningJSON {
        let doc = FeedDocument.jmaWarningJSON
        guard data.count <= maximumBytes else { throw FeedFault(.tooLarge, doc, "\(data.count) bytes, more than the \(maximumBytes) accepted") }
        guard !data.isEmpty, !data.contains(0) else { throw FeedFault(.notText, doc, "empty or binary") }
        let raw: [RawElement]
        do {
            raw = try JSONDecoder().decode([RawElement].self, from: data)
        } catch {
            throw FeedFault(.malformed, doc, "not a JSON array of warning elements (\(String(describing: error).prefix(120)))")
        }
        guard raw.count <= maximumElements else { throw FeedFault(.malformed, doc, "more than \(maximumElements) elements") }
        var elements: [Element] = []
        for (i, r) in raw.enumerated() {
            guard let t = r.reportDatetime, let when = JSTDateTime.parseISO8601(t) else {
                throw FeedFault(.malformed, doc, "element \(i + 1) has no readable reportDatetime")
            }
            var areas: [String: [(code: String, status: String)]] = [:]
            for a in r.warning?.class20Items ?? [] {
                areas[a.areaCode, default: []] += (a.kinds ?? []).map { ($0.code ?? "", $0.status ?? "") }
            }
            elements.append(Element(reportTime: when, dataTypeCode: r.dataTypeCode, publishingOffice: r.publishingOffice, municipalities: areas))
        }
        return JMAWarningJSON(elements: elements)
    }

    /// The newest `reportDatetime` of the file.
    public var newestReportTime: WallClockTime? { elements.map(\.reportTime).max() }

    /// The thunder advisory for the 7-digit `municipality` at `now`.
    ///
    /// Merges the VPWW61 elements (or, in a file without `dataTypeCode`s, every element) and uses the
    /// newest one listing the municipality (one office publishes for a municipality; an office file
    /// can hold elements of several offices).
    /// - Throws: `FeedFault.stale` when the file's newest report is before `newSystemStart` (the
    ///   frozen pre-2026 file) or more than `maximumAge` before `now` (a report after `now` means the
    ///   caller's clock is behind: accepted); `.wrongArea` when no usable element lists the municipality.
    public func thunderAdvisory(municipality: String, now: WallClockTime,
                                maximumAge: Duration = .seconds(72 * 3600)) throws(FeedFault) -> ThunderAdvisoryReport {
        let doc = FeedDocument.jmaWarningJSON
        guard let newest = newestReportTime else { throw FeedFault(.malformed, doc, "the file has no elements") }
        guard newest >= Self.newSystemStart else {
            throw FeedFault(.stale, doc, "the newest report is \(JSTDateTime(newest)), before the new warning system (2026-05-28): a frozen pre-2026 file")
        }
        if now.secondsSince1970 - newest.secondsSince1970 > maximumAge.seconds {
            throw FeedFault(.stale, doc, "the newest report is \(JSTDateTime(newest)), more than \(DurationText.format(maximumAge)) before \(JSTDateTime(now))")
        }
        let typed = elements.contains { $0.dataTypeCode != nil }
        let usable = elements
            .filter { !typed || $0.dataTypeCode == "VPWW61" }
            .filter { $0.municipalities[municipality] != nil }
            .sorted { $0.reportTime > $1.reportTime }
        guard let latest = usable.first else {
            throw FeedFault(.wrongArea, doc, "municipality \(municipality) is not listed in any \(typed ? "VPWW61 " : "")element")
        }
        let chosen = latest
        let kinds = chosen.municipalities[municipality] ?? []
        let (status, text) = JMAWarningDocument.thunderStatus(kinds.map { ($0.code, $0.status, nil) })
        return ThunderAdvisoryReport(municipality: municipality, status: status, statusText: text, reportTime: chosen.reportTime,
                                     isCorrection: false, source: "r8 JSON")
    }
}
