import Testing
@testable import VenueGuardCore

struct EmpiricalFormulaTests {
    @Test("MoE regression matches DOMAIN.md to 0.01 °C", arguments: [
        // Ta, RH, solar W/m², wind, expected
        (20.0, 50.0, 0.0, 1.0, 15.37),
        (28.0, 80.0, 600.0, 1.0, 28.92),
        (35.0, 60.0, 1000.0, 0.5, 33.07),
    ])
    func moeRegression(_ row: (Double, Double, Double, Double, Double)) {
        #expect(abs(MoERegression.wbgt(air: row.0, relativeHumidity: row.1, solar: row.2, windSpeed: row.3) - row.4) < 0.01)
    }

    @Test("Indoor chart fit matches DOMAIN.md to 0.01 °C", arguments: [
        (20.0, 50.0, 15.95),
        (28.0, 80.0, 26.21),
        (35.0, 60.0, 30.20),
    ])
    func indoorChart(_ row: (Double, Double, Double)) {
        #expect(abs(IndoorChart.wbgt(air: row.0, relativeHumidity: row.1) - row.2) < 0.01)
    }

    @Test("Stull wet bulb: the paper's worked example (20 °C, 50 % → 13.7 °C)")
    func stull() {
        #expect(abs(StullWetBulb.wetBulb(air: 20, relativeHumidity: 50) - 13.7) < 0.05)
    }

    @Test("ISO 7243 weights", arguments: [
        // Tnw, Tg, Ta, exposure, expected
        (25.0, 40.0, 30.0, Exposure.outdoor, 0.7 * 25 + 0.2 * 40 + 0.1 * 30),
        (25.0, 40.0, 30.0, Exposure.indoor, 0.7 * 25 + 0.3 * 40),
        (20.0, 20.0, 20.0, Exposure.outdoor, 20.0),
    ])
    func iso7243(_ row: (Double, Double, Double, Exposure, Double)) {
        #expect(abs(ISO7243.wbgt(naturalWetBulb: row.0, globe: row.1, air: row.2, exposure: row.3) - row.4) < 1e-9)
    }

    @Test("Indoors, a globe at air temperature gives a Tnw close to the psychrometric wet bulb")
    func indoorGlobeAtAirTemperature() {
        // No radiant excess: the wick is a plain (naturally ventilated) wet bulb.
        let tnw = GlobeWetBulbEstimator.estimate(air: 30, relativeHumidity: 60, globe: 30, windSpeed: 0.2, diameter: 0.15,
                                                 pressure: 1013.25, exposure: .indoor, sun: nil).naturalWetBulb
        let stull = StullWetBulb.wetBulb(air: 30, relativeHumidity: 60)
        #expect(abs(tnw - stull) < 1.2, "Tnw \(tnw) vs Stull \(stull)")
        #expect(tnw < 30)
    }

    @Test("Indoor globe WBGT agrees with the indoor chart within 0.5 °C in its own conditions", arguments: [
        (20.0, 50.0), (25.0, 60.0), (28.0, 70.0), (30.0, 50.0), (32.0, 80.0), (35.0, 40.0),
    ])
    func indoorGlobeVersusChart(_ row: (Double, Double)) {
        // The chart assumes no radiant load (Tg = Ta) and about 0.2 m/s air movement.
        let inputs = WBGTInputs(exposure: .indoor, airTemperature: SourcedValue(row.0, .given),
                                relativeHumidity: SourcedValue(row.1, .given), globeTemperature: SourcedValue(row.0, .given),
                                windSpeed: SourcedValue(0.2, .given))
        let globe = try! WBGTEstimator.estimate(inputs, method: .globe).get()
        let chart = IndoorChart.wbgt(air: row.0, relativeHumidity: row.1)
        #expect(abs(globe.wbgt! - chart) < 0.5, "globe \(globe.wbgt!) vs chart \(chart)")
    }
}
