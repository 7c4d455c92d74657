import RealModule

/// The Ministry of the Environment regression for its estimated WBGT points
/// (Ono & Tonouchi 2014). Offered for agreement with the official published figures; it
/// reads low in strong sun with little wind, so it is never chosen automatically.
public enum MoERegression {
    /// WBGT (°C) from air temperature (°C), relative humidity (%), global solar irradiance
    /// (W/m², converted to kW/m²) and wind speed (m/s).
    public static func wbgt(air ta: Double, relativeHumidity rh: Double, solar: Double, windSpeed ws: Double) -> Double {
        let sr = solar / 1000
        return 0.735 * ta + 0.0374 * rh + 0.00292 * ta * rh + 7.619 * sr - 4.557 * sr * sr - 0.0572 * ws - 4.064
    }
}

/// The Japanese Society of Biometeorology's indoor WBGT chart (室内用のWBGT簡易推定図
/// Ver.4, 2022: indoors, no sun, about 0.2 m/s air movement), as its published fit.
public enum IndoorChart {
    /// The air temperature range the chart covers, °C.
    public static let airTemperatureRange: ClosedRange<Double> = 15...40
    /// The humidity range the chart covers, %.
    public static let humidityRange: ClosedRange<Double> = 20...100

    /// WBGT (°C) from air temperature (°C) and relative humidity (%).
    public static func wbgt(air ta: Double, relativeHumidity rh: Double) -> Double {
        0.724 * ta + 0.0342 * rh + 0.00277 * ta * rh - 3.007
    }
}

/// Stull (2011) psychrometric wet-bulb temperature at 1013 hPa. For comparison only: it is
/// the wet bulb of a shaded, ventilated thermometer, never the natural wet bulb in sun.
public enum StullWetBulb {
    /// The air temperature range of the fit, °C.
    public static let airTemperatureRange: ClosedRange<Double> = -20...50
    /// The humidity range of the fit, %.
    public static let humidityRange: ClosedRange<Double> = 5...99

    /// Wet-bulb temperature (°C); error −1 to +0.65 °C inside the fit's range.
    public static func wetBulb(air t: Double, relativeHumidity rh: Double) -> Double {
        t * Double.atan(0.151977 * (rh + 8.313659).squareRoot()) + Double.atan(t + rh) - Double.atan(rh - 1.676331)
            + 0.00391838 * Double.pow(rh, 1.5) * Double.atan(0.023101 * rh) - 4.686035
    }
}
