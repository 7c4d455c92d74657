import RealModule

/// Liljegren et al. (2008) WBGT from standard meteorological measurements: the energy
/// balances of a 2-inch black globe and of a naturally ventilated wetted wick, solved
/// for their temperatures; outdoor WBGT = 0.7·Tnw + 0.2·Tg + 0.1·Ta.
///
/// Roots are found by bisection to 1e-6 K rather than by the reference code's damped
/// fixed-point iteration, so results are the exact solution of the same equations.
public enum LiljegrenModel {
    /// The model's globe diameter, m (2 inches).
    public static let globeDiameter = 0.0508
    static let globeEmissivity = 0.95
    static let globeAlbedo = 0.05
    static let wickDiameter = 0.007
    static let wickLength = 0.0254
    static let wickEmissivity = 0.95
    static let wickAlbedo = 0.4
    static let surfaceEmissivity = 0.999
    static let surfaceAlbedo = 0.45

    /// What the model computed.
    public struct Result: Hashable, Sendable {
        /// Outdoor WBGT, °C.
        public var wbgt: Double
        /// Globe temperature of the model's 2-inch globe, °C.
        public var globeTemperature: Double
        /// Natural wet-bulb temperature, °C.
        public var naturalWetBulb: Double
        /// Psychrometric (ventilated, shaded) wet-bulb temperature, °C — for comparison only.
        public var psychrometricWetBulb: Double
    }

    /// Computes WBGT from air temperature (°C), relative humidity (%), wind speed at 2 m (m/s),
    /// station pressure (hPa) and the solar load.
    public static func compute(airTemperature ta: Double, relativeHumidity rh: Double, windSpeed: Double,
                               pressure: Double, solar: SolarLoad) -> Result {
        let tk = ta + 273.15
        let rhf = rh / 100
        let tg = globeTemperature(kelvin: tk, rhFraction: rhf, pressure: pressure, windSpeed: windSpeed,
                                  solar: solar, diameter: globeDiameter)
        let tnw = wetBulb(kelvin: tk, rhFraction: rhf, pressure: pressure, windSpeed: windSpeed,
                          radiation: .sunAndSky(longwave: longwaveEnvironment(kelvin: tk, rhFraction: rhf), solar: solar))
        let tpsy = wetBulb(kelvin: tk, rhFraction: rhf, pressure: pressure, windSpeed: windSpeed, radiation: .none)
        let tgC = tg - 273.15, tnwC = tnw - 273.15
        return Result(wbgt: 0.1 * ta + 0.2 * tgC + 0.7 * tnwC, globeTemperature: tgC,
                      naturalWetBulb: tnwC, psychrometricWetBulb: tpsy - 273.15)
    }

    /// Downwelling long-wave environment of sky and ground, as σ-less T⁴ (K⁴).
    static func longwaveEnvironment(kelvin tk: Double, rhFraction: Double) -> Double {
        let emisAtm = AirProperties.atmosphericEmissivity(kelvin: tk, relativeHumidityFraction: rhFraction)
        return 0.5 * (emisAtm * Double.pow(tk, 4) + surfaceEmissivity * Double.pow(tk, 4))
    }

    /// Globe temperature (K) of a matt black sphere of `diameter` m in sun and wind.
    static func globeTemperature(kelvin tk: Double, rhFraction: Double, pressure: Double, windSpeed: Double,
                                 solar: SolarLoad, diameter: Double) -> Double {
        let sigma = AirProperties.stefanBoltzmann
        let lw = longwaveEnvironment(kelvin: tk, rhFraction: rhFraction)
        let target = lw + globeShortwave(solar) / (globeEmissivity * sigma)
        return MonotonicRoot.solve(low: tk - 30, high: tk + 80) { tg in
            let h = AirProperties.sphereConvection(diameter: diameter, kelvin: 0.5 * (tg + tk), pressure: pressure, windSpeed: windSpeed)
            return Double.pow(tg, 4) + h / (globeEmissivity * sigma) * (tg - tk) - target
        }
    }

    /// Shortwave power absorbed per unit area of the globe, W/m².
    static func globeShortwave(_ solar: SolarLoad) -> Double {
        guard solar.irradiance > 0 else { return 0 }
        let beam = solar.directFraction > 0 ? solar.directFraction * (1 / (2 * solar.cosineZenith) - 1) : 0
        return solar.irradiance / 2 * (1 - globeAlbedo) * (beam + 1 + surfaceAlbedo)
    }

    /// Shortwave power absorbed per unit area of the wick, W/m².
    static func wickShortwave(_ solar: SolarLoad) -> Double {
        guard solar.irradiance > 0 else { return 0 }
        let geometry = 0.25 * wickDiameter / wickLength
        let zenith = Double.acos(max(-1, min(1, solar.cosineZenith)))
        let beam = solar.directFraction > 0 ? solar.directFraction * (Double.tan(zenith) / .pi + geometry) : 0
        return (1 - wickAlbedo) * solar.irradiance * ((1 - solar.directFraction) * (1 + geometry) + beam + surfaceAlbedo)
    }

    /// The radiation a wick exchanges with its surroundings.
    enum WickRadiation {
        /// None: the psychrometric (shaded, ventilated) wet bulb.
        case none
        /// A long-wave environment (as T⁴, K⁴) and the sun, as in Liljegren's outdoor model.
        case sunAndSky(longwave: Double, solar: SolarLoad)
        /// A long-wave environment (as T⁴, K⁴) and an absorbed shortwave power, W/m².
        case absorbed(longwave: Double, shortwave: Double)
    }

    /// Wet-bulb temperature (K) of the model's wick.
    static func wetBulb(kelvin tk: Double, rhFraction: Double, pressure: Double, windSpeed: Double,
                        radiation: WickRadiation) -> Double {
        let sigma = AirProperties.stefanBoltzmann
        let eAir = rhFraction * AirProperties.saturationVapourPressure(kelvin: tk)
        let longwave: Double, shortwave: Double
        switch radiation {
        case .none: (longwave, shortwave) = (0, 0)
        case let .sunAndSky(lw, solar): (longwave, shortwave) = (lw, wickShortwave(solar))
        case let .absorbed(lw, sw): (longwave, shortwave) = (lw, sw)
        }
        return MonotonicRoot.solve(low: tk - 60, high: tk + 40) { tw in
            let tref = 0.5 * (tw + tk)
            let h = AirProperties.cylinderConvection(diameter: wickDiameter, kelvin: tref, pressure: pressure, windSpeed: windSpeed)
            var radiant = 0.0
            if case .none = radiation {} else {
                radiant = sigma * wickEmissivity * (longwave - Double.pow(tw, 4)) + shortwave
            }
            let eWick = AirProperties.saturationVapourPressure(kelvin: tw)
            let density = AirProperties.density(kelvin: tref, pressure: pressure)
            let schmidt = AirProperties.viscosity(kelvin: tref) / (density * AirProperties.diffusivity(kelvin: tref, pressure: pressure))
            let evaporative = AirProperties.evaporationHeat(kelvin: tref) / AirProperties.heatRatio
                * (eWick - eAir) / (pressure - eWick) * Double.pow(AirProperties.prandtl / schmidt, 0.56)
            let balance = tk - evaporative + radiant / h
            return tw - balance
        }
    }
}
