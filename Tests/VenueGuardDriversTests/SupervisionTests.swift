import Testing
import VenueGuardCore
@testable import VenueGuardDrivers
@testable import VenueGuardSimulation

struct SupervisedSensorTests {
    static func at(_ s: Double) -> MonotonicInstant { MonotonicInstant(seconds: s) }

    @Test("Failures back off (1, 2, 4 … periods, capped) and recover when the chip answers")
    func backoff() {
        let env = environment([.airTemperature: 20, .relativeHumidity: 50], events: [fault(.noResponse, from: 0, until: 300)])
        let bus = SimulatedI2CBus()
        bus.attach(SimulatedSensirionChip(family: .sht3x, environment: env), at: 0x44)
        let supervisor = SupervisedSensor(driver: SHT3x(device: bus.device(at: 0x44), delay: NoDelay()), period: .seconds(10), delay: NoDelay())
        var attempted: [Double] = []
        for t in stride(from: 0.0, through: 400, by: 10) {
            env.now = Self.at(t)
            if let sample = supervisor.sample(at: Self.at(t)) {
                attempted.append(t)
                if t < 300 { #expect(sample == .fault(.noResponse)) }
            }
        }
        // Attempts at 0 and 10, then after 10, 20, 40, 80, 160 s …; the first after the fault ends succeeds.
        #expect(Array(attempted.prefix(6)) == [0, 10, 20, 40, 80, 160])
        env.now = Self.at(500)
        #expect(supervisor.consecutiveFailures == 0)
        guard case .values = supervisor.sample(at: Self.at(500)) else { Issue.record("did not recover"); return }
    }

    @Test("A hung chip is power-cycled after three failures and comes back")
    func powerCycle() {
        let env = environment([.airTemperature: 20, .relativeHumidity: 50], events: [fault(.hung, from: 0, until: 5)])
        let bus = SimulatedI2CBus()
        bus.attach(SimulatedSensirionChip(family: .sht3x, environment: env), at: 0x44)
        let power = SimulatedPowerSwitch(environment: env)
        var policy = SupervisedSensor.Policy()
        policy.backoffAfter = 10  // no backoff in this test
        let supervisor = SupervisedSensor(driver: SHT3x(device: bus.device(at: 0x44), delay: NoDelay()), period: .seconds(10),
                                          policy: policy, power: power, delay: NoDelay())
        var results: [SensorSample?] = []
        for t in stride(from: 0.0, through: 40, by: 10) {
            env.now = Self.at(t)
            results.append(supervisor.sample(at: Self.at(t)))
        }
        // Hung even after the fault's end at 5 s, until the third failure cycles the power.
        #expect(results[0] == .fault(.noResponse) && results[1] == .fault(.noResponse) && results[2] == .fault(.noResponse))
        #expect(power.cycles == 1 && supervisor.powerCycles == 1)
        guard case .values = results[3] else { Issue.record("not back after the power cycle: \(String(describing: results[3]))"); return }
    }

    @Test("A chip without a power switch stays hung (and keeps reporting it)")
    func hungWithoutPower() {
        let env = environment([.airTemperature: 20, .relativeHumidity: 50], events: [fault(.hung, from: 0, until: 5)])
        let bus = SimulatedI2CBus()
        bus.attach(SimulatedSensirionChip(family: .sht3x, environment: env), at: 0x44)
        var policy = SupervisedSensor.Policy()
        policy.backoffAfter = 100
        let supervisor = SupervisedSensor(driver: SHT3x(device: bus.device(at: 0x44), delay: NoDelay()), period: .seconds(10), policy: policy, delay: NoDelay())
        for t in stride(from: 0.0, through: 100, by: 10) {
            env.now = Self.at(t)
            #expect(supervisor.sample(at: Self.at(t)) == .fault(.noResponse))
        }
    }
}

struct ButtonDebouncerTests {
    /// Plays edges at times (ms) and the line's true level over time, reading the line
    /// `debounce` after each burst of edges as the daemon does; returns the presses' read times.
    static func presses(_ debouncer: inout ButtonDebouncer, edges: [Double], level: (Double) -> Bool) -> [Double] {
        let debounce = Double(debouncer.debounce.components.attoseconds) / 1e15 + Double(debouncer.debounce.components.seconds) * 1000
        var reads: [(at: Double, token: UInt64)] = []
        var presses: [Double] = []
        for time in edges.sorted() {
            // Reads that fall due before this edge happen first.
            for read in reads where read.at <= time {
                if debouncer.settled(level: level(read.at), token: read.token) { presses.append(read.at) }
            }
            reads.removeAll { $0.at <= time }
            reads.append((time + debounce, debouncer.edge()))
        }
        for read in reads where debouncer.settled(level: level(read.at), token: read.token) { presses.append(read.at) }
        return presses
    }

    @Test("A bouncing press and release count as one press each time (active low, 30 ms)")
    func bounce() {
        var debouncer = ButtonDebouncer()
        debouncer.start(level: true)  // released: high through the pull-up
        // Pressed (low) from 1000 to 1300 ms and from 2000 to 2200 ms, bouncing at each change.
        let low: (Double) -> Bool = { ($0 >= 1000 && $0 < 1300) || ($0 >= 2000 && $0 < 2200) }
        let edges: [Double] = [1000, 1002, 1004, 1007, 1010, 1300, 1303, 1305, 2000, 2001, 2003, 2200, 2204]
        #expect(Self.presses(&debouncer, edges: edges, level: { !low($0) }) == [1040, 2033])
    }

    @Test("A release whose edge comes late and labelled as a press (merged v1 events) is not a second press")
    func lateReleaseEdge() {
        var debouncer = ButtonDebouncer()
        debouncer.start(level: true)
        // Pressed 1000–1100 ms; the release's bounce reaches us as one more edge at 1145 ms,
        // 45 ms after the previous edge: more than the debounce time.
        let edges: [Double] = [1000, 1003, 1100, 1145]
        #expect(Self.presses(&debouncer, edges: edges, level: { !($0 >= 1000 && $0 < 1100) }) == [1033])
    }

    @Test("A button held when watching begins is not a press until released and pressed again")
    func heldAtStart() {
        var debouncer = ButtonDebouncer()
        debouncer.start(level: false)  // already pressed
        let edges: [Double] = [500, 900]
        // A glitch at 500 ms with the button still held; released at 900, never pressed again.
        #expect(Self.presses(&debouncer, edges: edges, level: { $0 >= 900 }).isEmpty)
        #expect(debouncer.pressed == false)
    }

    @Test("Active-high buttons and the debounce time are honoured")
    func activeHigh() {
        var debouncer = ButtonDebouncer(debounce: .milliseconds(100), activeLow: false)
        debouncer.start(level: false)
        // High 0–300 ms (a bounce at 50/120 inside it reads high at each settle) and from 450 ms.
        let high: (Double) -> Bool = { ($0 >= 0 && $0 < 300) || $0 >= 450 }
        #expect(Self.presses(&debouncer, edges: [0, 50, 120, 300, 450], level: high) == [220, 550])
    }
}

/// An output line that records what is written.
final class RecordingLine: GPIOOutputLine {
    var writes: [Bool] = []
    var value: Bool? { writes.last }
    func set(_ active: Bool) throws { writes.append(active) }
}

struct SignalLinesTests {
    @Test("Lines follow the patterns, are written only on change, and go off at shutdown")
    func render() {
        let green = RecordingLine(), red = RecordingLine(), buzzer = RecordingLine()
        let lines = SignalLines(lamps: [.green: green, .red: red], buzzer: buzzer)
        let safe = SignalIntent(lamps: [.green: .steady, .red: .off], buzzer: .off)
        for frame in 0..<60 { lines.render(safe, seconds: Double(frame) * 0.05) }  // 3 s
        // Frames at 0…2.95 s: the heartbeat blip (off) covers 0–0.15 s, then on.
        #expect(green.writes == [false, true])
        #expect(red.writes == [false])
        let stop = SignalIntent(lamps: [.green: .off, .red: .blink], buzzer: .heatAlarm, buzzerGeneration: 1)
        for frame in 60..<100 { lines.render(stop, seconds: Double(frame) * 0.05) }
        #expect(red.writes.filter { $0 }.count == 2)  // two blinks in 2 s
        #expect(buzzer.writes.contains(true))
        lines.shutDown()
        #expect(green.value == false && red.value == false && buzzer.value == false)
    }
}
