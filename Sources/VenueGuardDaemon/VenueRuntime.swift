import Foundation
import Synchronization
import VenueGuardCore
import VenueGuardDrivers
import VenueGuardLinuxSystem

/// The daemon in real time: one task per sensor sampling at its period, interrupts and button
/// presses fed in as they come, the engine evaluated after every input and at least once a
/// second, and the outputs drawn by a dedicated thread at a fixed 50 ms cadence on absolute
/// deadlines, so they neither drift nor stall when the sensors are slow.
public final class VenueRuntime: @unchecked Sendable {
    /// Everything the runtime drives.
    public struct Wiring {
        /// The sensor sources sampled at their periods.
        public var sources: [any SensorSource]
        /// The sources that speak for themselves (serial boards).
        public var pushSources: [any PushSource] = []
        /// The lamps and buzzer on GPIO, if any.
        public var signal: SignalLines?
        /// A panel or log showing the same, if any.
        public var renderer: SignalRenderer?
        /// Called once at shutdown after the outputs are off (release lines, close buses).
        public var close: () -> Void

        /// Creates wiring.
        public init(sources: [any SensorSource], pushSources: [any PushSource] = [], signal: SignalLines? = nil,
                    renderer: SignalRenderer? = nil, close: @escaping () -> Void = {}) {
            self.sources = sources
            self.pushSources = pushSources
            self.signal = signal
            self.renderer = renderer
            self.close = close
        }
    }

    private actor EngineBox {
        var engine: VenueEngine
        var latest: VenueStatus?
        init(model: VenueModel) { engine = VenueEngine(model: model) }
        func apply(_ inputs: [VenueInput]) { for input in inputs { engine.apply(input) } }
        func evaluate(at now: Timestamp) -> (VenueStatus, [VenueEvent]) {
            let status = engine.evaluate(at: now)
            latest = status
            return (status, engine.drainEvents())
        }
    }

    private let model: VenueModel
    private let wiring: Wiring
    private let clock: SystemClock
    private let engine: EngineBox
    private let latest = Mutex<VenueStatus?>(nil)
    private let log: @Sendable (String) -> Void
    private let evaluations = Atomic<Int>(0)
    private let frameCount = Atomic<Int>(0)
    /// Called after every evaluation (for the state file and MQTT, later).
    public var onStatus: (@Sendable (VenueStatus, [VenueEvent]) -> Void)?

    /// Creates a runtime for `model` driving `wiring`; `log` receives one line per event.
    public init(model: VenueModel, wiring: Wiring, clock: SystemClock = SystemClock(), log: @escaping @Sendable (String) -> Void) {
        self.model = model
        self.wiring = wiring
        self.clock = clock
        self.log = log
        engine = EngineBox(model: model)
    }

    /// The latest status.
    public var status: VenueStatus? { latest.withLock { $0 } }
    /// Evaluations so far (progress, for the watchdog).
    public var evaluationCount: Int { evaluations.load(ordering: .relaxed) }
    /// Output frames so far (progress, for the watchdog).
    public var outputFrames: Int { frameCount.load(ordering: .relaxed) }

    /// Feeds inputs from outside (button presses, interrupts, commands) and re-evaluates.
    public func submit(_ inputs: [VenueInput]) async {
        await engine.apply(inputs)
        await evaluate()
    }

    /// A button press.
    public func acknowledge(source: String) {
        Task { await submit([.acknowledge(source: source)]) }
    }

    /// An IRQ edge for an interrupt source: services it and feeds what it reports.
    public func interrupt(_ source: any InterruptSource, at instant: MonotonicInstant) {
        Task {
            let inputs = await source.serviceInterrupt(at: instant)
            if !inputs.isEmpty { await submit(inputs) }
        }
    }

    /// The monotonic instant now.
    public var now: MonotonicInstant { clock.monotonic }

    private func evaluate() async {
        let (status, events) = await engine.evaluate(at: clock.now)
        latest.withLock { $0 = status }
        evaluations.add(1, ordering: .relaxed)
        wiring.renderer?.observe(status)
        for event in events { log(event.summary) }
        onStatus?(status, events)
    }

    /// Runs until `stop` is requested, then puts the outputs in the "not monitoring" state.
    public func run(stop: StopRequest) async {
        let periods = Dictionary(uniqueKeysWithValues: model.sensors.map { ($0.id, $0.samplingPeriod) })
        // The first sensor cycle before anything is shown, so the lamps start from data.
        for source in wiring.sources {
            if let sample = await source.sample(at: clock.monotonic) {
                await engine.apply([.sensor(SensorReport(sensor: source.id, at: clock.monotonic, sample: sample))])
            }
        }
        await evaluate()
        let outputs = startOutputThread(stop: stop)
        // Push sources deliver on their own queues; one stream keeps their inputs in order.
        let (pushed, pushSink) = AsyncStream.makeStream(of: [VenueInput].self)
        for source in wiring.pushSources {
            source.start(now: { [clock] in clock.monotonic }, deliver: { pushSink.yield($0) })
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // A board may flood us; evaluate at most every 100 ms for its sake (faults at once).
                var lastEvaluation = ContinuousClock.now - .seconds(1)
                for await inputs in pushed {
                    await self.engine.apply(inputs)
                    let urgent = inputs.contains { if case let .sensor(report) = $0, case .fault = report.sample { return true } else { return false } }
                    if urgent || ContinuousClock.now - lastEvaluation >= .milliseconds(100) {
                        lastEvaluation = .now
                        await self.evaluate()
                    }
                }
            }
            for source in wiring.sources {
                let period = periods[source.id] ?? .seconds(10)
                group.addTask { await self.sampleLoop(source, period: period, stop: stop) }
            }
            group.addTask { await self.evaluationLoop(stop: stop) }
            // Stop promptly: cancel the loops' sleeps as soon as a stop is asked for.
            group.addTask {
                while stop.requested == nil && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
            }
            await group.next()
            for source in wiring.pushSources { source.stop() }
            pushSink.finish()
            group.cancelAll()
            await group.waitForAll()
        }
        outputs.wait()
        wiring.signal?.shutDown()
        wiring.renderer?.shutDown(reason: stop.requested ?? "stopped")
        wiring.close()
    }

    private func sampleLoop(_ source: any SensorSource, period: Duration, stop: StopRequest) async {
        let clock = ContinuousClock()
        var deadline = clock.now + period
        while stop.requested == nil && !Task.isCancelled {
            try? await Task.sleep(until: deadline, tolerance: .milliseconds(10), clock: clock)
            if stop.requested != nil || Task.isCancelled { break }
            let at = self.clock.monotonic
            if let sample = await source.sample(at: at) {
                await engine.apply([.sensor(SensorReport(sensor: source.id, at: at, sample: sample))])
                await evaluate()
            }
            deadline = deadline + period
            if deadline < clock.now { deadline = clock.now + period }  // a slow read skips, never bunches
        }
    }

    private func evaluationLoop(stop: StopRequest) async {
        let clock = ContinuousClock()
        var deadline = clock.now + .seconds(1)
        while stop.requested == nil && !Task.isCancelled {
            try? await Task.sleep(until: deadline, tolerance: .milliseconds(20), clock: clock)
            if stop.requested != nil || Task.isCancelled { break }
            await evaluate()
            deadline = deadline + .seconds(1)
            if deadline < clock.now { deadline = clock.now + .seconds(1) }
        }
    }

    /// A finished-flag for the output thread.
    final class Joiner: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        func finish() { done.signal() }
        func wait() { done.wait() }
    }

    private func startOutputThread(stop: StopRequest) -> Joiner {
        let joiner = Joiner()
        let started = ContinuousClock.now
        let frame = Duration.milliseconds(50)
        let thread = Thread { [self] in
            var next = started
            while stop.requested == nil {
                if let status = latest.withLock({ $0 }) {
                    let seconds = (ContinuousClock.now - started).seconds
                    wiring.signal?.render(status.signal, seconds: seconds)
                    wiring.renderer?.render(status, scenarioSeconds: status.at.monotonic.seconds, realSeconds: seconds)
                    frameCount.add(1, ordering: .relaxed)
                }
                next = next + frame
                let now = ContinuousClock.now
                if next < now { next = now }  // overrun: resume the cadence, do not burst
                Thread.sleep(forTimeInterval: (next - now).seconds)
            }
            joiner.finish()
        }
        thread.name = "venueguard-outputs"
        thread.start()
        return joiner
    }
}
