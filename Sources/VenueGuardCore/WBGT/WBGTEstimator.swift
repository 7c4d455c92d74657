/// Chooses and applies a WBGT method: the best one the present inputs allow, or the one asked for.
public enum WBGTEstimator {
    /// Estimates with `method`, or with the best available method when `method` is `nil`.
    ///
    /// Automatic selection tries `WBGTMethod.automaticPreference` in order and returns the
    /// first that succeeds. When none does, the error of the least demanding method is
    /// returned (usually "needs air_temperature"), so the caller can say what is missing.
    public static func estimate(_ inputs: WBGTInputs, method: WBGTMethod? = nil) -> Result<WBGTEstimate, WBGTError> {
        if let problem = implausibleInput(inputs) { return .failure(problem) }
        guard inputs.globeDiameter >= 0.02, inputs.globeDiameter <= 0.3 else {
            return .failure(.invalidParameter("globe diameter \(inputs.globeDiameter * 1000) mm is outside 20…300 mm"))
        }
        if let method { return apply(method, inputs).flatMap(checkDerived) }
        var lastFailure: WBGTError?
        var notes: [String] = []
        for candidate in WBGTMethod.automaticPreference {
            switch apply(candidate, inputs).flatMap(checkDerived) {
            case var .success(estimate):
                estimate.notes = notes + estimate.notes
                return .success(estimate)
            case let .failure(error):
                if case .notApplicable = error { continue }
                // A value outside a method's validity moves on to the next method, and says so.
                if case .outsideValidity = error { notes.append(error.description) }
                lastFailure = error
            }
        }
        return .failure(lastFailure ?? .missingInputs(.temperatureOnly, [Quantity.airTemperature.rawValue]))
    }

    /// Why each method automatic selection prefers to `method` could not be used with
    /// `inputs` (methods that do not apply to the exposure are left out), best first.
    public static func reasonsSkipped(_ inputs: WBGTInputs, before method: WBGTMethod) -> [(method: WBGTMethod, reason: WBGTError)] {
        var reasons: [(WBGTMethod, WBGTError)] = []
        for candidate in WBGTMethod.automaticPreference {
            if candidate == method { break }
            if case let .failure(error) = apply(candidate, inputs).flatMap(checkDerived) {
                if case .notApplicable = error { continue }
                reasons.append((candidate, error))
            }
        }
        return reasons
    }

    /// Every value a method derives is range-checked like a measured one: a WBGT outside the
    /// models' validity (−20…45 °C), or an estimated Tnw or Tg outside its physical range, comes
    /// from an input that is wrong (a glitching globe, say) and is never used as a level.
    static func checkDerived(_ estimate: WBGTEstimate) -> Result<WBGTEstimate, WBGTError> {
        var derived: [(Quantity, Double?)] = [(.wbgt, estimate.wbgt)]
        if estimate.estimated.contains(.naturalWetBulb) { derived.append((.naturalWetBulb, estimate.naturalWetBulb)) }
        if estimate.estimated.contains(.globeTemperature) { derived.append((.globeTemperature, estimate.globeTemperature)) }
        for case let (quantity, value?) in derived where !value.isFinite || !quantity.plausibleRange.contains(value) {
            // No live number in the words: reasons stay the same while the fault lasts.
            let range = quantity.plausibleRange
            let sensors = Set(estimate.inputs.values.compactMap { value -> String? in
                if case let .sensor(id, _) = value.source { return id.rawValue }
                return nil
            }).sorted()
            let what = quantity == .wbgt ? "a WBGT" : "an estimated \(quantity.symbol)"
            return .failure(.outsideValidity(estimate.method, "it gives \(what) outside \(NumberText.format(range.lowerBound))…\(NumberText.format(range.upperBound)) °C, so an input is wrong (check \(sensors.isEmpty ? "the inputs" : sensors.joined(separator: ", ")))"))
        }
        return .success(estimate)
    }

    private static func implausibleInput(_ inputs: WBGTInputs) -> WBGTError? {
        for quantity in Quantity.allCases {
            guard let value = inputs.value(for: quantity)?.value else { continue }
            if !value.isFinite || !quantity.plausibleRange.contains(value) { return .implausible(quantity, value) }
        }
        return nil
    }

    private static func require(_ method: WBGTMethod, _ pairs: [(Quantity, SourcedValue?)]) -> Result<[Quantity: SourcedValue], WBGTError> {
        var found: [Quantity: SourcedValue] = [:]
        var missing: [String] = []
        for (quantity, value) in pairs {
            if let value { found[quantity] = value } else { missing.append(quantity.rawValue) }
        }
        return missing.isEmpty ? .success(found) : .failure(.missingInputs(method, missing))
    }

    static func apply(_ method: WBGTMethod, _ inputs: WBGTInputs) -> Result<WBGTEstimate, WBGTError> {
        switch method {
        case .measured:
            return require(method, [(.wbgt, inputs.wbgt)]).map { used in
                WBGTEstimate(method: .measured, wbgt: used[.wbgt]!.value, airTemperature: inputs.airTemperature?.value,
                             inputs: used, estimated: [])
            }
        case .iso7243:
            var needs: [(Quantity, SourcedValue?)] = [(.naturalWetBulb, inputs.naturalWetBulb), (.globeTemperature, inputs.globeTemperature)]
            if inputs.exposure == .outdoor { needs.append((.airTemperature, inputs.airTemperature)) }
            return require(method, needs).map { used in
                let tnw = used[.naturalWetBulb]!.value, tg = used[.globeTemperature]!.value
                let wbgt = ISO7243.wbgt(naturalWetBulb: tnw, globe: tg, air: used[.airTemperature]?.value, exposure: inputs.exposure)
                return WBGTEstimate(method: .iso7243, wbgt: wbgt, airTemperature: inputs.airTemperature?.value,
                                    naturalWetBulb: tnw, globeTemperature: tg, inputs: used, estimated: [])
            }
        case .globe:
            return require(method, [(.airTemperature, inputs.airTemperature), (.relativeHumidity, inputs.relativeHumidity),
                                    (.globeTemperature, inputs.globeTemperature)]).map { found in
                var used = found
                let wind = inputs.effectiveWind, pressure = inputs.effectivePressure
                used[.windSpeed] = wind
                used[.pressure] = pressure
                let ta = used[.airTemperature]!.value, rh = used[.relativeHumidity]!.value, tg = used[.globeTemperature]!.value
                var sun: SolarPosition?
                if inputs.exposure == .outdoor, let location = inputs.location, let time = inputs.time {
                    sun = SolarPosition(time: time, latitude: location.latitude, longitude: location.longitude)
                }
                let result = GlobeWetBulbEstimator.estimate(air: ta, relativeHumidity: rh, globe: tg, windSpeed: wind.value,
                                                            diameter: inputs.globeDiameter, pressure: pressure.value,
                                                            exposure: inputs.exposure, sun: sun)
                let tnw = result.naturalWetBulb, tmrt = result.meanRadiantTemperature
                let wbgt = ISO7243.wbgt(naturalWetBulb: tnw, globe: tg, air: ta, exposure: inputs.exposure)
                var estimate = WBGTEstimate(method: .globe, wbgt: wbgt, airTemperature: ta, naturalWetBulb: tnw, globeTemperature: tg,
                                            meanRadiantTemperature: tmrt, inputs: used, estimated: [.naturalWetBulb])
                if inputs.exposure == .outdoor && sun == nil {
                    estimate.notes.append("sun position unknown (no site location or unsynchronised clock): Tnw estimated on the hot side")
                }
                return estimate
            }
        case .liljegren:
            guard inputs.exposure == .outdoor else { return .failure(.notApplicable(method, "it is an outdoor model")) }
            var needs: [(Quantity, SourcedValue?)] = [(.airTemperature, inputs.airTemperature), (.relativeHumidity, inputs.relativeHumidity)]
            if inputs.solarRadiation == nil && !inputs.assumeClearSkyWhenNoSolar { needs.append((.solarRadiation, nil)) }
            if case let .failure(error) = require(method, needs) { return .failure(error) }
            guard let location = inputs.location else { return .failure(.missingInputs(method, ["site latitude/longitude"])) }
            guard let time = inputs.time else { return .failure(.missingInputs(method, ["a synchronised clock (sun position)"])) }
            let position = SolarPosition(time: time, latitude: location.latitude, longitude: location.longitude)
            let solar = inputs.solarRadiation
                ?? SourcedValue(SolarLoad.clearSkyIrradiance(at: position), .assumed("clear sky"))
            let wind = inputs.effectiveWind, pressure = inputs.effectivePressure
            let ta = inputs.airTemperature!.value, rh = inputs.relativeHumidity!.value
            let result = LiljegrenModel.compute(airTemperature: ta, relativeHumidity: rh, windSpeed: wind.value,
                                                pressure: pressure.value, solar: SolarLoad(measuredIrradiance: solar.value, position: position))
            let used: [Quantity: SourcedValue] = [.airTemperature: inputs.airTemperature!, .relativeHumidity: inputs.relativeHumidity!,
                                                  .windSpeed: wind, .solarRadiation: solar, .pressure: pressure]
            return .success(WBGTEstimate(method: .liljegren, wbgt: result.wbgt, airTemperature: ta, naturalWetBulb: result.naturalWetBulb,
                                         globeTemperature: result.globeTemperature, inputs: used,
                                         estimated: [.naturalWetBulb, .globeTemperature]))
        case .moeRegression:
            return require(method, [(.airTemperature, inputs.airTemperature), (.relativeHumidity, inputs.relativeHumidity),
                                    (.solarRadiation, inputs.solarRadiation ?? (inputs.exposure == .indoor ? SourcedValue(0, .assumed("indoors: no sun")) : nil))])
                .map { found in
                    var used = found
                    let wind = inputs.effectiveWind
                    used[.windSpeed] = wind
                    let wbgt = MoERegression.wbgt(air: used[.airTemperature]!.value, relativeHumidity: used[.relativeHumidity]!.value,
                                                  solar: used[.solarRadiation]!.value, windSpeed: wind.value)
                    return WBGTEstimate(method: .moeRegression, wbgt: wbgt, airTemperature: used[.airTemperature]!.value,
                                        inputs: used, estimated: [])
                }
        case .indoorChart:
            guard inputs.exposure == .indoor else { return .failure(.notApplicable(method, "the chart is for indoors without sun")) }
            let used: [Quantity: SourcedValue]
            switch require(method, [(.airTemperature, inputs.airTemperature), (.relativeHumidity, inputs.relativeHumidity)]) {
            case let .success(found): used = found
            case let .failure(error): return .failure(error)
            }
            let ta = used[.airTemperature]!.value, rh = used[.relativeHumidity]!.value
            if !IndoorChart.airTemperatureRange.contains(ta) {
                // Below the chart every level is safe anyway; above it the chart has no answer.
                if ta < IndoorChart.airTemperatureRange.lowerBound {
                    return .success(WBGTEstimate(method: .indoorChart, wbgt: IndoorChart.wbgt(air: ta, relativeHumidity: rh),
                                                 airTemperature: ta, inputs: used, estimated: []))
                }
                return .failure(.outsideValidity(method, "air temperature \(NumberText.format(ta)) °C is above the chart's \(NumberText.format(IndoorChart.airTemperatureRange.upperBound)) °C"))
            }
            // Below the chart's 20 % the fit is used at 20 %: it then reads slightly hot, the safe side.
            let chartRH = max(rh, IndoorChart.humidityRange.lowerBound)
            var estimate = WBGTEstimate(method: .indoorChart, wbgt: IndoorChart.wbgt(air: ta, relativeHumidity: chartRH),
                                        airTemperature: ta, inputs: used, estimated: [])
            if chartRH != rh { estimate.notes.append("humidity below the chart's 20 %: read at 20 %") }
            return .success(estimate)
        case .temperatureOnly:
            return require(method, [(.airTemperature, inputs.airTemperature)]).map { used in
                WBGTEstimate(method: .temperatureOnly, wbgt: nil, airTemperature: used[.airTemperature]!.value, inputs: used, estimated: [])
            }
        }
    }
}
