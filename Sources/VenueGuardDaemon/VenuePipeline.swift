import VenueGuardCore
import VenueGuardDrivers
import VenueGuardSimulation

/// Drives the safety engine in time order: scenario events, sensor samples at each sensor's
/// period, and an evaluation after every instant that had input (and at least every
/// `evaluationStep`, so timers such as dwell and all-clear end on time). The same pipeline
/// runs `simulate` (virtual time, as fast as possible) and `run` (real time, accelerated).
public final class VenuePipeline {
    /// The safety logic.
    public private(set) var engine: VenueEngine
    /// The latest status.
    public private(set) var latest: VenueStatus?
    private var schedules: [(source: any SensorSource, period: Duration, next: MonotonicInstant)]
    private let events: [ScenarioEvent]
    private var nextEvent = 0
    private var steps = 0
    private let lightningSource: SensorID?
    private let start: WallClockTime
    private let clockSynchronized: Bool
    private let evaluationStep: Duration
    private var nextEvaluation: MonotonicInstant
    /// Where monotonic instant 0 is on the scenario's time line.
    public let origin: MonotonicInstant
    /// Delivers what a scenario's lightning detector hears (a strike, disturbers, noise) to the
    /// (simulated) detector, whose driver services it; `nil`: strikes go straight to the safety
    /// logic and interference is not simulated.
    public typealias StrikeInjector = (ScenarioEvent.Kind, MonotonicInstant) async -> [VenueInput]
    private let strikeInjector: StrikeInjector?

    /// Creates a pipeline over `sources` (sampled at their descriptors' periods) playing `scenario`'s events.
    public init(model: VenueModel, sources: [any SensorSource], scenario: Scenario?, evaluationStep: Duration = .seconds(1),
                origin: MonotonicInstant = .origin, wallStart: WallClockTime? = nil, clockSynchronized: Bool? = nil,
                strikeInjector: StrikeInjector? = nil) {
        self.strikeInjector = strikeInjector
        engine = VenueEngine(model: model)
        let periods = Dictionary(uniqueKeysWithValues: model.sensors.map { ($0.id, $0.samplingPeriod) })
        schedules = sources.map { ($0, periods[$0.id] ?? .seconds(10), origin) }
        events = scenario?.events ?? []
        lightningSource = model.sensors.first { $0.detectsLightning }?.id
        start = wallStart ?? scenario?.start ?? WallClockTime(secondsSince1970: 0)
        self.clockSynchronized = clockSynchronized ?? scenario?.clockSynchronized ?? true
        self.evaluationStep = evaluationStep
        self.origin = origin
        nextEvaluation = origin
    }

    /// The timestamp of monotonic instant `t` on this pipeline's clocks.
    public func timestamp(_ t: MonotonicInstant) -> Timestamp {
        Timestamp(monotonic: t, wall: start.adding(seconds: (t - origin).seconds), wallClockSynchronized: clockSynchronized)
    }

    /// Feeds an input from outside the scenario (a button press, an MQTT command).
    public func apply(_ input: VenueInput) {
        engine.apply(input)
    }

    /// Processes everything due up to and including `target`, calling `onStatus` after each
    /// evaluation with the status and the events that led to it.
    public func advance(to target: MonotonicInstant, onStatus: (VenueStatus, [VenueEvent]) -> Void) async {
        while true {
            var now = nextEvaluation
            if nextEvent < events.count { now = min(now, origin + events[nextEvent].at) }
            for schedule in schedules { now = min(now, schedule.next) }
            guard now <= target else { return }

            while nextEvent < events.count, origin + events[nextEvent].at <= now {
                await applyScenarioEvent(events[nextEvent], at: origin + events[nextEvent].at)
                nextEvent += 1
            }
            for index in schedules.indices where schedules[index].next <= now {
                if let sample = await schedules[index].source.sample(at: now) {
                    engine.apply(.sensor(SensorReport(sensor: schedules[index].source.id, at: now, sample: sample)))
                }
                schedules[index].next = schedules[index].next + schedules[index].period
            }
            let status = engine.evaluate(at: timestamp(now))
            latest = status
            onStatus(status, engine.drainEvents())
            nextEvaluation = now + evaluationStep
            // A long simulation must not hold a cooperative thread the daemon's own tasks need.
            steps += 1
            if steps % 64 == 0 { await Task.yield() }
        }
    }

    private func applyScenarioEvent(_ event: ScenarioEvent, at t: MonotonicInstant) async {
        switch event.kind {
        case let .strike(distance, energy):
            if let strikeInjector {
                for input in await strikeInjector(event.kind, t) { engine.apply(input) }
            } else {
                engine.apply(.strike(LightningStrike(distance: distance, energy: energy, at: t, source: lightningSource)))
            }
        case .disturbers, .noise:
            for input in await strikeInjector?(event.kind, t) ?? [] { engine.apply(input) }
        case let .heatAlert(alert, until):
            engine.apply(.heatAlert(alert, until: until.map { start.adding(seconds: $0.seconds) }))
        case let .thunderAdvisory(active, until):
            engine.apply(.thunderAdvisory(active, until: until.map { start.adding(seconds: $0.seconds) }))
        case .acknowledge:
            engine.apply(.acknowledge(source: "scenario"))
        case .fault, .recover:
            break  // the simulated sensors read these from the scenario themselves
        }
    }
}
