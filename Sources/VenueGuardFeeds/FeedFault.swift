/// The official document kinds this module reads.
public enum FeedDocument: String, Hashable, Sendable, CaseIterable {
    /// Ministry of the Environment heat-stroke alert CSV, `alert_{YYYYMMDD}_{HH}.csv`.
    case heatAlertCSV = "heat alert CSV"
    /// Ministry of the Environment WBGT forecast CSV, `yohou_{point}.csv`.
    case wbgtForecastCSV = "WBGT forecast CSV"
    /// Ministry of the Environment estimated/observed WBGT CSV, `wbgt_{point}_{YYYYMM}.csv`.
    case wbgtEstimateCSV = "WBGT estimate CSV"
    /// JMA Atom feed, `extra.xml` / `extra_l.xml`.
    case jmaAtomFeed = "JMA Atom feed"
    /// JMA 防災情報XML warning document (VPWW61, or the older VPWW54).
    case jmaWarningXML = "JMA warning XML"
    /// JMA web-site JSON, `bosai/warning/data/r8/{office}.json`.
    case jmaWarningJSON = "JMA warning JSON"
}

/// Why an official document cannot be used: the one error type of this module.
///
/// A fault is never "no alert": callers keep the last known state until its natural end and
/// report "not known since …" (see `HeatAlertState`, `ThunderAdvisoryState`).
public struct FeedFault: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of fault.
    public enum Kind: String, Hashable, Sendable {
        /// Larger than the document kind's byte bound.
        case tooLarge = "too-large"
        /// Empty, binary, or in no accepted text encoding (UTF-8, Shift_JIS).
        case notText = "not-text"
        /// Not in the expected layout (missing header, wrong column, unparsable field, duplicate, too many rows).
        case malformed
        /// A number, date or time outside its bound.
        case outOfRange = "out-of-range"
        /// The document's own report date/time is not the issuance that was requested.
        case wrongIssuance = "wrong-issuance"
        /// The document's target dates are not those of the requested issuance.
        case wrongDate = "wrong-date"
        /// The configured area/municipality is not in the document.
        case wrongArea = "wrong-area"
        /// The document is for another observation/forecast point.
        case wrongPoint = "wrong-point"
        /// The document is older than the newest one that should exist.
        case stale
        /// A training (訓練) or test (試験) document, or a status other than 通常.
        case notNormal = "not-normal"
        /// The document could not be fetched: no reply, a time-out, an HTTP error status.
        case unreachable
    }

    /// The class of fault.
    public var kind: Kind
    /// The document kind.
    public var document: FeedDocument
    /// The 1-based line of the document the fault was found on, when it has one.
    public var line: Int?
    /// What is wrong, in English, naming the offending value.
    public var detail: String

    /// Creates a fault.
    public init(_ kind: Kind, _ document: FeedDocument, line: Int? = nil, _ detail: String) {
        self.kind = kind
        self.document = document
        self.line = line
        self.detail = detail
    }

    /// `heat alert CSV line 27: flag "7" is not one of 0, 1, 2, 3, 9`.
    public var description: String {
        if let line { return "\(document.rawValue) line \(line): \(detail)" }
        return "\(document.rawValue): \(detail)"
    }
}
