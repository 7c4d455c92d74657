import Foundation
import Logging
import Synchronization
import VenueGuardCore
import VenueGuardDrivers
import VenueGuardLinuxSystem

/// The daemon in real time: one scheduler task reads the sensors at their periods (the quick
/// ones of a tick together, a slow or new lane in a task of its own), interrupts and button
/// presses are fed in as they come, and the engine is evaluated after each tick's reads, at once
/// for an interrupt, a press or a fault, for a serial board's lines at most every 100 ms, and at
/// least once a second. A dedicated thread draws
/// the outputs at each edge of the patterns shown, at once when the signal changes, and at least
/// once a second; the same thread rings the scheduler's alarm (`TickAlarm`), so a steady second
/// costs one wake-up of it and one of a worker.
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
    /// The scheduler's sleep, kept by the output thread.
    private let alarm: TickAlarm
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
        alarm = TickAlarm(wake: { [outputWake] in outputWake.signal() })
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

    /// Which tick owns each source's next read, and which reads are under way. A tick claims
    /// the sources that are due and not being read; a task reads a source only while its tick
    /// still owns it, so a source that waited behind a hung read and was claimed again by a
    /// later tick is read once, by the later one.
    final class ReadClaims: Sendable {
        private struct State {
            var owner: [Int]
            var reading = Set<Int>()
            var answered = Set<Int>()
            /// How long each source's last read took, ns (nil: never read).
            var lastDuration: [Int64?]
        }
        private let state: Mutex<State>
        init(count: Int) { state = Mutex(State(owner: Array(repeating: 0, count: count), lastDuration: Array(repeating: nil, count: count))) }
        var reading: Set<Int> { state.withLock { $0.reading } }
        func claim(_ indices: [Int], for tick: Int) {
            state.withLock { state in for index in indices { state.owner[index] = tick } }
        }
        /// Starts the read of `index` for `tick`: nil when a later tick owns it now; otherwise
        /// whether it is the source's first read.
        func begin(_ index: Int, tick: Int) -> Bool? {
            state.withLock { state in
                guard state.owner[index] == tick, !state.reading.contains(index) else { return nil }
                state.reading.insert(index)
                return state.answered.insert(index).inserted
            }
        }
        func end(_ index: Int, took nanoseconds: Int64) {
            state.withLock { state in
                state.reading.remove(index)
                state.lastDuration[index] = nanoseconds
            }
        }
        /// Whether every source of `group` was read before and quickly (under `limit` ns).
        func quick(_ group: [Int], limit: Int64) -> Bool {
            state.withLock { state in group.allSatisfy { state.lastDuration[$0].map { $0 < limit } ?? false } }
        }
    }

    /// The samples of one tick still out; the last one back evaluates them together.
    final class Tick: Sendable {
        let outstanding: Atomic<Int>
        init(_ count: Int) { outstanding = Atomic(count) }
        /// Counts one sample back; `true` for the last.
        func arrived() -> Bool { outstanding.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 }
    }

    /// A read that took less than this last time shares the tick's task with the other quick
    /// ones (an I2C or sysfs read takes well under a millisecond; a DS18B20 conversion 750 ms).
    static let quickRead: Int64 = 20_000_000

    /// One task keeps every sensor's schedule. At each tick it starts the reads that are due.
    /// Sources whose I/O is serial anyway (one bus) form a lane, read one after another. Lanes
    /// whose reads were quick last time are read together in one task (a task and a thread
    /// wake-up a tick, not one per lane: on a small board each wake-up costs); any other lane
    /// (never read yet, or slow) gets a task of its own, so a read that hangs holds up only its
    /// own bus. Should a quick lane hang after all, the sources queued behind it in that task
    /// are claimed again at the next tick and read by its task instead (a period late, once).
    /// The last task of the tick to come back evaluates the samples together. The task also
    /// evaluates at least once a second, so timers (dwell, all-clear, expiry, staleness) end on
    /// time. It sleeps on the output thread's alarm, which costs no wake-up of its own.
    private func schedule(periods: [SensorID: Duration], stop: StopRequest) async {
        let clock = ContinuousClock()
        let sources = wiring.sources
        let lanes = sources.map(\.readLane)
        var due = Array(repeating: clock.now, count: sources.count)  // the first read at once
        let claims = ReadClaims(count: sources.count)
        var tickNumber = 0
        while stop.requested == nil && !Task.isCancelled {
            let now = clock.now
            let reading = claims.reading
            // Due within the alarm's tolerance counts as due: a wake a few ms early reads now
            // rather than sleeping again for the rest.
            let ready = sources.indices.filter { due[$0] <= now + TickAlarm.tolerance && !reading.contains($0) }
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
                // Decided once per group. A lane with a read still under way (hung, or slow this
                // time) is never quick: its sources would wait behind that read and hold up the
                // other lanes' reads in the shared task.
                let busyLanes = Set(reading.compactMap { lanes[$0] })
                var quick: [Int] = []
                var tasks: [[Int]] = []
                for group in groups {
                    let lane = lanes[group[0]]
                    if lane.map({ !busyLanes.contains($0) }) ?? true, claims.quick(group, limit: Self.quickRead) {
                        quick += group
                    } else {
                        tasks.append(group)
                    }
                }
                if !quick.isEmpty { tasks.append(quick) }
                tickNumber += 1
                claims.claim(ready, for: tickNumber)
                let tick = Tick(tasks.count)
                let at = self.clock.monotonic
                for (group, number) in zip(tasks, repeatElement(tickNumber, count: tasks.count)) {
                    Task {
                        var reports: [VenueInput] = []
                        for index in group {
                            guard let first = claims.begin(index, tick: number) else { continue }
                            let source = sources[index]
                            let token = progress.readBegan(source.id)
                            let began = ContinuousClock.now
                            let sample = await source.sample(at: at)
                            progress.readEnded(token)
                            claims.end(index, took: (ContinuousClock.now - began).nanoseconds)
                            if let sample { reports.append(.sensor(SensorReport(sensor: source.id, at: at, sample: sample))) }
                            if first { progress.sourceAnswered() }
                        }
                        if !reports.isEmpty { await engine.apply(reports) }
                        if tick.arrived() { await evaluate() }
                    }
                }
                for index in ready {
                    let period = periods[sources[index].id] ?? .seconds(10)
                    due[index] = due[index] + period
                    if due[index] <= now { due[index] = now + period }  // a slow read skips, never bunches
                }
            } else if clock.now - lastEvaluation.withLock({ $0 }) >= .milliseconds(950) {
                await evaluate()
            }
            // A source whose read is still under way at its next due time (a hung read) is not
            // waited for: counting it would wake this loop every millisecond while the read
            // hangs. One whose next due time is still ahead is: the read just started is
            // usually under way by now, and leaving it out slept to the once-a-second
            // evaluation whatever its period.
            let stillReading = claims.reading
            let after = clock.now
            // (Beyond the alarm's tolerance: a read still under way within it would have the
            // alarm ring at once, again and again, until that due time passed.)
            let waiting = sources.indices.filter { !stillReading.contains($0) || due[$0] > after + TickAlarm.tolerance }.map { due[$0] }
            let wake = min(waiting.min() ?? now + .seconds(1), lastEvaluation.withLock { $0 } + .seconds(1))
            await alarm.sleep(until: max(wake, clock.now + .milliseconds(1)))
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
            // What was drawn last, when, and when its pattern next changes: a wake-up for the
            // scheduler's alarm alone draws nothing.
            var drawn: (signal: SignalIntent, at: Double, nextEdge: Double)?
            while stop.requested == nil {
                alarm.ring(now: .now)
                var wait = animated ? 0.05 : Self.longestFrameGap
                if let status = latest.withLock({ $0 }) {
                    let seconds = (ContinuousClock.now - started).seconds
                    let slack = 0.0005
                    // Awake anyway (the alarm), the once-a-second frame is drawn early once half
                    // its gap has passed: it then falls on the ticks and needs no wake of its own.
                    let due = drawn.map { animated || $0.signal != status.signal || seconds >= $0.nextEdge - slack
                                          || seconds - $0.at >= Self.longestFrameGap / 2 } ?? true
                    if due {
                        wiring.signal?.render(status.signal, seconds: seconds)
                        wiring.renderer?.render(status, scenarioSeconds: status.at.monotonic.seconds, realSeconds: seconds)
                        progress.framed()
                        drawn = (status.signal, seconds, wiring.signal?.nextChange(status.signal, afterSeconds: seconds) ?? .infinity)
                    }
                    if let drawn {
                        wait = min(wait, max(0.001, drawn.nextEdge - seconds), max(0.001, drawn.at + Self.longestFrameGap - seconds))
                    }
                } else {
                    wait = 0.05
                }
                // Until the next edge or the scheduler's alarm, or earlier when the signal
                // changes or the alarm is set earlier.
                wait = alarm.plan(now: .now, wait: wait)
                _ = outputWake.wait(timeout: .now() + wait)
            }
            alarm.close()
            joiner.finish()
        }
        thread.name = "venueguard-outputs"
        thread.start()
        return joiner
    }
}
