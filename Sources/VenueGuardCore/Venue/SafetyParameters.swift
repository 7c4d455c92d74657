/// Every threshold, margin, radius and time the safety logic uses: the club guide's
/// standard (§12), overridden by a regional profile, then by the site.
public struct SafetyParameters: Hashable, Sendable {
    /// WBGT level thresholds (default 21/25/28/31 °C).
    public var wbgtThresholds: HeatThresholds
    /// Dry-bulb fallback thresholds when no WBGT is available (default 24/28/31/35 °C).
    public var dryBulbThresholds: HeatThresholds
    /// Step-down hysteresis (default 0.5 °C for 10 minutes).
    public var hysteresis: HeatLevelTracker.Hysteresis
    /// What a heat-stroke alert imposes (default: outdoor stop, indoor severe).
    public var alertConsequence: AlertConsequence
    /// What a special heat-stroke alert imposes (default: stop everywhere).
    public var specialAlertConsequence: AlertConsequence
    /// Lightning radii, all-clear time and consequences.
    public var lightning: LightningParameters

    /// The club guide's standard parameters.
    public static let standard = SafetyParameters(
        wbgtThresholds: .standardWBGT,
        dryBulbThresholds: .standardDryBulb,
        hysteresis: .init(margin: 0.5, dwell: .seconds(600)),
        alertConsequence: AlertConsequence(indoor: .severe, outdoor: .stop),
        specialAlertConsequence: AlertConsequence(indoor: .stop, outdoor: .stop),
        lightning: .standard)

    /// Creates parameters.
    public init(wbgtThresholds: HeatThresholds, dryBulbThresholds: HeatThresholds, hysteresis: HeatLevelTracker.Hysteresis,
                alertConsequence: AlertConsequence, specialAlertConsequence: AlertConsequence, lightning: LightningParameters) {
        self.wbgtThresholds = wbgtThresholds
        self.dryBulbThresholds = dryBulbThresholds
        self.hysteresis = hysteresis
        self.alertConsequence = alertConsequence
        self.specialAlertConsequence = specialAlertConsequence
        self.lightning = lightning
    }

    /// The thresholds for `scale`.
    public func thresholds(for scale: HeatScale) -> HeatThresholds {
        scale == .wbgt ? wbgtThresholds : dryBulbThresholds
    }

    /// The consequence of `alert` (`nil` for none).
    public func consequence(of alert: HeatAlert) -> AlertConsequence? {
        switch alert {
        case .none: nil
        case .alert: alertConsequence
        case .specialAlert: specialAlertConsequence
        }
    }
}
