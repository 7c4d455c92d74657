import Testing
@testable import VenueGuardCore

/// The comparison of the box's outdoor WBGT with the official hourly estimate.
struct ForecastDisagreementTests {
    /// `2026-08-08 10:00` JST.
    static func hour(_ text: String) -> WallClockTime {
        let p = text.split(whereSeparator: { "- :".contains($0) }).map { Int($0)! }
        return WallClockTime(year: p[0], month: p[1], day: p[2], hour: p[3], minute: p[4], utcOffsetSeconds: 9 * 3600)
    }

    struct Step: Sendable {
        var hour: String
        var official: Double?
        var own: Double?
        var raised: Bool
    }

    @Test("Raised when the box reads low for long enough; cleared with hysteresis; gaps start over")
    func sequence() {
        var t = ForecastDisagreement()
        let steps = [
            Step(hour: "2026-08-08 09:00", official: 28.9, own: 28.5, raised: false),
            Step(hour: "2026-08-08 10:00", official: 30.1, own: 25.9, raised: false),  // −4.2: first disagreeing hour
            Step(hour: "2026-08-08 11:00", official: 31.0, own: 26.8, raised: true),   // held for an hour: raised
            Step(hour: "2026-08-08 12:00", official: 31.2, own: 28.5, raised: true),   // −2.7: inside margin, not below 2.5: held
            Step(hour: "2026-08-08 13:00", official: 31.0, own: 29.0, raised: false),  // −2.0: cleared
            Step(hour: "2026-08-08 14:00", official: 30.0, own: 26.0, raised: false),
            Step(hour: "2026-08-08 15:00", official: nil, own: 26.0, raised: false),  // missing: evidence lost, start over
            Step(hour: "2026-08-08 16:00", official: 29.0, own: 25.0, raised: false),
            Step(hour: "2026-08-08 17:00", official: 28.0, own: 24.0, raised: true),
        ]
        for s in steps {
            let d = t.update(hour: Self.hour(s.hour), official: s.official, own: s.own)
            #expect((d != nil) == s.raised, "\(s.hour)")
        }
    }

    @Test("Messages in English and Japanese, below and above")
    func messages() {
        var p = ForecastDisagreement.Parameters.standard
        p.persistence = .zero
        var t = ForecastDisagreement(parameters: p)
        let d = t.update(hour: Self.hour("2026-08-08 10:00"), official: 30.1, own: 25.9)
        #expect(d?.englishText == "outdoor WBGT reads 4.2 °C below the official estimate for the last hour: is the globe shaded or the sensor drifting?")
        #expect(d?.japaneseText == "屋外のWBGTが公式の推定値より4.2 °C低い状態が直近1時間続いています。黒球が日陰になっていないか、センサーがずれていないか確認してください。")
        var u = ForecastDisagreement()
        u.update(hour: Self.hour("2026-08-08 10:00"), official: 27.0, own: 30.5)
        let e = u.update(hour: Self.hour("2026-08-08 11:00"), official: 27.0, own: 30.5)
        #expect(e?.englishText == "outdoor WBGT reads 3.5 °C above the official estimate for the last 2 hours: is the globe near a hot surface or the sensor drifting?")
    }

    @Test("A longer window averages; out-of-order hours and absurd values are ignored")
    func window() {
        var p = ForecastDisagreement.Parameters.standard
        p.window = .seconds(3 * 3600)
        p.persistence = .zero
        var t = ForecastDisagreement(parameters: p)
        #expect(t.update(hour: Self.hour("2026-08-08 10:00"), official: 30, own: 25) != nil)  // −5
        #expect(t.update(hour: Self.hour("2026-08-08 09:00"), official: 30, own: 30) != nil)  // out of order: ignored
        #expect(t.update(hour: Self.hour("2026-08-08 11:00"), official: 30, own: 29) != nil)  // mean −3: not beyond 3, not within 2.5: kept
        #expect(t.update(hour: Self.hour("2026-08-08 12:00"), official: 30, own: 31) == nil)  // mean −1.7: cleared
        #expect(t.update(hour: Self.hour("2026-08-08 13:00"), official: 30, own: 200) == nil)
    }
}

/// The comparison inside the engine: the box's outdoor WBGT, hour by hour, against the official estimate.
struct EstimateComparisonTests {
    static func model() -> VenueModel {
        var model = VenueModel(site: SiteDescriptor(id: "club", name: "Club"),
                               areas: [AreaDescriptor(id: "yard", name: "Yard", exposure: .outdoor, sensors: ["meter"]),
                                       AreaDescriptor(id: "hall", name: "Hall", exposure: .indoor, sensors: ["hall-meter"])],
                               sensors: [SensorDescriptor(id: "meter", kind: "wbgt-meter", quantities: [.wbgt], samplingPeriod: .seconds(60)),
                                         SensorDescriptor(id: "hall-meter", kind: "wbgt-meter", quantities: [.wbgt], samplingPeriod: .seconds(60))])
        model.estimateComparison = .standard
        return model
    }

    /// Runs `hours` hours from 09:00 JST with a reading a minute (`own` °C outdoors), the official
    /// estimate `official` °C arriving for each hour once it has ended; returns the statuses at each hour's end.
    static func run(hours: Int, own: (Int) -> Double, official: (Int) -> Double?, synchronized: Bool = true,
                    engine: inout VenueEngine) -> [VenueStatus] {
        let start = WallClockTime(year: 2026, month: 8, day: 7, hour: 9, utcOffsetSeconds: 9 * 3600)
        var statuses: [VenueStatus] = []
        for minute in 1...(hours * 60) {
            let t = Double(minute * 60)
            let hour = (minute - 1) / 60
            engine.apply(.sensor(SensorReport(sensor: "meter", at: MonotonicInstant(seconds: t), sample: .values([.wbgt: own(hour)]))))
            engine.apply(.sensor(SensorReport(sensor: "hall-meter", at: MonotonicInstant(seconds: t), sample: .values([.wbgt: 20]))))
            // The Ministry publishes an hour's estimate a little after the hour.
            if minute % 60 == 5, minute > 60, let value = official(hour - 1) {
                engine.apply(.officialEstimate(hour: start.adding(seconds: Double(hour * 3600)), wbgt: value))
            }
            let status = engine.evaluate(at: Timestamp(monotonic: MonotonicInstant(seconds: t), wall: start.adding(seconds: t),
                                                       wallClockSynchronized: synchronized))
            if minute % 60 == 30 { statuses.append(status) }
        }
        return statuses
    }

    @Test("A globe in the shade: the yard reads 4.2 °C below the estimate; raised after an hour, an event, the text in the details; the hall is never compared")
    func raisedAndCleared() {
        var engine = VenueEngine(model: Self.model())
        let statuses = Self.run(hours: 5, own: { $0 < 3 ? 26 : 30 }, official: { _ in 30.2 }, engine: &engine)
        // Hours 09–10 and 10–11 disagree (−4.2); at 11:05 the second pair raises it.
        #expect(statuses[0].estimateDisagreements.isEmpty && statuses[1].estimateDisagreements.isEmpty)
        let raised = statuses[2].estimateDisagreements["yard"]
        #expect(raised.map { abs($0.meanDifference + 4.2) < 0.01 } == true, "\(String(describing: raised))")
        #expect(statuses[2].estimateDisagreements["hall"] == nil)
        #expect(statuses[2].details.contains { $0.hasPrefix("yard: outdoor WBGT reads 4.2 °C below the official estimate") })
        // From 12:00 the yard agrees (−0.2): cleared at 13:05, when that hour's pair arrives.
        #expect(statuses[4].estimateDisagreements.isEmpty)
        let events = engine.drainEvents().filter { $0.type == "estimate-disagreement" }
        #expect(events.count == 2, "\(events.map(\.summary))")
        #expect(events.first?.summary.hasPrefix("yard: outdoor WBGT reads 4.2 °C below") == true)
    }

    @Test("Within the margin, without official values, or with an unsynchronised clock nothing is raised", arguments: [
        (29.0, 30.2, true, true), (26.0, 30.2, false, true), (26.0, 30.2, true, false),
    ])
    func notRaised(_ row: (own: Double, official: Double, published: Bool, synchronized: Bool)) {
        var engine = VenueEngine(model: Self.model())
        let statuses = Self.run(hours: 4, own: { _ in row.own }, official: { _ in row.published ? row.official : nil },
                                synchronized: row.synchronized, engine: &engine)
        #expect(statuses.allSatisfy { $0.estimateDisagreements.isEmpty })
        #expect(engine.drainEvents().filter { $0.type == "estimate-disagreement" }.isEmpty)
    }
}
