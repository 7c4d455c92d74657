import Testing
@testable import VenueGuardCore

struct SignalTests {
    /// The lamp states over one 6-second window, sampled every 10 ms.
    static func trace(_ lamps: [Lamp: LEDPattern]) -> [[Bool]] {
        stride(from: 0.0, to: 6.0, by: 0.01).map { t in Lamp.allCases.map { lamps[$0, default: .off].isOn(atSeconds: t) } }
    }

    @Test("No status ever shows a lamp steadily on for more than 3 seconds (heartbeat)")
    func heartbeat() {
        for status in SafetyStatus.allCases {
            for lightning in LightningState.allCases {
                let lamps = SignalLegend.lamps(status: status, lightning: lightning)
                for lamp in Lamp.allCases {
                    let pattern = lamps[lamp, default: .off]
                    var longest = 0.0, current = 0.0
                    for t in stride(from: 0.0, to: 12.0, by: 0.01) {
                        current = pattern.isOn(atSeconds: t) ? current + 0.01 : 0
                        longest = max(longest, current)
                    }
                    #expect(longest <= LEDPattern.heartbeatPeriod, "\(status)/\(lightning) \(lamp) lit for \(longest) s")
                }
            }
        }
    }

    @Test("The safe light blips off at least every 3 seconds")
    func safeBlips() {
        let green = SignalLegend.lamps(status: .safe, lightning: .clear)[.green]!
        #expect(green == .steady)
        let offMoments = stride(from: 0.0, to: 9.0, by: 0.01).filter { !green.isOn(atSeconds: $0) }
        #expect(!offMoments.isEmpty)
        #expect(offMoments.contains { $0 < 3 } && offMoments.contains { $0 >= 6 && $0 < 9 })
    }

    @Test("Unknown has its own pattern, distinct from every level and from not-monitoring")
    func unknownDistinct() {
        let unknown = Self.trace(SignalLegend.lamps(status: .unknown, lightning: .clear))
        for status in SafetyStatus.allCases where status != .unknown {
            #expect(Self.trace(SignalLegend.lamps(status: status, lightning: .clear)) != unknown, "\(status)")
        }
        #expect(Self.trace(SignalIntent.notMonitoring.lamps) != unknown)
        // And every level differs from every other.
        let traces = SafetyStatus.allCases.map { Self.trace(SignalLegend.lamps(status: $0, lightning: .clear)) }
        #expect(Set(traces.map { $0.description }).count == SafetyStatus.allCases.count)
    }

    @Test("Unknown never lights the green lamp")
    func unknownNotGreen() {
        #expect(SignalLegend.lamps(status: .unknown, lightning: .clear)[.green] == .off)
        #expect(SignalLegend.lamps(status: .unknown, lightning: .unknown)[.green] == .off)
    }

    @Test("Buzzer patterns", arguments: [
        (BuzzerPattern.chirp, 0.1, true), (.chirp, 0.2, false), (.chirp, 5.0, false),
        (.doubleChirp, 0.05, true), (.doubleChirp, 0.15, false), (.doubleChirp, 0.25, true), (.doubleChirp, 0.35, false),
        (.heatAlarm, 0.5, true), (.heatAlarm, 1.5, false), (.heatAlarm, 100.5, true),
        (.lightningAlarm, 0.1, true), (.lightningAlarm, 0.2, false), (.lightningAlarm, 1.0, false), (.lightningAlarm, 2.35, true),
        (.off, 0.0, false),
    ])
    func buzzer(_ row: (BuzzerPattern, Double, Bool)) {
        #expect(row.0.isOn(atSeconds: row.1) == row.2)
    }
}

struct AlarmControllerTests {
    struct Step: Sendable {
        var status: SafetyStatus
        var lightning: LightningState = .clear
        var acknowledge = false
        var expected: BuzzerPattern
    }

    static func run(_ steps: [Step]) -> [BuzzerPattern] {
        var controller = AlarmController()
        return steps.map { step in
            if step.acknowledge { controller.acknowledge(source: "button") }
            return controller.update(status: step.status, lightning: step.lightning).pattern
        }
    }

    @Test("Chirp on every rise, nothing on a fall")
    func chirps() {
        let steps = [Step(status: .safe, expected: .off), Step(status: .caution, expected: .chirp), Step(status: .caution, expected: .off),
                     Step(status: .severe, expected: .chirp), Step(status: .warning, expected: .off),
                     Step(status: .warning, lightning: .watch, expected: .chirp)]
        #expect(Self.run(steps) == steps.map(\.expected))
    }

    @Test("Alarm at stop until acknowledged; re-armed when things get worse")
    func alarmAndAcknowledge() {
        let steps = [Step(status: .severe, expected: .off),
                     Step(status: .stop, expected: .heatAlarm), Step(status: .stop, expected: .heatAlarm),
                     Step(status: .stop, acknowledge: true, expected: .off), Step(status: .stop, expected: .off),
                     // Lightning danger on top: worse, re-armed.
                     Step(status: .stop, lightning: .danger, expected: .lightningAlarm),
                     Step(status: .stop, lightning: .danger, acknowledge: true, expected: .off),
                     // Better, then worse again: re-armed.
                     Step(status: .severe, lightning: .watch, expected: .off),
                     Step(status: .stop, lightning: .watch, expected: .heatAlarm)]
        #expect(Self.run(steps) == steps.map(\.expected))
    }

    @Test("Data becoming unknown gives a double chirp once")
    func unknown() {
        let steps = [Step(status: .safe, expected: .off), Step(status: .unknown, expected: .doubleChirp),
                     Step(status: .unknown, expected: .off), Step(status: .safe, expected: .off),
                     Step(status: .safe, lightning: .unknown, expected: .doubleChirp)]
        #expect(Self.run(steps) == steps.map(\.expected))
    }

    @Test("An acknowledgement with nothing sounding is recorded as such")
    func idleAcknowledgement() {
        var controller = AlarmController()
        controller.acknowledge(source: "mqtt")
        let decision = controller.update(status: .safe, lightning: .clear)
        #expect(decision.acknowledgements == [.init(source: "mqtt", silenced: false)])
    }
}
