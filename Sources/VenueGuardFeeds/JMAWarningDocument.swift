import Foundation
import VenueGuardCore

/// The state of the thunder advisory (雷注意報, code `14`; since 2026-05-28 there is no 雷警報)
/// for one municipality, as one document reports it.
public enum ThunderAdvisoryStatus: String, Hashable, Sendable {
    /// 発表: issued by this document.
    case issued
    /// 継続: in force, continued.
    case continued
    /// 解除: lifted by this document.
    case lifted
    /// Not in force (発表警報・注意報はなし, or the municipality carries no code 14).
    case none

    /// Whether the advisory is in force after the document.
    public var inForce: Bool { self == .issued || self == .continued }
}

/// What one JMA document says about the thunder advisory for the configured municipality.
public struct ThunderAdvisoryReport: Hashable, Sendable {
    /// The 7-digit municipality code (e.g. `1310100`).
    public var municipality: String
    /// The advisory's state.
    public var status: ThunderAdvisoryStatus
    /// The `Status` text as written (e.g. `継続`, `発表警報・注意報はなし`).
    public var statusText: String
    /// The document's report time (`Head/ReportDateTime`, or the JSON's `reportDatetime`).
    public var reportTime: WallClockTime
    /// `true` for a correction (訂正) document.
    public var isCorrection: Bool
    /// Where it came from (`VPWW61`, `VPWW54`, `r8 JSON`).
    public var source: String
}

/// A JMA 防災情報XML warning document: VPWW61 気象警報・注意報（Ｒ０６）（その他注意報), or the
/// older VPWW54 気象警報・注意報（Ｈ２７). Documents are linked from `JMAAtomFeed` entries.
///
/// Structure read (namespaces checked):
/// - `Report` (`http://xml.kishou.go.jp/jmaxml1/`) / `Control`: `Title`, `DateTime`, `Status`
///   (通常 / 訓練 / 試験: only 通常 counts), `EditorialOffice`, `PublishingOffice`;
/// - `Head` (`…/informationBasis1/`): `Title`, `ReportDateTime`, `InfoType` (発表 / 訂正 / 取消 …),
///   `InfoKind`; its `Headline` summary is not used;
/// - `Body` (`…/body/meteorology1/`) / `Warning[@type]` / `Item`: `Kind` (`Name`, `Code`,
///   `Status`, `LastKind/Name|Code`) … then `Area` (`Name`, `Code`), `ChangeStatus`, `FullStatus`.
///   Municipalities are in `Warning[@type="気象警報・注意報（市町村等）"]` with 7-digit codes.
public struct JMAWarningDocument: Hashable, Sendable {
    /// One `Kind` of an item.
    public struct Kind: Hashable, Sendable {
        /// `Name`, e.g. `雷注意報`.
        public var name: String
        /// `Code`, e.g. `14` (empty when absent, as with 発表警報・注意報はなし).
        public var code: String
        /// `Status`: 発表, 継続, 解除, 発表警報・注意報はなし, …
        public var status: String
        /// `LastKind/Code`, if present.
        public var lastKindCode: String?
    }

    /// One `Item`: kinds for one area.
    public struct Item: Hashable, Sendable {
        /// The kinds.
        public var kinds: [Kind]
        /// `Area/Name`.
        public var areaName: String
        /// `Area/Code`.
        public var areaCode: String
    }

    /// `Control/Status`.
    public enum ControlStatus: String, Hashable, Sendable {
        /// 通常: a real document.
        case normal = "通常"
        /// 訓練: training.
        case training = "訓練"
        /// 試験: test.
        case test = "試験"
    }

    /// The JMA XML namespaces.
    public enum Namespace {
        /// `Report` and `Control`.
        public static let report = "http://xml.kishou.go.jp/jmaxml1/"
        /// `Head`.
        public static let head = "http://xml.kishou.go.jp/jmaxml1/informationBasis1/"
        /// `Body` of meteorological documents.
        public static let body = "http://xml.kishou.go.jp/jmaxml1/body/meteorology1/"
    }

    /// The `Warning` type listing municipalities.
    public static let municipalityWarningType = "気象警報・注意報（市町村等）"
    /// The largest document accepted: 4 MiB (VPWW61 documents are tens of KiB).
    public static let maximumBytes = 4 * 1024 * 1024

    /// `Control/Title`, e.g. `気象警報・注意報（Ｒ０６）（その他注意報）`.
    public var controlTitle: String
    /// `Control/DateTime` (UTC).
    public var controlDateTime: WallClockTime
    /// `Control/Status`.
    public var controlStatus: ControlStatus
    /// `Control/EditorialOffice`.
    public var editorialOffice: String
    /// `Control/PublishingOffice`.
    public var publishingOffice: String
    /// `Head/Title`, e.g. `東京都気象警報・注意報`.
    public var headTitle: String
    /// `Head/ReportDateTime`.
    public var reportDateTime: WallClockTime
    /// `Head/InfoType`: 発表, 訂正, 取消, …
    public var infoType: String
    /// `Body/Warning` items by their `type` attribute.
    public var warnings: [String: [Item]]

    /// Parses a warning document.
    /// - Throws: `FeedFault` (`.tooLarge`, `.notText`, `.malformed` — not a JMA Report, a missing
    ///   or unreadable Control/Head field, a `Warning` without `type`; `.notNormal` — a training or
    ///   test document, which must never count).
    public static func parse(_ data: Data) throws(FeedFault) -> JMAWarningDocument {
        let doc = FeedDocument.jmaWarningXML
        let root = try FeedXMLElement.parse(data, limits: .init(maximumBytes: maximumBytes, maximumElements: 200_000, maximumDepth: 16,
                                                                maximumTextLength: 64 * 1024), document: doc)
        guard root.name == "Report", root.namespace == Namespace.report else {
            throw FeedFault(.malformed, doc, "the root element is {\(root.namespace)}\(root.name), not a JMA Report")
        }
        guard let control = root.child("Control", in: Namespace.report) else { throw FeedFault(.malformed, doc, "no Control") }
        guard let head = root.child("Head", in: Namespace.head) else { throw FeedFault(.malformed, doc, "no Head in the informationBasis1 namespace") }
        func text(_ e: FeedXMLElement, _ name: String, _ ns: String) throws(FeedFault) -> String {
            guard let t = e.childText(name, in: ns), !t.isEmpty else { throw FeedFault(.malformed, doc, "no \(e.name)/\(name)") }
            return t
        }
        func time(_ e: FeedXMLElement, _ name: String, _ ns: String) throws(FeedFault) -> WallClockTime {
            let t = try text(e, name, ns)
            guard let w = JSTDateTime.parseISO8601(t) else { throw FeedFault(.outOfRange, doc, "\(e.name)/\(name) \"\(t.prefix(40))\" is not an ISO 8601 time") }
            return w
        }
        let statusText = try text(control, "Status", Namespace.report)
        guard let status = ControlStatus(rawValue: statusText) else {
            throw FeedFault(.notNormal, doc, "Control/Status is \"\(statusText.prefix(20))\", not 通常/訓練/試験")
        }
        guard status == .normal else { throw FeedFault(.notNormal, doc, "Control/Status is \(statusText): a \(status) document never counts") }
        var warnings: [String: [Item]] = [:]
        if let body = root.child("Body", in: Namespace.body) {
            for w in body.children("Warning", in: Namespace.body) {
                guard let type = w.attributes["type"], !type.isEmpty else { throw FeedFault(.malformed, doc, "a Body/Warning has no type") }
                for item in w.children("Item", in: Namespace.body) {
                    let kinds = item.children("Kind", in: Namespace.body).map { k in
                        Kind(name: k.childText("Name", in: Namespace.body) ?? "", code: k.childText("Code", in: Namespace.body) ?? "",
                             status: k.childText("Status", in: Namespace.body) ?? "",
                             lastKindCode: k.child("LastKind", in: Namespace.body)?.childText("Code", in: Namespace.body))
                    }
                    let area = item.child("Area", in: Namespace.body)
                    warnings[type, default: []].append(Item(kinds: kinds, areaName: area?.childText("Name", in: Namespace.body) ?? "",
                                                            areaCode: area?.childText("Code", in: Namespace.body) ?? ""))
                }
            }
        }
        return JMAWarningDocument(
            controlTitle: try text(control, "Title", Namespace.report), controlDateTime: try time(control, "DateTime", Namespace.report),
            controlStatus: status, editorialOffice: control.childText("EditorialOffice", in: Namespace.report) ?? "",
            publishingOffice: control.childText("PublishingOffice", in: Namespace.report) ?? "",
            headTitle: head.childText("Title", in: Namespace.head) ?? "", reportDateTime: try time(head, "ReportDateTime", Namespace.head),
            infoType: try text(head, "InfoType", Namespace.head), warnings: warnings)
    }

    /// The document kind from `Control/Title`: `VPWW61`, `VPWW54`, or the title itself.
    public var source: String {
        JMAAtomFeed.WarningKind.allCases.first { $0.title == controlTitle }?.rawValue ?? controlTitle
    }

    /// The thunder advisory for the 7-digit `municipality`.
    ///
    /// Code `14` with Status 発表 → issued, 継続 → continued, 解除 (or a Kind 解除 whose LastKind is
    /// 14) → lifted; any other status on code 14 counts as in force (continued, the safe side).
    /// A municipality item with no code 14, or 発表警報・注意報はなし, → none.
    /// - Throws: `FeedFault.wrongArea` when the municipality is not in the document (a caller
    ///   watching several offices can treat this as "not for us"); `.notNormal` for a 取消
    ///   (cancellation) document, which says nothing about the current state and must not change it.
    public func thunderAdvisory(municipality: String) throws(FeedFault) -> ThunderAdvisoryReport {
        let doc = FeedDocument.jmaWarningXML
        guard municipality.utf8.count == 7, FeedText.integer(Substring(municipality)) != nil else {
            throw FeedFault(.wrongArea, doc, "the configured municipality code \"\(municipality.prefix(20))\" is not 7 digits")
        }
        guard infoType != "取消" else {
            throw FeedFault(.notNormal, doc, "a cancellation (取消) of an earlier document: no state to read")
        }
        let items = (warnings[Self.municipalityWarningType] ?? []).filter { $0.areaCode == municipality }
        guard !items.isEmpty else {
            throw FeedFault(.wrongArea, doc, "municipality \(municipality) is not in this \(source) document from \(publishingOffice)")
        }
        let kinds = items.flatMap(\.kinds)
        let (status, text) = Self.thunderStatus(kinds.map { ($0.code, $0.status, $0.lastKindCode) })
        return ThunderAdvisoryReport(municipality: municipality, status: status, statusText: text, reportTime: reportDateTime,
                                     isCorrection: infoType == "訂正", source: source)
    }

    /// The thunder advisory's state from a municipality's (code, status, last-kind code) triples.
    static func thunderStatus(_ kinds: [(code: String, status: String, lastKindCode: String?)]) -> (ThunderAdvisoryStatus, String) {
        if let k = kinds.first(where: { $0.code == "14" }) {
            switch k.status {
            case "発表": return (.issued, k.status)
            case "継続": return (.continued, k.status)
            case "解除": return (.lifted, k.status)
            default: return (.continued, k.status)  // unknown wording on code 14: keep it in force
            }
        }
        if let k = kinds.first(where: { $0.status == "解除" && $0.lastKindCode == "14" }) { return (.lifted, k.status) }
        return (.none, kinds.first?.status ?? "")
    }
}
