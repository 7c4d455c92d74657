import RealModule

/// Standard-atmosphere and wind-profile helpers.
public enum Atmosphere {
    /// ICAO standard-atmosphere pressure at `elevation` m above sea level, hPa.
    public static func standardPressure(atElevation elevation: Double) -> Double {
        1013.25 * Double.pow(1 - 2.25577e-5 * elevation, 5.25588)
    }

    /// The neutral-stability power-law exponent (1/7) used to move a wind speed between heights.
    public static let windProfileExponent = 1.0 / 7.0

    /// Wind speed at 2 m from a speed measured at `height` m (power law, neutral stability).
    public static func windAtTwoMetres(_ speed: Double, measuredAt height: Double) -> Double {
        guard height > 0, height != 2 else { return speed }
        return speed * Double.pow(2 / height, windProfileExponent)
    }
}
