import Synchronization
import VenueGuardCore

/// The sensor scheduler's sleep, kept by the output thread. That thread wakes anyway, at every
/// lamp or buzzer edge and at least once a second, so ringing the scheduler from it costs no
/// wake-up of its own. A `Task.sleep` costs three on Linux: libdispatch's timer thread is woken
/// to re-arm its timer, woken again when it fires, and then wakes a worker.
///
/// One sleeper at a time (the scheduler). The output thread asks `plan(now:wait:)` how long it
/// may sleep, and `ring(now:)` when it wakes; a deadline set while the thread sleeps past it
/// wakes the thread through `wake`.
final class TickAlarm: Sendable {
    /// How early the alarm may ring: the scheduler counts a sensor due this soon as due, so an
    /// early ring reads at once rather than sleeping again for the rest.
    static let tolerance = Duration.milliseconds(10)

    private struct State {
        var deadline: ContinuousClock.Instant?
        var sleeper: CheckedContinuation<Void, Never>?
        /// When the output thread will next wake, as it last planned.
        var plannedWake: ContinuousClock.Instant?
        var closed = false
    }

    private let state = Mutex(State())
    private let wake: @Sendable () -> Void

    /// An alarm that calls `wake` to wake the output thread early.
    init(wake: @escaping @Sendable () -> Void) {
        self.wake = wake
    }

    /// Returns at `deadline` (up to `tolerance` early), when the calling task is cancelled, or
    /// at once after `close()`.
    func sleep(until deadline: ContinuousClock.Instant) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let (now, previous, wakeThread) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?, Bool) in
                    // The cancellation flag is set before the handler runs, and the handler takes
                    // this lock: a cancellation is seen here or finds the sleeper stored.
                    if state.closed || Task.isCancelled { return (true, nil, false) }
                    let previous = state.sleeper
                    state.deadline = deadline
                    state.sleeper = continuation
                    let late = state.plannedWake.map { $0 > deadline + Self.tolerance } ?? true
                    return (false, previous, late)
                }
                previous?.resume()
                if now { continuation.resume() } else if wakeThread { wake() }
            }
        } onCancel: {
            takeSleeper()?.resume()
        }
    }

    /// Whether a sleeper waits for a deadline now (for tests).
    var hasSleeper: Bool { state.withLock { $0.sleeper != nil } }

    private func takeSleeper() -> CheckedContinuation<Void, Never>? {
        state.withLock { state in
            defer {
                state.sleeper = nil
                state.deadline = nil
            }
            return state.sleeper
        }
    }

    /// The output thread is awake at `now`: rings when the deadline is (nearly) here.
    func ring(now: ContinuousClock.Instant) {
        let sleeper = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let deadline = state.deadline, deadline <= now + Self.tolerance else { return nil }
            defer {
                state.sleeper = nil
                state.deadline = nil
            }
            return state.sleeper
        }
        sleeper?.resume()
    }

    /// How long, in seconds, the output thread may sleep from `now` when it would sleep `wait`:
    /// no later than the deadline. The answer is recorded as its plan.
    func plan(now: ContinuousClock.Instant, wait: Double) -> Double {
        state.withLock { state in
            var seconds = wait
            if let deadline = state.deadline { seconds = min(seconds, max(0, (deadline - now).seconds)) }
            state.plannedWake = now + .seconds(fractional: seconds)
            return seconds
        }
    }

    /// The output thread has ended: the sleeper returns, and so does every later sleep.
    func close() {
        state.withLock { $0.closed = true }
        takeSleeper()?.resume()
    }
}
