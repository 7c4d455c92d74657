import RealModule

/// Thermophysical properties of moist air and the constants of Liljegren et al. (2008),
/// "Modeling the wet bulb globe temperature using standard meteorological measurements",
/// J. Occup. Environ. Hyg. 5:645–655. Temperatures in kelvin, pressures in hPa.
enum AirProperties {
    static let stefanBoltzmann = 5.6696e-8
    /// Specific heat of dry air at constant pressure, J/(kg·K).
    static let specificHeat = 1003.5
    static let molarMassAir = 28.97
    static let molarMassWater = 18.015
    static let gasConstant = 8314.34
    static let airGasConstant = gasConstant / molarMassAir
    /// Prandtl number of air.
    static let prandtl = specificHeat / (specificHeat + 1.25 * airGasConstant)
    static let heatRatio = specificHeat * molarMassAir / molarMassWater
    /// Wind speeds below this (0.5 knot) are treated as this in the convection correlations.
    static let minimumWindSpeed = 0.13

    /// Saturation vapour pressure over liquid water, hPa (Buck 1981, with the moist-air factor).
    static func saturationVapourPressure(kelvin tk: Double) -> Double {
        let y = (tk - 273.15) / (tk - 32.18)
        return 1.004 * 6.1121 * Double.exp(17.502 * y)
    }

    /// Dynamic viscosity of air, kg/(m·s) (Bird, Stewart & Lightfoot).
    static func viscosity(kelvin tk: Double) -> Double {
        let sigma = 3.617, epsKappa = 97.0
        let tr = tk / epsKappa
        let omega = (tr - 2.9) / 0.4 * (-0.034) + 1.048
        return 2.6693e-6 * (molarMassAir * tk).squareRoot() / (sigma * sigma * omega)
    }

    /// Thermal conductivity of air, W/(m·K) (Eucken).
    static func thermalConductivity(kelvin tk: Double) -> Double {
        (specificHeat + 1.25 * airGasConstant) * viscosity(kelvin: tk)
    }

    /// Diffusivity of water vapour in air, m²/s.
    static func diffusivity(kelvin tk: Double, pressure: Double) -> Double {
        let pcritAir = 36.4, pcritWater = 218.0, tcritAir = 132.0, tcritWater = 647.3
        let a = 3.640e-4, b = 2.334
        let pcrit13 = Double.pow(pcritAir * pcritWater, 1.0 / 3.0)
        let tcrit512 = Double.pow(tcritAir * tcritWater, 5.0 / 12.0)
        let tcrit12 = (tcritAir * tcritWater).squareRoot()
        let mmix = (1 / molarMassAir + 1 / molarMassWater).squareRoot()
        let atmospheres = pressure / 1013.25
        return a * Double.pow(tk / tcrit12, b) * pcrit13 * tcrit512 * mmix / atmospheres * 1e-4
    }

    /// Latent heat of evaporation of water, J/kg.
    static func evaporationHeat(kelvin tk: Double) -> Double {
        (313.15 - tk) / 30 * (-71100) + 2.4073e6
    }

    /// Emissivity of the clear-sky atmosphere from the vapour pressure (Oke).
    static func atmosphericEmissivity(kelvin tk: Double, relativeHumidityFraction rh: Double) -> Double {
        let e = rh * saturationVapourPressure(kelvin: tk)
        return 0.575 * Double.pow(e, 0.143)
    }

    /// Air density, kg/m³.
    static func density(kelvin tk: Double, pressure: Double) -> Double {
        pressure * 100 / (airGasConstant * tk)
    }

    /// Convective heat transfer coefficient of a sphere in cross flow, W/(m²·K).
    static func sphereConvection(diameter: Double, kelvin tk: Double, pressure: Double, windSpeed: Double) -> Double {
        let reynolds = max(windSpeed, minimumWindSpeed) * density(kelvin: tk, pressure: pressure) * diameter / viscosity(kelvin: tk)
        let nusselt = 2.0 + 0.6 * reynolds.squareRoot() * Double.pow(prandtl, 0.3333)
        return nusselt * thermalConductivity(kelvin: tk) / diameter
    }

    /// Convective heat transfer coefficient of a long cylinder in cross flow, W/(m²·K).
    static func cylinderConvection(diameter: Double, kelvin tk: Double, pressure: Double, windSpeed: Double) -> Double {
        let a = 0.56, b = 0.281, c = 0.4
        let reynolds = max(windSpeed, minimumWindSpeed) * density(kelvin: tk, pressure: pressure) * diameter / viscosity(kelvin: tk)
        let nusselt = b * Double.pow(reynolds, 1 - c) * Double.pow(prandtl, 1 - a)
        return nusselt * thermalConductivity(kelvin: tk) / diameter
    }
}

/// Finds the root of a function that increases with its argument, by bisection.
enum MonotonicRoot {
    /// The `x` in `[low, high]` (widened if needed) where `f(x) = 0`, to `tolerance`.
    static func solve(low: Double, high: Double, tolerance: Double = 1e-6, _ f: (Double) -> Double) -> Double {
        var lo = low, hi = high
        var widen = 0
        while f(lo) > 0, widen < 20 { lo -= (hi - lo); widen += 1 }
        widen = 0
        while f(hi) < 0, widen < 20 { hi += (hi - lo); widen += 1 }
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if f(mid) < 0 { lo = mid } else { hi = mid }
            if hi - lo < tolerance { break }
        }
        return 0.5 * (lo + hi)
    }
}
