import RealModule

/// Estimates the natural wet-bulb temperature from air temperature, humidity and a black
/// globe, so a box with a globe thermometer but no wetted wick gets a WBGT that holds in sun.
///
/// The globe's own energy balance (its convection at its diameter and the wind speed) is
/// inverted to the radiation it absorbs. What exceeds the sky-and-ground long-wave
/// environment of Liljegren's model is sunshine: outdoors, with the sun's position known,
/// it is turned back into the global irradiance that would heat the globe so, and the wick's
/// energy balance (Liljegren's cylinder) is solved under that sun. Indoors the excess is
/// long-wave from warm surfaces, which the wick absorbs like the globe. A psychrometric wet
/// bulb, which ignores radiation, reads up to about 3 °C low in strong sun; this does not.
public enum GlobeWetBulbEstimator {
    /// Wick-to-globe ratio of absorbed shortwave under diffuse light, the largest over sun
    /// positions in Liljegren's model; used outdoors when the sun's position is unknown, so
    /// the estimate errs on the hot side.
    static let conservativeShortwaveRatio = 1.32

    /// What the estimator found.
    public struct Result: Hashable, Sendable {
        /// Natural wet-bulb temperature, °C.
        public var naturalWetBulb: Double
        /// Mean radiant temperature the globe sees, °C.
        public var meanRadiantTemperature: Double
        /// The global irradiance that explains the globe's excess heat, W/m² (outdoors, sun known).
        public var inferredSolar: Double?
    }

    /// Radiation absorbed per unit area of the globe, W/m², from its temperature and convective loss.
    static func absorbedByGlobe(globe tgk: Double, air tak: Double, windSpeed: Double, diameter: Double, pressure: Double) -> Double {
        let h = AirProperties.sphereConvection(diameter: diameter, kelvin: 0.5 * (tgk + tak), pressure: pressure, windSpeed: windSpeed)
        return LiljegrenModel.globeEmissivity * AirProperties.stefanBoltzmann * Double.pow(tgk, 4) + h * (tgk - tak)
    }

    /// Mean radiant temperature (°C) seen by a globe reading `globe` °C in air at `air` °C.
    public static func meanRadiantTemperature(globe tg: Double, air ta: Double, windSpeed: Double,
                                              diameter: Double, pressure: Double) -> Double {
        let absorbed = absorbedByGlobe(globe: tg + 273.15, air: ta + 273.15, windSpeed: windSpeed, diameter: diameter, pressure: pressure)
        return Double.pow(max(absorbed / (LiljegrenModel.globeEmissivity * AirProperties.stefanBoltzmann), 0), 0.25) - 273.15
    }

    /// Natural wet-bulb temperature of a wick in the radiant environment a globe reports.
    /// - Parameters:
    ///   - exposure: indoors the globe's excess is treated as long-wave; outdoors as sunshine.
    ///   - sun: the sun's position (outdoors); `nil` when unknown (then the hot-side ratio is used).
    public static func estimate(air ta: Double, relativeHumidity rh: Double, globe tg: Double, windSpeed: Double,
                                diameter: Double, pressure: Double, exposure: Exposure, sun: SolarPosition?) -> Result {
        let sigma = AirProperties.stefanBoltzmann, eps = LiljegrenModel.globeEmissivity
        let tak = ta + 273.15, rhf = rh / 100
        let absorbed = absorbedByGlobe(globe: tg + 273.15, air: tak, windSpeed: windSpeed, diameter: diameter, pressure: pressure)
        let tmrt = Double.pow(max(absorbed / (eps * sigma), 0), 0.25) - 273.15
        let skyAndGround = LiljegrenModel.longwaveEnvironment(kelvin: tak, rhFraction: rhf)
        let excess = absorbed - eps * sigma * skyAndGround  // W/m² beyond the long-wave environment

        func wick(_ radiation: LiljegrenModel.WickRadiation) -> Double {
            LiljegrenModel.wetBulb(kelvin: tak, rhFraction: rhf, pressure: pressure, windSpeed: windSpeed, radiation: radiation) - 273.15
        }

        guard exposure == .outdoor, excess > 0 else {
            // Indoors, or a globe no warmer than the sky and ground explain: all long-wave.
            return Result(naturalWetBulb: wick(.absorbed(longwave: absorbed / (eps * sigma), shortwave: 0)),
                          meanRadiantTemperature: tmrt, inferredSolar: nil)
        }
        guard let sun, sun.topOfAtmosphereIrradiance > 0 else {
            if let sun, sun.topOfAtmosphereIrradiance == 0 {
                // Sun below the horizon: the excess is long-wave (warm ground, walls).
                return Result(naturalWetBulb: wick(.absorbed(longwave: absorbed / (eps * sigma), shortwave: 0)),
                              meanRadiantTemperature: tmrt, inferredSolar: nil)
            }
            return Result(naturalWetBulb: wick(.absorbed(longwave: skyAndGround, shortwave: conservativeShortwaveRatio * excess)),
                          meanRadiantTemperature: tmrt, inferredSolar: nil)
        }
        // Find the global irradiance whose globe heating matches the excess (monotonic in it).
        let toa = sun.topOfAtmosphereIrradiance
        let maximum = 0.85 * toa
        func load(_ irradiance: Double) -> SolarLoad { SolarLoad(measuredIrradiance: irradiance, position: sun) }
        var irradiance = maximum
        var leftover = excess - LiljegrenModel.globeShortwave(load(maximum))
        if leftover < 0 {
            irradiance = MonotonicRoot.solve(low: 0, high: maximum, tolerance: 1e-3) { LiljegrenModel.globeShortwave(load($0)) - excess }
            leftover = 0
        }
        // More heat than the brightest sky explains is treated as long-wave (hot ground, walls).
        let longwave = skyAndGround + leftover / (eps * sigma)
        return Result(naturalWetBulb: wick(.sunAndSky(longwave: longwave, solar: load(irradiance))),
                      meanRadiantTemperature: tmrt, inferredSolar: irradiance)
    }
}
