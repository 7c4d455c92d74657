import Foundation
import VenueGuardCore

/// The JMA 防災情報XML Atom pull feed: `https://www.data.jma.go.jp/developer/xml/feed/extra.xml`
/// (warnings and advisories, updated every minute, covering at least the last 10 minutes) or
/// `extra_l.xml` (the last few days).
///
/// Each `entry` has `title` (the document kind, e.g. `気象警報・注意報（Ｒ０６）（その他注意報）`),
/// `id` and `link href` (the document URL,
/// `https://www.data.jma.go.jp/developer/xml/data/{yyyyMMddHHmmss}_{serial}_{VPWW61}_{office}.xml`),
/// `updated` (ISO 8601, UTC), `author/name` (the issuing office, e.g. `気象庁予報部`) and `content`.
///
/// Parsed with Foundation's `XMLParser`, namespaces checked (Atom,
/// `http://www.w3.org/2005/Atom`), bounded to `maximumBytes` and `maximumEntries`.
public struct JMAAtomFeed: Hashable, Sendable {
    /// One feed entry.
    public struct Entry: Hashable, Sendable {
        /// `title`: the document kind's name.
        public var title: String
        /// `id`.
        public var id: String
        /// `updated`.
        public var updated: WallClockTime
        /// `author/name`: the office that issued the document.
        public var author: String
        /// `link href`: the document's URL.
        public var link: String
        /// `content`, if any.
        public var content: String?
        /// The data-type code from the link's file name (`VPWW61`, `VPWW54`, …), if it has one.
        public var dataTypeCode: String?
        /// The 6-digit area code at the end of the link's file name (the issuing office's area,
        /// e.g. `130000`), if it has one.
        public var areaCode: String?

        /// A stable key for "never fetch the same document twice": the link (the document URL is
        /// unique per document and never reused), or the id when there is no link.
        public var key: String { link.isEmpty ? id : link }
    }

    /// The document kinds this module reads from the feed.
    public enum WarningKind: String, Hashable, Sendable, CaseIterable {
        /// VPWW61 気象警報・注意報（Ｒ０６）（その他注意報): the new system's advisories other than
        /// rain, landslide, storm surge, wind, waves and snow, including 雷注意報 (code 14).
        case vpww61 = "VPWW61"
        /// VPWW54 気象警報・注意報（Ｈ２７）: the old system's all-kinds document, being retired.
        case vpww54 = "VPWW54"

        /// The feed entry title of the kind.
        public var title: String {
            switch self {
            case .vpww61: "気象警報・注意報（Ｒ０６）（その他注意報）"
            case .vpww54: "気象警報・注意報（Ｈ２７）"
            }
        }
    }

    /// The Atom namespace.
    public static let atomNamespace = "http://www.w3.org/2005/Atom"
    /// The largest feed accepted: 8 MiB (`extra.xml` is about 150 KiB; `extra_l.xml` larger).
    public static let maximumBytes = 8 * 1024 * 1024
    /// The most entries accepted.
    public static let maximumEntries = 5000

    /// The feed's `updated`.
    public var updated: WallClockTime
    /// The entries, in feed order.
    public var entries: [Entry]

    /// Parses a feed.
    /// - Throws: `FeedFault` (`.tooLarge`, `.notText`, `.malformed` — not Atom, an entry without
    ///   id/updated/link, too many entries, an unreadable time).
    public static func parse(_ data: Data) throws(FeedFault) -> JMAAtomFeed {
        let doc = FeedDocument.jmaAtomFeed
        let root = try FeedXMLElement.parse(data, limits: .init(maximumBytes: maximumBytes, maximumElements: maximumEntries * 12 + 100,
                                                                maximumDepth: 8, maximumTextLength: 64 * 1024), document: doc)
        guard root.name == "feed", root.namespace == atomNamespace else {
            throw FeedFault(.malformed, doc, "the root element is {\(root.namespace)}\(root.name), not an Atom feed")
        }
        guard let updatedText = root.childText("updated", in: atomNamespace), let updated = JSTDateTime.parseISO8601(updatedText) else {
            throw FeedFault(.malformed, doc, "the feed has no readable <updated>")
        }
        let raw = root.children("entry", in: atomNamespace)
        guard raw.count <= maximumEntries else { throw FeedFault(.malformed, doc, "more than \(maximumEntries) entries") }
        var entries: [Entry] = []
        for (i, e) in raw.enumerated() {
            guard let id = e.childText("id", in: atomNamespace), !id.isEmpty,
                  let u = e.childText("updated", in: atomNamespace), let when = JSTDateTime.parseISO8601(u) else {
                throw FeedFault(.malformed, doc, "entry \(i + 1) has no id or readable updated time")
            }
            let link = e.children("link", in: atomNamespace).first { $0.attributes["rel"] == nil || $0.attributes["rel"] == "alternate" }?
                .attributes["href"] ?? ""
            guard link.isEmpty || link.hasPrefix("https://") || link.hasPrefix("http://") else {
                throw FeedFault(.malformed, doc, "entry \(i + 1) links to \"\(link.prefix(60))\", not an http(s) URL")
            }
            let fileName = String((link.isEmpty ? id : link).split(separator: "/").last ?? "")
            let (code, area) = Self.fileNameParts(fileName)
            entries.append(Entry(title: e.childText("title", in: atomNamespace) ?? "", id: id, updated: when,
                                 author: e.child("author", in: atomNamespace)?.childText("name", in: atomNamespace) ?? "",
                                 link: link, content: e.childText("content", in: atomNamespace),
                                 dataTypeCode: code, areaCode: area))
        }
        return JMAAtomFeed(updated: updated, entries: entries)
    }

    /// `20260807051200_0_VPWW61_130000.xml` → (`VPWW61`, `130000`).
    static func fileNameParts(_ name: String) -> (String?, String?) {
        guard name.hasSuffix(".xml") else { return (nil, nil) }
        let parts = name.dropLast(4).split(separator: "_")
        guard parts.count == 4, parts[0].utf8.count == 14, FeedText.integer(parts[0], maxDigits: 14) != nil,
              parts[2].utf8.count == 6, parts[2].unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) }),
              parts[3].utf8.count == 6, FeedText.integer(parts[3]) != nil else { return (nil, nil) }
        return (String(parts[2]), String(parts[3]))
    }

    /// The entries of `kinds` that can concern a municipality covered by the offices whose area
    /// codes are `officeCodes` (the 6-digit code ending the document's file name, e.g. `130000`; one
    /// municipality can need more than one office where an office's area spans prefectures), or
    /// whose author is one of `authors`. Newest first, at most `limit`.
    public func warningEntries(kinds: Set<WarningKind> = [.vpww61], officeCodes: Set<String>, authors: Set<String> = [],
                               limit: Int = 50) -> [Entry] {
        let codes = Set(kinds.map(\.rawValue))
        let titles = Set(kinds.map(\.title))
        return entries
            .filter { e in
                let kindMatches = e.dataTypeCode.map { codes.contains($0) } ?? titles.contains(e.title)
                let officeMatches = e.areaCode.map { officeCodes.contains($0) } ?? false
                return kindMatches && (officeMatches || authors.contains(e.author))
            }
            .sorted { $0.updated > $1.updated }
            .prefix(max(0, limit))
            .map { $0 }
    }

    /// Checks that the feed itself is current: its `updated` is no more than `maximumAge` before
    /// `now` (the feed is rewritten every minute; an old one means delivery stopped or a cache is
    /// answering). A feed `updated` after `now` means the caller's clock is behind; accepted.
    /// - Throws: `FeedFault.stale`.
    public func checkCurrent(now: WallClockTime, maximumAge: Duration = .seconds(10 * 60)) throws(FeedFault) {
        let age = now.secondsSince1970 - updated.secondsSince1970
        if age > maximumAge.seconds {
            throw FeedFault(.stale, .jmaAtomFeed, "the feed was updated at \(JSTDateTime(updated)), more than \(DurationText.format(maximumAge)) before \(JSTDateTime(now))")
        }
    }
}
