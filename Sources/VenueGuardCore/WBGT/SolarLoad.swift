import RealModule

/// Sunshine as the Liljegren model uses it: global horizontal irradiance made consistent
/// with the sun's position, the fraction of it in the direct beam, and the sun's height.
public struct SolarLoad: Hashable, Sendable {
    /// Global horizontal irradiance, W/m², after the model's consistency cap.
    public var irradiance: Double
    /// Fraction of `irradiance` in the direct beam (0…0.9).
    public var directFraction: Double
    /// Cosine of the solar zenith angle.
    public var cosineZenith: Double

    /// Darkness or an indoor area: no shortwave load.
    public static let none = SolarLoad(irradiance: 0, directFraction: 0, cosineZenith: 0)

    /// Creates a load directly (used by tests and by the darkness constant).
    public init(irradiance: Double, directFraction: Double, cosineZenith: Double) {
        self.irradiance = irradiance
        self.directFraction = directFraction
        self.cosineZenith = cosineZenith
    }

    /// The load for a measured global irradiance at a sun position, as in Liljegren et al. 2008:
    /// the irradiance is capped at 0.85 of the top-of-atmosphere value (sensor calibration
    /// errors), and the direct-beam fraction is `exp(3 − 1.34·s − 1.65/s)`, at most 0.9.
    public init(measuredIrradiance solar: Double, position: SolarPosition) {
        let toa = position.topOfAtmosphereIrradiance
        cosineZenith = position.cosineZenith
        guard toa > 0 else {
            irradiance = max(0, solar)
            directFraction = 0
            return
        }
        let normalised = min(max(0, solar) / toa, 0.85)
        irradiance = normalised * toa
        if normalised > 0 {
            directFraction = max(0, min(0.9, Double.exp(3 - 1.34 * normalised - 1.65 / normalised)))
        } else {
            directFraction = 0
        }
    }

    /// The fraction of the top-of-atmosphere irradiance that reaches the ground under a
    /// clear summer sky; used when an outdoor area has no solar sensor, so the estimate
    /// errs on the hot side in cloud rather than the cool side in sun.
    public static let clearSkyTransmittance = 0.75

    /// The irradiance a clear sky gives at `position`, W/m².
    public static func clearSkyIrradiance(at position: SolarPosition) -> Double {
        clearSkyTransmittance * position.topOfAtmosphereIrradiance
    }
}
