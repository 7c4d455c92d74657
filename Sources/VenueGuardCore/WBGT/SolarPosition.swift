import RealModule

/// The sun's position for a place and a time, after the Astronomical Almanac's
/// low-precision formulas (Michalsky 1988), with atmospheric refraction.
/// Accurate to about 0.01° between 1950 and 2050, far finer than the WBGT models need.
public struct SolarPosition: Hashable, Sendable {
    /// Apparent elevation above the horizon, degrees (refraction included).
    public var elevationDegrees: Double
    /// Earth–sun distance, astronomical units.
    public var distanceAU: Double

    /// Cosine of the apparent zenith angle.
    public var cosineZenith: Double { Double.cos((90 - elevationDegrees) * .pi / 180) }

    /// Computes the sun's position at `time` seen from `latitude`/`longitude` (degrees, east positive).
    public init(time: WallClockTime, latitude: Double, longitude: Double) {
        let rad = Double.pi / 180
        let n = time.julianDate - 2451545.0
        let hourUT = (time.secondsSince1970 / 3600).truncatingRemainder(dividingBy: 24)
        let hour = hourUT < 0 ? hourUT + 24 : hourUT
        let meanLongitude = Self.wrap(280.460 + 0.9856474 * n, 360)
        let meanAnomaly = Self.wrap(357.528 + 0.9856003 * n, 360) * rad
        let eclipticLongitude = Self.wrap(meanLongitude + 1.915 * Double.sin(meanAnomaly) + 0.020 * Double.sin(2 * meanAnomaly), 360) * rad
        let obliquity = (23.439 - 0.0000004 * n) * rad
        var rightAscension = Double.atan2(y: Double.cos(obliquity) * Double.sin(eclipticLongitude), x: Double.cos(eclipticLongitude))
        if rightAscension < 0 { rightAscension += 2 * .pi }
        let declination = Double.asin(Double.sin(obliquity) * Double.sin(eclipticLongitude))
        let gmst = Self.wrap(6.697375 + 0.0657098242 * n + hour, 24)
        let lmst = Self.wrap(gmst + longitude / 15, 24) * 15 * rad
        var hourAngle = lmst - rightAscension
        if hourAngle < -.pi { hourAngle += 2 * .pi }
        if hourAngle > .pi { hourAngle -= 2 * .pi }
        let lat = latitude * rad
        let sinElevation = Double.sin(declination) * Double.sin(lat) + Double.cos(declination) * Double.cos(lat) * Double.cos(hourAngle)
        let elevation = Double.asin(max(-1, min(1, sinElevation))) / rad
        // Refraction (Michalsky 1988), degrees.
        let refraction: Double
        if elevation > -0.56 {
            refraction = 3.51561 * (0.1594 + 0.0196 * elevation + 0.00002 * elevation * elevation)
                / (1 + 0.505 * elevation + 0.0845 * elevation * elevation)
        } else {
            refraction = 0.56
        }
        elevationDegrees = min(90, elevation + refraction)
        distanceAU = 1.00014 - 0.01671 * Double.cos(meanAnomaly) - 0.00014 * Double.cos(2 * meanAnomaly)
    }

    /// Solar irradiance on a horizontal surface at the top of the atmosphere, W/m².
    public var topOfAtmosphereIrradiance: Double {
        guard cosineZenith >= 0.00873 else { return 0 }  // sun not fully above the horizon
        return 1367 * cosineZenith / (distanceAU * distanceAU)
    }

    private static func wrap(_ x: Double, _ period: Double) -> Double {
        let r = x.truncatingRemainder(dividingBy: period)
        return r < 0 ? r + period : r
    }
}
