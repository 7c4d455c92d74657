import Foundation
import Logging
import Synchronization
import VenueGuardCore
import VenueGuardDrivers
import VenueGuardLinuxSystem

/// The daemon in real time: one task per sensor sampling at its period, interrupts and button
/// presses fed in as they come, the engine evaluated after every input and at least once a
/// second, and the outputs drawn by a dedicated thread at a fixed 50 ms cadence on absolute
/// deadlines, so they neither drift nor stall when the sensors are slow, and at once when the
/// signal pattern changes.
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
        func restore(_ memory: VenueMemory, at now: Timestamp) { engine.restore(memory, at: now) }
        func memory(at now: Timestamp) -> VenueMemory { engine.memory(at: now) }
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
    private let outputWake = DispatchSemaphore(value: 0)
    private let changeCount = Atomic<Int>(0)
    private let logger: Logger
    /// Evaluations, output frames and reads in flight, for the watchdog.
    public let progress: RunProgress
    /// Called after every evaluation (MQTT).
    public var onStatus: (@Sendable (VenueStatus, [VenueEvent]) -> Void)?
    /// What the engine takes back before its first evaluation (after a reload or restart).
    public var restoring: VenueMemory?

    /// Creates a runtime for `model` driving `wiring`; `logger` receives one line per event.
    public init(model: VenueModel, wiring: Wiring, clock: SystemClock = SystemClock(), progress: RunProgress = RunProgress(), logger: Logger) {
        self.model = model
        self.wiring = wiring
        self.clock = clock
        self.progress = progress
        self.logger = logger
        engine = EngineBox(model: model)
    }

    /// The latest status.
    public var status: VenueStatus? { latest.withLock { $0 } }
    /// Evaluations so far.
    public var evaluationCount: Int { progress.evaluations }
    /// Output frames so far.
    public var outputFrames: Int { progress.outputFrames }
    /// Times the signal pattern changed, each drawing one frame ahead of the 50 ms cadence.
    public var signalChanges: Int { changeCount.load(ordering: .relaxed) }

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
            let token = progress.readBegan(source.id)
            let inputs = await source.serviceInterrupt(at: instant)
            progress.readEnded(token)
            if !inputs.isEmpty { await submit(inputs) }
        }
    }

    /// The monotonic instant now.
    public var now: MonotonicInstant { clock.monotonic }

    /// What must survive a reload or restart, now.
    public func memory() async -> VenueMemory {
        await engine.memory(at: clock.now)
    }

    private func evaluate() async {
        let (status, events) = await engine.evaluate(at: clock.now)
        let changed = latest.withLock { latest in
            defer { latest = status }
            return latest?.signal != status.signal
        }
        // A new pattern is drawn at once (a strike's alarm must not wait for the next frame).
        if changed {
            changeCount.add(1, ordering: .relaxed)
            outputWake.signal()
        }
        progress.evaluated()
        wiring.renderer?.observe(status)
        for event in events { logger.log(level: event.logLevel, "\(event.summary)") }
        onStatus?(status, events)
    }

    /// Runs until `stop` is requested, then puts the outputs in the "not monitoring" state.
    /// Every sensor is read at once at the start, in parallel; an area shows a level once its
    /// sensors have answered (the engine awaits them), and the first cycle counts as done when
    /// all have answered or after `firstCycleLimit`, whichever is first. On stop the outputs
    /// go to "not monitoring" before anything waits for the loops, and a read that never
    /// returns is left behind after a few seconds rather than holding up the exit.
    public func run(stop: StopRequest) async {
        let periods = Dictionary(uniqueKeysWithValues: model.sensors.map { ($0.id, $0.samplingPeriod) })
        if let restoring { await engine.restore(restoring, at: clock.now) }
        progress.beginFirstCycle(sources: wiring.sources.count)
        await evaluate()
        let outputs = startOutputThread(stop: stop)
        // Push sources deliver on their own queues; one stream keeps their inputs in order.
        let (pushed, pushSink) = AsyncStream.makeStream(of: [VenueInput].self)
        for source in wiring.pushSources {
            source.start(now: { [clock] in clock.monotonic }, deliver: { pushSink.yield($0) })
        }
        var loops: [Task<Void, Never>] = [Task {
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
        }]
        for source in wiring.sources {
            let period = periods[source.id] ?? .seconds(10)
            loops.append(Task { await self.sampleLoop(source, period: period, stop: stop) })
        }
        loops.append(Task { await self.evaluationLoop(stop: stop) })
        let startedAt = ContinuousClock.now
        while stop.requested == nil {
            if ContinuousClock.now - startedAt > Self.firstCycleLimit { progress.endFirstCycle() }
            try? await Task.sleep(for: .milliseconds(50))
        }
        // The lamps first: "not monitoring" must show even if a read hangs below.
        outputs.wait()
        wiring.signal?.shutDown()
        wiring.renderer?.shutDown(reason: stop.requested ?? "stopped")
        for source in wiring.pushSources { source.stop() }
        pushSink.finish()
        for loop in loops { loop.cancel() }
        let finished = Atomic<Bool>(false)
        let waiter = Task { for loop in loops { await loop.value }; finished.store(true, ordering: .relaxed) }
        let deadline = ContinuousClock.now + .seconds(3)
        while !finished.load(ordering: .relaxed) && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if !finished.load(ordering: .relaxed) {
            if let read = progress.oldestRead { logger.warning("leaving behind the read of sensor \(read.sensor), which has not returned") }
            waiter.cancel()
        }
        wiring.close()
    }

    /// How long the first cycle may take before the daemon reports ready without the slow sensors.
    public static let firstCycleLimit = Duration.seconds(5)

    private func sampleLoop(_ source: any SensorSource, period: Duration, stop: StopRequest) async {
        let clock = ContinuousClock()
        var deadline = clock.now  // the first read at once
        var first = true
        while stop.requested == nil && !Task.isCancelled {
            try? await Task.sleep(until: deadline, tolerance: .milliseconds(10), clock: clock)
            if stop.requested != nil || Task.isCancelled { break }
            let at = self.clock.monotonic
            let token = progress.readBegan(source.id)
            let sample = await source.sample(at: at)
            progress.readEnded(token)
            if let sample {
                await engine.apply([.sensor(SensorReport(sensor: source.id, at: at, sample: sample))])
                await evaluate()
            }
            if first {
                first = false
                progress.sourceAnswered()
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
            var next = started + frame
            while stop.requested == nil {
                if let status = latest.withLock({ $0 }) {
                    let seconds = (ContinuousClock.now - started).seconds
                    wiring.signal?.render(status.signal, seconds: seconds)
                    wiring.renderer?.render(status, scenarioSeconds: status.at.monotonic.seconds, realSeconds: seconds)
                    progress.framed()
                }
                let now = ContinuousClock.now
                if next <= now {
                    next = next + frame
                    if next < now { next = now + frame }  // overrun: resume the cadence, do not burst
                }
                // Until the next frame, or earlier when the signal changes.
                _ = outputWake.wait(timeout: .now() + (next - now).seconds)
            }
            joiner.finish()
        }
        thread.name = "venueguard-outputs"
        thread.start()
        return joiner
    }
}
