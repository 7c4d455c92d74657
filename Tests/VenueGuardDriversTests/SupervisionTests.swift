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
    static func edges(_ list: [(Bool, Double)]) -> [GPIOEdge] { list.map { GPIOEdge(rising: $0.0, nanoseconds: Int64($0.1 * 1_000_000)) } }

    @Test("A bouncing press and release count as one press (active low, 30 ms)")
    func bounce() {
        var debouncer = ButtonDebouncer()
        // Press at 1000 ms with bounces, release at 1300 ms with bounces, press again at 2000 ms.
        let sequence = Self.edges([(false, 1000), (true, 1002), (false, 1004), (true, 1007), (false, 1010),
                                   (true, 1300), (false, 1303), (true, 1305),
                                   (false, 2000), (true, 2001), (false, 2003)])
        let presses = sequence.filter { debouncer.isPress($0) }.map(\.nanoseconds)
        #expect(presses == [1_000_000_000, 2_000_000_000])
    }

    @Test("Active-high buttons and the debounce time are honoured")
    func activeHigh() {
        var debouncer = ButtonDebouncer(debounce: .milliseconds(100), activeLow: false)
        let sequence = Self.edges([(true, 0), (false, 50), (true, 120), (false, 300), (true, 450)])
        #expect(sequence.filter { debouncer.isPress($0) }.count == 2)  // at 0 and 450; 120 is 70 ms after 50
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
