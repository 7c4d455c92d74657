import Testing
@testable import VenueGuardCore

struct WBGTEstimatorTests {
    static let tokyo = GeoLocation(latitude: 35.68, longitude: 139.77)
    static let noon = WallClockTime(year: 2024, month: 8, day: 1, hour: 12, utcOffsetSeconds: 9 * 3600)

    static func inputs(_ exposure: Exposure, _ present: Set<Quantity>, clock: Bool = true, clearSky: Bool = false) -> WBGTInputs {
        var inputs = WBGTInputs(exposure: exposure, assumeClearSkyWhenNoSolar: clearSky, location: tokyo, time: clock ? noon : nil)
        let values: [Quantity: Double] = [.airTemperature: 31, .relativeHumidity: 65, .globeTemperature: 36, .naturalWetBulb: 26,
                                          .wbgt: 29, .windSpeed: 1.2, .solarRadiation: 600, .pressure: 1010]
        for q in present {
            let v = SourcedValue(values[q]!, .given)
            switch q {
            case .airTemperature: inputs.airTemperature = v
            case .relativeHumidity: inputs.relativeHumidity = v
            case .globeTemperature: inputs.globeTemperature = v
            case .naturalWetBulb: inputs.naturalWetBulb = v
            case .wbgt: inputs.wbgt = v
            case .windSpeed: inputs.windSpeed = v
            case .solarRadiation: inputs.solarRadiation = v
            case .pressure: inputs.pressure = v
            case .lightningDistance, .windGust: break
            }
        }
        return inputs
    }

    struct Case: Sendable {
        var exposure: Exposure, present: Set<Quantity>, method: WBGTMethod
        init(_ exposure: Exposure, _ present: Set<Quantity>, _ method: WBGTMethod) {
            self.exposure = exposure
            self.present = present
            self.method = method
        }
    }

    @Test("Automatic selection picks the best method the inputs allow", arguments: [
        Case(.indoor, [.wbgt, .airTemperature, .relativeHumidity, .globeTemperature], .measured),
        Case(.outdoor, [.naturalWetBulb, .globeTemperature, .airTemperature], .iso7243),
        Case(.indoor, [.naturalWetBulb, .globeTemperature], .iso7243),
        Case(.outdoor, [.naturalWetBulb, .globeTemperature], .temperatureOnly),  // no Ta: cannot weight outdoors… and no Ta at all
        Case(.indoor, [.airTemperature, .relativeHumidity, .globeTemperature], .globe),
        Case(.outdoor, [.airTemperature, .relativeHumidity, .globeTemperature, .solarRadiation], .globe),
        Case(.outdoor, [.airTemperature, .relativeHumidity, .solarRadiation, .windSpeed], .liljegren),
        Case(.outdoor, [.airTemperature, .relativeHumidity], .temperatureOnly),  // no sun data and no clear-sky assumption
        Case(.indoor, [.airTemperature, .relativeHumidity], .indoorChart),
        Case(.indoor, [.airTemperature], .temperatureOnly),
        Case(.outdoor, [.airTemperature, .globeTemperature], .temperatureOnly),
    ])
    func selection(_ row: Case) {
        let result = WBGTEstimator.estimate(Self.inputs(row.exposure, row.present))
        if row.present == [.naturalWetBulb, .globeTemperature] && row.exposure == .outdoor {
            // Outdoors without Ta there is nothing at all: iso7243 needs Ta, and so does every fallback.
            guard case let .failure(error) = result else { Issue.record("expected failure"); return }
            #expect(error.description.contains("air_temperature"))
            return
        }
        #expect((try? result.get())?.method == row.method)
    }

    @Test("Outdoors with clear-sky assumption, Ta and RH use Liljegren with assumed sunshine")
    func clearSkyAssumption() throws {
        let estimate = try WBGTEstimator.estimate(Self.inputs(.outdoor, [.airTemperature, .relativeHumidity], clearSky: true)).get()
        #expect(estimate.method == .liljegren)
        #expect(estimate.inputs[.solarRadiation]?.source == .assumed("clear sky"))
        #expect(estimate.inputs[.windSpeed]?.source.kind == "assumed")
        // Without a synchronised clock the sun's position is unknown: dry-bulb fallback.
        let noClock = try WBGTEstimator.estimate(Self.inputs(.outdoor, [.airTemperature, .relativeHumidity], clock: false, clearSky: true)).get()
        #expect(noClock.method == .temperatureOnly)
    }

    @Test("The MoE regression is never chosen automatically, only on request")
    func moeOnlyOnRequest() throws {
        let inputs = Self.inputs(.outdoor, [.airTemperature, .relativeHumidity, .solarRadiation, .windSpeed])
        #expect(try WBGTEstimator.estimate(inputs).get().method == .liljegren)
        let moe = try WBGTEstimator.estimate(inputs, method: .moeRegression).get()
        #expect(moe.method == .moeRegression)
        #expect(abs(moe.wbgt! - MoERegression.wbgt(air: 31, relativeHumidity: 65, solar: 600, windSpeed: 1.2)) < 1e-9)
    }

    @Test("The globe path reads hotter than the psychrometric shortcut in sun")
    func globeInSun() throws {
        var inputs = Self.inputs(.outdoor, [.airTemperature, .relativeHumidity, .windSpeed])
        inputs.globeTemperature = SourcedValue(50, .given)
        inputs.globeDiameter = 0.15
        let estimate = try WBGTEstimator.estimate(inputs).get()
        #expect(estimate.method == .globe)
        let psychrometric = ISO7243.wbgt(naturalWetBulb: StullWetBulb.wetBulb(air: 31, relativeHumidity: 65), globe: 50, air: 31, exposure: .outdoor)
        #expect(estimate.wbgt! > psychrometric)
        #expect(estimate.estimated == [.naturalWetBulb])
    }

    @Test("Impossible inputs are errors that say which value", arguments: [
        (Quantity.relativeHumidity, 130.0), (.airTemperature, 75.0), (.windSpeed, -1.0), (.airTemperature, Double.nan),
    ])
    func impossible(_ row: (Quantity, Double)) {
        var inputs = Self.inputs(.indoor, [.airTemperature, .relativeHumidity])
        switch row.0 {
        case .relativeHumidity: inputs.relativeHumidity = SourcedValue(row.1, .given)
        case .airTemperature: inputs.airTemperature = SourcedValue(row.1, .given)
        default: inputs.windSpeed = SourcedValue(row.1, .given)
        }
        guard case let .failure(error) = WBGTEstimator.estimate(inputs) else { Issue.record("accepted \(row)"); return }
        #expect(error == .implausible(row.0, row.1) || row.1.isNaN)
        #expect(error.description.contains(row.0.label))
    }

    @Test("A forced method with missing inputs names them")
    func forcedMissing() {
        guard case let .failure(error) = WBGTEstimator.estimate(Self.inputs(.indoor, [.airTemperature]), method: .globe) else {
            Issue.record("expected failure"); return
        }
        #expect(error == .missingInputs(.globe, ["humidity", "globe_temperature"]))
    }

    @Test("Indoor chart: outside its range it errors when forced, falls back with a note when automatic")
    func chartValidity() throws {
        var inputs = Self.inputs(.indoor, [.relativeHumidity])
        inputs.airTemperature = SourcedValue(42, .given)
        guard case .failure(.outsideValidity(.indoorChart, _)) = WBGTEstimator.estimate(inputs, method: .indoorChart) else {
            Issue.record("expected outsideValidity"); return
        }
        let automatic = try WBGTEstimator.estimate(inputs).get()
        #expect(automatic.method == .temperatureOnly)
        #expect(automatic.notes.contains { $0.contains("indoor-chart") })
        #expect(HeatThresholds.standardDryBulb.level(of: automatic.index) == .stop)
    }

    @Test("The indoor chart is not used outdoors, Liljegren not indoors")
    func applicability() {
        #expect(WBGTEstimator.estimate(Self.inputs(.outdoor, [.airTemperature, .relativeHumidity]), method: .indoorChart)
                    == .failure(.notApplicable(.indoorChart, "the chart is for indoors without sun")))
        #expect(WBGTEstimator.estimate(Self.inputs(.indoor, [.airTemperature, .relativeHumidity, .solarRadiation]), method: .liljegren)
                    == .failure(.notApplicable(.liljegren, "it is an outdoor model")))
    }
}
