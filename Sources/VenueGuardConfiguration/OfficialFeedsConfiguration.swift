import VenueGuardCore

/// The site's `official:` section: where the companion service (`venueguard-companion`) looks
/// up the official heat-stroke alerts, thunder advisories and WBGT forecast for this venue.
///
/// ```yaml
/// official:
///   heat_alert_area: "130000"       # 府県予報区 (forecast area) code, 6 digits (JMA area.json "offices")
///   thunder_municipality: "1310100" # 市町村等 (municipality) code, 7 digits (JMA area.json "class20s")
///   wbgt_point: "44132"             # the Ministry of the Environment's WBGT point (AMeDAS station number), 5 digits
///   jma_office: "130000"            # the JMA office publishing for the municipality (default: heat_alert_area)
///   poll_interval: 10m              # 1m…1h
///   disagreement_margin: 3.0        # °C between the box's outdoor WBGT and the official estimate (1…10)
///   disagreement_after: 1h          # …for this long before it is a diagnostic (30m…6h)
/// ```
///
/// Codes are quoted: YAML would read `130000` as a number and drop a leading zero of `011000`.
/// Sources: wbgt.env.go.jp data service (alert CSV columns, point numbers); 気象庁防災情報XML
/// (municipality codes in `Body/Warning/Item/Area/Code`).
public struct OfficialFeedsConfiguration: Sendable, Hashable {
    /// The forecast area (府県予報区) whose heat-stroke alerts apply, 6 digits.
    public var heatAlertArea: String?
    /// The municipality whose thunder advisory (雷注意報) applies, 7 digits.
    public var thunderMunicipality: String?
    /// The WBGT forecast point, 5 digits.
    public var wbgtPoint: String?
    /// The JMA office (6 digits) whose warning documents cover the municipality, when it is not
    /// the forecast area's code (Hokkaido, Amami, Okinawa have several offices per prefecture).
    public var jmaOfficeCode: String?
    /// The JMA office used for thunder advisories.
    public var jmaOffice: String? { jmaOfficeCode ?? heatAlertArea }
    /// How often the companion polls each feed (the JMA feed no more than once a minute).
    public var pollInterval: Duration = .seconds(600)
    /// How far the box's outdoor WBGT may stray from the official hourly estimate, °C (1…10,
    /// default 3), and for how long (30m…6h, default 1h), before it is a diagnostic.
    public var disagreementMargin = 3.0
    public var disagreementAfter: Duration = .seconds(3600)

    /// The comparison of the box's outdoor WBGT with the official estimate (with `wbgt_point`).
    public var estimateComparison: ForecastDisagreement.Parameters? {
        guard wbgtPoint != nil else { return nil }
        var parameters = ForecastDisagreement.Parameters.standard
        parameters.margin = disagreementMargin
        parameters.persistence = disagreementAfter
        return parameters
    }

    /// A section with the given codes (each already checked by the caller).
    public init(heatAlertArea: String? = nil, thunderMunicipality: String? = nil, wbgtPoint: String? = nil,
                jmaOffice: String? = nil, pollInterval: Duration = .seconds(600)) {
        self.heatAlertArea = heatAlertArea
        self.thunderMunicipality = thunderMunicipality
        self.wbgtPoint = wbgtPoint
        self.jmaOfficeCode = jmaOffice
        self.pollInterval = pollInterval
    }

    /// The official sources this section reads, in a fixed order.
    public var sources: [OfficialSource] {
        var sources: [OfficialSource] = []
        if heatAlertArea != nil { sources.append(.heatAlerts) }
        if thunderMunicipality != nil { sources.append(.thunderAdvisory) }
        if wbgtPoint != nil { sources.append(.forecast) }
        return sources
    }

    /// The keys the section accepts.
    static let keys = ["heat_alert_area", "thunder_municipality", "wbgt_point", "jma_office", "poll_interval",
                       "disagreement_margin", "disagreement_after"]

    /// Parses the section; every code is checked for its exact number of digits.
    static func parse(_ node: ConfigValue) throws -> OfficialFeedsConfiguration {
        let m = try node.mapping(allowed: keys)
        var c = OfficialFeedsConfiguration()
        func code(_ key: String, digits: Int, what: String) throws -> String? {
            guard let v = m[key] else { return nil }
            let text = try v.string()
            guard text.utf8.count == digits, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                throw v.error("'\(text.prefix(32))' is not a \(what): \(digits) digits, quoted (e.g. \(digits == 6 ? "\"130000\"" : digits == 7 ? "\"1310100\"" : "\"44132\""))")
            }
            return text
        }
        c.heatAlertArea = try code("heat_alert_area", digits: 6, what: "forecast area code (府県予報区)")
        c.thunderMunicipality = try code("thunder_municipality", digits: 7, what: "municipality code (市町村等)")
        c.wbgtPoint = try code("wbgt_point", digits: 5, what: "WBGT point number")
        c.jmaOfficeCode = try code("jma_office", digits: 6, what: "JMA office code")
        if let v = m["poll_interval"] { c.pollInterval = try v.duration(in: .seconds(60)...(.seconds(3600))) }
        if let v = m["disagreement_margin"] { c.disagreementMargin = try v.double(in: 1...10) }
        if let v = m["disagreement_after"] { c.disagreementAfter = try v.duration(in: .seconds(1800)...(.seconds(6 * 3600))) }
        if c.heatAlertArea == nil && c.thunderMunicipality == nil && c.wbgtPoint == nil {
            throw node.error("give at least one of heat_alert_area, thunder_municipality, wbgt_point")
        }
        if c.thunderMunicipality != nil && c.jmaOffice == nil {
            throw node.error("thunder_municipality needs jma_office (the JMA office publishing for it, e.g. \"130000\") or heat_alert_area")
        }
        return c
    }
}
