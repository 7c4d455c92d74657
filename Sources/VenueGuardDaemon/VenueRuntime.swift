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

    /// The engine and everything that follows an evaluation, in evaluation order: two
    /// evaluations that race (a sensor tick and an interrupt) can neither interleave their
    /// outputs nor let an older status replace a newer one (a strike's alarm would be lost).
    private actor EngineBox {
        var engine: VenueEngine
        var keepsMemory = false
        private var lastMemory: VenueMemory?
        init(model: VenueModel) { engine = VenueEngine(model: model) }
        func apply(_ inputs: [VenueInput]) { for input in inputs { engine.apply(input) } }
        func restore(_ memory: VenueMemory, at now: Timestamp) {
            engine.restore(memory, at: now)
            lastMemory = memory
        }
        func keepMemory() { keepsMemory = true }
        func memory(at now: Timestamp) -> VenueMemory { engine.memory(at: now) }
        /// Evaluates at the clock's now (read here, so evaluations never go back in time) and
        /// hands the result, with the memory when its facts changed, to `then`, on the actor.
        func evaluate(clock: SystemClock, then: (VenueStatus, [VenueEvent], VenueMemory?) -> Void) {
            let now = clock.now
            let status = engine.evaluate(at: now)
            var changedMemory: VenueMemory?
            if keepsMemory {
                let memory = engine.memory(at: now)
                if !memory.sameFacts(as: lastMemory) {
                    lastMemory = memory
                    changedMemory = memory
                }
            }
            then(status, engine.drainEvents(), changedMemory)
        }
    }

    private let model: VenueModel
    private let wiring: Wiring
    private let clock: SystemClock
    private let engine: EngineBox
    private let latest = Mutex<VenueStatus?>(nil)
    private let outputWake = DispatchSemaphore(value: 0)
    private let changeCount = Atomic<Int>(0)
    private let lastEvaluation = Mutex(ContinuousClock.now)
    private let logger: Logger
    /// Evaluations, output frames and reads in flight, for the watchdog.
    public let progress: RunProgress
    /// Called after every evaluation, in evaluation order (MQTT).
    public var onStatus: (@Sendable (VenueStatus, [VenueEvent]) -> Void)?
    /// Called after every evaluation, in evaluation order, with the safety memory when its
    /// facts changed (only once `keepsMemory` is set): systemd and the state files.
    public var onEvaluated: (@Sendable (VenueStatus, VenueMemory?) -> Void)?
    /// Awaited after every evaluation, in the task that evaluated, never by the output thread
    /// (MQTT takes the queued statuses here, without a wake-up of its own).
    public var afterEvaluation: (@Sendable () async -> Void)?
    /// What the engine takes back before its first evaluation (after a reload or restart).
    public var restoring: VenueMemory?
    /// Whether evaluations report the safety memory's changes to `onEvaluated` (the board).
    public var keepsMemory = false

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
        lastEvaluation.withLock { $0 = .now }
        await engine.evaluate(clock: clock) { status, events, memory in
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
            onEvaluated?(status, memory)
        }
        await afterEvaluation?()
    }

    /// Runs until `stop` is requested, then puts the outputs in the "not monitoring" state.
    /// Every sensor is read at once at the start, in parallel; an area shows a level once its
    /// sensors have answered (the engine awaits them), and the first cycle counts as done when
    /// all have answered or after `firstCycleLimit`, whichever is first. On stop the outputs
    /// go to "not monitoring" before anything waits for the loops, and a read that never
    /// returns is left behind after a few seconds rather than holding up the exit.
    public func run(stop: StopRequest) async {
        let periods = Dictionary(uniqueKeysWithValues: model.sensors.map { ($0.id, $0.samplingPeriod) })
        if keepsMemory { await engine.keepMemory() }
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
            var lastPushEvaluation = ContinuousClock.now - .seconds(1)
            for await inputs in pushed {
                await self.engine.apply(inputs)
                let urgent = inputs.contains { if case let .sensor(report) = $0, case .fault = report.sample { return true } else { return false } }
                if urgent || ContinuousClock.now - lastPushEvaluation >= .milliseconds(100) {
                    lastPushEvaluation = .now
                    await self.evaluate()
                }
            }
        }]
        loops.append(Task { await self.schedule(periods: periods, stop: stop) })
        loops.append(Task { [progress] in
            try? await Task.sleep(for: Self.firstCycleLimit)
            progress.endFirstCycle()
        })
        await stop.wait()
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

    /// The sources whose read is under way.
    final class Reading: Sendable {
        private let indices = Mutex(Set<Int>())
        var now: Set<Int> { indices.withLock { $0 } }
        func began(_ index: Int) { _ = indices.withLock { $0.insert(index) } }
        func ended(_ index: Int) { _ = indices.withLock { $0.remove(index) } }
    }

    /// The samples of one tick still out; the last one back evaluates them together.
    final class Tick: Sendable {
        let outstanding: Atomic<Int>
        init(_ count: Int) { outstanding = Atomic(count) }
        /// Counts one sample back; `true` for the last.
        func arrived() -> Bool { outstanding.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 }
    }

    /// One task keeps every sensor's schedule. At each tick it starts the reads that are due,
    /// one task per lane (sources whose I/O is serial anyway, on one bus, are read one after
    /// another; any other source has a lane of its own), so a read that hangs holds up only
    /// its own bus: that sensor is simply not read again until it returns. The last lane of
    /// the tick to come back evaluates the samples together. Sensors on one period share a
    /// tick, so eight sensors at 1 Hz on one bus cost one wake-up, one task and one
    /// evaluation a second, not sixteen. The task also evaluates at least once a second, so
    /// timers (dwell, all-clear, expiry, staleness) end on time.
    private func schedule(periods: [SensorID: Duration], stop: StopRequest) async {
        let clock = ContinuousClock()
        let sources = wiring.sources
        let lanes = sources.map(\.readLane)
        var due = Array(repeating: clock.now, count: sources.count)  // the first read at once
        let busy = Reading()
        var answered = Set<Int>()
        while stop.requested == nil && !Task.isCancelled {
            let now = clock.now
            let reading = busy.now
            let ready = sources.indices.filter { due[$0] <= now && !reading.contains($0) }
            if !ready.isEmpty {
                var groups: [[Int]] = []
                var groupOfLane: [ObjectIdentifier: Int] = [:]
                for index in ready {
                    guard let lane = lanes[index] else { groups.append([index]); continue }
                    if let group = groupOfLane[lane] { groups[group].append(index) } else {
                        groupOfLane[lane] = groups.count
                        groups.append([index])
                    }
                }
                let tick = Tick(groups.count)
                let at = self.clock.monotonic
                for group in groups {
                    let firsts = group.map { answered.insert($0).inserted }
                    for index in group { busy.began(index) }
                    Task {
                        var reports: [VenueInput] = []
                        for (index, first) in zip(group, firsts) {
                            let source = sources[index]
                            let token = progress.readBegan(source.id)
                            let sample = await source.sample(at: at)
                            progress.readEnded(token)
                            if let sample { reports.append(.sensor(SensorReport(sensor: source.id, at: at, sample: sample))) }
                            busy.ended(index)
                            if first { progress.sourceAnswered() }
                        }
                        if !reports.isEmpty { await engine.apply(reports) }
                        if tick.arrived() { await evaluate() }
                    }
                    for index in group {
                        let period = periods[sources[index].id] ?? .seconds(10)
                        due[index] = due[index] + period
                        if due[index] <= now { due[index] = now + period }  // a slow read skips, never bunches
                    }
                }
            } else if clock.now - lastEvaluation.withLock({ $0 }) >= .milliseconds(950) {
                await evaluate()
            }
            let wake = min(due.min() ?? now + .seconds(1), lastEvaluation.withLock { $0 } + .seconds(1))
            try? await Task.sleep(until: max(wake, clock.now + .milliseconds(1)), tolerance: .milliseconds(10), clock: clock)
        }
    }

    /// A finished-flag for the output thread.
    final class Joiner: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        func finish() { done.signal() }
        func wait() { done.wait() }
    }

    /// The longest the output thread sleeps: it still draws (and counts, for the watchdog) a
    /// frame a second when no pattern edge is due, all lamps off say.
    static let longestFrameGap = 1.0

    /// The output thread: draws a frame at each edge of the patterns shown (a lamp switching,
    /// the buzzer starting or stopping a beep), at once when the signal changes, and at least
    /// once a second; in between it sleeps. A steady lamp costs two frames per 3 s heartbeat, a
    /// 1 Hz blink two a second. An animated terminal panel gets 20 frames a second.
    private func startOutputThread(stop: StopRequest) -> Joiner {
        let joiner = Joiner()
        let started = ContinuousClock.now
        let animated = wiring.renderer?.animates == true
        let thread = Thread { [self] in
            while stop.requested == nil {
                var wait = animated ? 0.05 : Self.longestFrameGap
                if let status = latest.withLock({ $0 }) {
                    let seconds = (ContinuousClock.now - started).seconds
                    wiring.signal?.render(status.signal, seconds: seconds)
                    wiring.renderer?.render(status, scenarioSeconds: status.at.monotonic.seconds, realSeconds: seconds)
                    progress.framed()
                    if let edge = wiring.signal?.nextChange(status.signal, afterSeconds: seconds) {
                        wait = min(wait, max(0.001, edge - seconds))
                    }
                } else {
                    wait = 0.05
                }
                // Until the next edge, or earlier when the signal changes.
                _ = outputWake.wait(timeout: .now() + wait)
            }
            joiner.finish()
        }
        thread.name = "venueguard-outputs"
        thread.start()
        return joiner
    }
}
