import Testing
@testable import VenueGuardCore

struct HeatLevelTests {
    @Test("WBGT thresholds 21/25/28/31: boundaries belong to the higher level", arguments: [
        (20.99, HeatLevel.safe), (21.0, .caution), (24.99, .caution), (25.0, .warning), (27.99, .warning),
        (28.0, .severe), (30.99, .severe), (31.0, .stop), (40.0, .stop), (-5.0, .safe),
    ])
    func wbgtBands(_ row: (Double, HeatLevel)) {
        #expect(HeatThresholds.standardWBGT.level(of: row.0) == row.1)
    }

    @Test("Dry-bulb fallback thresholds 24/28/31/35 (35 °C = stop)", arguments: [
        (23.9, HeatLevel.safe), (24.0, .caution), (28.0, .warning), (31.0, .severe), (34.9, .severe), (35.0, .stop),
    ])
    func dryBulbBands(_ row: (Double, HeatLevel)) {
        #expect(HeatThresholds.standardDryBulb.level(of: row.0) == row.1)
    }

    @Test("Thresholds out of order are rejected with the pair named")
    func validation() {
        #expect(HeatThresholds.standardWBGT.validate() == nil)
        let reversed = HeatThresholds(caution: 21, warning: 25, severe: 31, stop: 28)
        #expect(reversed.validate() == "stop (28) must be above severe (31)")
        #expect(HeatThresholds(caution: 21, warning: 21, severe: 28, stop: 31).validate() != nil)
    }

    @Test("Names: machine names exact, Japanese names present")
    func names() {
        #expect(HeatLevel.allCases.map(\.rawValue) == ["safe", "caution", "warning", "severe", "stop"])
        #expect(HeatLevel.severe.japaneseName == "厳重警戒")
        #expect(SafetyStatus.allCases.map(\.rawValue) == ["safe", "caution", "warning", "severe", "stop", "unknown"])
        #expect(LightningState.allCases.map(\.rawValue) == ["clear", "watch", "danger", "unknown"])
    }

    @Test("Combining statuses: stop wins, then unknown, then the highest level", arguments: [
        ([SafetyStatus.safe, .caution], SafetyStatus.caution),
        ([.severe, .unknown], .unknown),
        ([.unknown, .stop], .stop),
        ([.safe], .safe),
        ([], .unknown),
    ])
    func combining(_ row: ([SafetyStatus], SafetyStatus)) {
        #expect(SafetyStatus.combined(row.0) == row.1)
    }
}

/// Hysteresis: up at once; down only after margin (0.5 °C) below the threshold for the dwell (10 min).
struct HeatLevelTrackerTests {
    struct Step: Sendable {
        var seconds: Double, value: Double, expected: HeatLevel
    }

    struct Sequence: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [Step]
        init(_ name: String, _ steps: [(Double, Double, HeatLevel)]) {
            self.name = name
            self.steps = steps.map { Step(seconds: $0.0, value: $0.1, expected: $0.2) }
        }
        var testDescription: String { name }
    }

    static func run(_ steps: [Step], scale: HeatScale = .wbgt, margin: Double = 0.5, dwell: Duration = .seconds(600)) -> [HeatLevel] {
        var tracker = HeatLevelTracker()
        let thresholds: HeatThresholds = scale == .wbgt ? .standardWBGT : .standardDryBulb
        return steps.map { step in
            tracker.update(value: step.value, scale: scale, thresholds: thresholds,
                           hysteresis: .init(margin: margin, dwell: dwell), at: MonotonicInstant(seconds: step.seconds))
        }
    }

    @Test("Hysteresis sequences", arguments: [
        Sequence("steps up immediately", [(0, 27.0, HeatLevel.warning), (60, 28.0, .severe), (61, 31.2, .stop)]),
        Sequence("hovering at the boundary does not flap",
         [(0, 28.1, HeatLevel.severe), (60, 27.9, .severe), (120, 28.05, .severe), (180, 27.6, .severe), (900, 27.6, .severe)]),
        Sequence("down after exactly margin below for the full dwell",
         [(0, 28.5, HeatLevel.severe), (60, 27.5, .severe), (659, 27.5, .severe), (660, 27.5, .warning)]),
        Sequence("dwell restarts when the value rises back above threshold − margin",
         [(0, 28.5, HeatLevel.severe), (60, 27.0, .severe), (400, 27.7, .severe), (500, 27.0, .severe), (1099, 27.0, .severe), (1100, 27.0, .warning)]),
        Sequence("a big drop steps down several levels after one dwell",
         [(0, 31.5, HeatLevel.stop), (10, 19.0, .stop), (609, 19.0, .stop), (610, 19.0, .safe)]),
        Sequence("each level uses its own threshold's dwell",
         [(0, 31.5, HeatLevel.stop), (10, 27.0, .stop), (300, 24.0, .stop), (309, 24.0, .stop), (610, 24.0, .warning), (899, 24.0, .warning), (900, 24.0, .caution)]),
        Sequence("rising during a dwell cancels it", [(0, 29.0, HeatLevel.severe), (60, 27.0, .severe), (120, 31.0, .stop), (800, 31.0, .stop)]),
    ])
    func sequences(_ sequence: Sequence) {
        #expect(Self.run(sequence.steps) == sequence.steps.map(\.expected))
    }

    @Test("Margin and dwell are parameters")
    func parameters() {
        let steps = Sequence("", [(0, 25.5, .warning), (10, 24.0, .warning), (70, 24.0, .caution)]).steps
        #expect(Self.run(steps, margin: 1.0, dwell: .seconds(60)) == steps.map(\.expected))
        let strictSteps = Sequence("", [(0, 25.5, .warning), (10, 24.5, .warning), (4000, 24.5, .warning)]).steps
        #expect(Self.run(strictSteps, margin: 1.0, dwell: .seconds(60)) == strictSteps.map(\.expected))
    }

    @Test("A gap in the data restarts the dwell; the held level is kept")
    func forgetEvidence() {
        var tracker = HeatLevelTracker()
        let h = HeatLevelTracker.Hysteresis()
        tracker.update(value: 29, scale: .wbgt, thresholds: .standardWBGT, hysteresis: h, at: MonotonicInstant(seconds: 0))
        tracker.update(value: 26, scale: .wbgt, thresholds: .standardWBGT, hysteresis: h, at: MonotonicInstant(seconds: 100))
        tracker.forgetEvidence()  // data went stale
        let after = tracker.update(value: 26, scale: .wbgt, thresholds: .standardWBGT, hysteresis: h, at: MonotonicInstant(seconds: 800))
        #expect(after == .severe)
        #expect(tracker.hold?.remaining == .seconds(600))
        let later = tracker.update(value: 26, scale: .wbgt, thresholds: .standardWBGT, hysteresis: h, at: MonotonicInstant(seconds: 1400))
        #expect(later == .warning)
        #expect(tracker.hold == nil)
    }

    @Test("Switching from WBGT to dry-bulb keeps the level and restarts the dwell")
    func scaleSwitch() {
        var tracker = HeatLevelTracker()
        let h = HeatLevelTracker.Hysteresis()
        tracker.update(value: 31.5, scale: .wbgt, thresholds: .standardWBGT, hysteresis: h, at: MonotonicInstant(seconds: 0))
        let level = tracker.update(value: 30, scale: .dryBulb, thresholds: .standardDryBulb, hysteresis: h, at: MonotonicInstant(seconds: 10))
        #expect(level == .stop)
        #expect(tracker.hold?.scale == .dryBulb)
        #expect(tracker.update(value: 30, scale: .dryBulb, thresholds: .standardDryBulb, hysteresis: h, at: MonotonicInstant(seconds: 610)) == .warning)
    }
}
