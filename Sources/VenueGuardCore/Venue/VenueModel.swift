/// The venue as the safety logic sees it: site, areas, sensors and parameters.
public struct VenueModel: Hashable, Sendable {
    /// The site.
    public var site: SiteDescriptor
    /// The areas, in configuration order.
    public var areas: [AreaDescriptor]
    /// The sensors, in configuration order.
    public var sensors: [SensorDescriptor]
    /// The safety parameters in force (standard → region → site).
    public var parameters: SafetyParameters
    /// The areas the signal tower and buzzer show (default: all).
    public var signalAreas: [AreaID]
    /// The official sources the companion service reads for the site (from `official:`); each
    /// is shown as known or "not known since HH:MM". Empty: no companion expected.
    public var officialSources: [OfficialSource] = []
    /// When set, each outdoor area's WBGT is compared with the official hourly estimate for the
    /// site's point (`official.wbgt_point`) and a disagreement beyond the margin is a diagnostic.
    public var estimateComparison: ForecastDisagreement.Parameters?

    /// Creates a model; `signalAreas` defaults to every area.
    public init(site: SiteDescriptor, areas: [AreaDescriptor], sensors: [SensorDescriptor],
                parameters: SafetyParameters = .standard, signalAreas: [AreaID]? = nil) {
        self.site = site
        self.areas = areas
        self.sensors = sensors
        self.parameters = parameters
        self.signalAreas = signalAreas ?? areas.map(\.id)
    }

    /// The sensor with `id`.
    public func sensor(_ id: SensorID) -> SensorDescriptor? {
        sensors.first { $0.id == id }
    }

    /// Problems that make the model unusable (duplicate ids, unknown references, bad parameters).
    public func problems() -> [String] {
        var problems: [String] = []
        var seenSensors = Set<SensorID>()
        for sensor in sensors where !seenSensors.insert(sensor.id).inserted {
            problems.append("sensor id '\(sensor.id)' is used twice")
        }
        var seenAreas = Set<AreaID>()
        for area in areas {
            if !seenAreas.insert(area.id).inserted { problems.append("area id '\(area.id)' is used twice") }
            for id in area.sensors where !seenSensors.contains(id) {
                problems.append("area '\(area.id)' names sensor '\(id)', which is not configured")
            }
        }
        for id in signalAreas where !seenAreas.contains(id) {
            problems.append("the signal names area '\(id)', which is not configured")
        }
        if let problem = parameters.wbgtThresholds.validate() { problems.append("WBGT thresholds: \(problem)") }
        if let problem = parameters.dryBulbThresholds.validate() { problems.append("dry-bulb thresholds: \(problem)") }
        if let problem = parameters.lightning.validate() { problems.append("lightning: \(problem)") }
        if !(parameters.hysteresis.margin >= 0) { problems.append("step-down margin must not be negative") }
        if parameters.hysteresis.dwell < .zero { problems.append("step-down dwell must not be negative") }
        return problems
    }
}
