import Testing
@testable import VenueGuardCore

struct LightningMonitorTests {
    struct Event: Sendable {
        var minutes: Double
        var strikeKm: Double?  // nil: just look
        var overhead = false
        var expected: LightningState
    }

    struct Timeline: Sendable, CustomTestStringConvertible {
        var name: String
        var advisory = false
        var events: [Event]
        var testDescription: String { name }
    }

    static func look(_ minutes: Double, _ expected: LightningState) -> Event { Event(minutes: minutes, strikeKm: nil, expected: expected) }
    static func strike(_ minutes: Double, _ km: Double, _ expected: LightningState) -> Event { Event(minutes: minutes, strikeKm: km, expected: expected) }

    @Test("The 30-minute rule", arguments: [
        Timeline(name: "a near strike means danger for 30 minutes", events: [
            look(0, .clear), strike(1, 8, .danger), look(30.99, .danger), look(31, .clear)]),
        Timeline(name: "every near strike restarts the timer", events: [
            strike(0, 9, .danger), strike(20, 5, .danger), look(49.9, .danger), look(50, .clear)]),
        Timeline(name: "after danger, watch holds while farther strikes continue", events: [
            strike(0, 6, .danger), strike(25, 25, .danger), look(30, .watch), strike(40, 38, .watch), look(69.9, .watch), look(70, .clear)]),
        Timeline(name: "boundaries: 10 km is danger, 40 km is watch, 41 km is nothing", events: [
            strike(0, 41, .clear), strike(1, 40, .watch), strike(2, 10, .danger)]),
        Timeline(name: "a distant strike does not end danger early", events: [
            strike(0, 3, .danger), strike(10, 35, .danger), look(29.9, .danger), look(30, .watch), look(40, .clear)]),
        Timeline(name: "storm overhead is danger", events: [Event(minutes: 0, strikeKm: nil, overhead: true, expected: .danger)]),
        Timeline(name: "an advisory keeps at least watch", advisory: true, events: [
            look(0, .watch), strike(1, 4, .danger), look(31, .watch), look(300, .watch)]),
    ])
    func timeline(_ timeline: Timeline) {
        var monitor = LightningMonitor()
        for event in timeline.events {
            let at = MonotonicInstant(seconds: event.minutes * 60)
            if event.overhead {
                monitor.record(LightningStrike(distance: .overhead, at: at))
            } else if let km = event.strikeKm {
                monitor.record(LightningStrike(distance: .kilometres(km), at: at))
            }
            #expect(monitor.assess(at: at, advisory: timeline.advisory).state == event.expected, "at \(event.minutes) min")
        }
    }

    @Test("Out-of-range strikes are counted but change nothing")
    func outOfRange() {
        var monitor = LightningMonitor()
        monitor.record(LightningStrike(distance: .outOfRange, at: .origin))
        #expect(monitor.assess(at: .origin, advisory: false).state == .clear)
        #expect(monitor.strikeCount == 1)
    }

    @Test("Radii and all-clear time are parameters")
    func parameters() {
        var monitor = LightningMonitor(parameters: LightningParameters(dangerRadiusKm: 15, watchRadiusKm: 30, allClear: .seconds(600),
                                                                       advisoryOutdoorLevel: .stop, dangerOutdoorLevel: .stop))
        monitor.record(LightningStrike(distance: .kilometres(14), at: .origin))
        #expect(monitor.assess(at: MonotonicInstant(seconds: 599), advisory: false).state == .danger)
        #expect(monitor.assess(at: MonotonicInstant(seconds: 600), advisory: false).state == .clear)
        #expect(LightningParameters(dangerRadiusKm: 20, watchRadiusKm: 10, allClear: .seconds(60), advisoryOutdoorLevel: nil,
                                    dangerOutdoorLevel: nil).validate() != nil)
    }
}
