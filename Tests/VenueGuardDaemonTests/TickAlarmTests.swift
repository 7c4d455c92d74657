import Synchronization
import Testing
@testable import VenueGuardDaemon

/// The scheduler's alarm as the output thread keeps it: rings at (or just before) the deadline,
/// never early beyond the tolerance, wakes the thread only when it would sleep past the
/// deadline, and lets the sleeper go on cancellation and on close.
struct TickAlarmTests {
    /// Counts and flags shared with the alarm's closures and the sleeping task.
    final class Marks: Sendable {
        let wakes = Atomic<Int>(0)
        let done = Atomic<Bool>(false)
        var wakeCount: Int { wakes.load(ordering: .relaxed) }
        var isDone: Bool { done.load(ordering: .relaxed) }
    }

    /// Waits (bounded) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(2)) }
        return condition()
    }

    @Test("Rings at the deadline, not before the tolerance; the plan never sleeps past it")
    func rings() async {
        let marks = Marks()
        let alarm = TickAlarm(wake: { marks.wakes.add(1, ordering: .relaxed) })
        let start = ContinuousClock.now
        let deadline = start + .seconds(10)
        // The output thread planned to wake in 1 s: the deadline is later, so no wake is needed.
        #expect(alarm.plan(now: start, wait: 1) == 1)
        let sleeper = Task {
            await alarm.sleep(until: deadline)
            marks.done.store(true, ordering: .relaxed)
        }
        #expect(await Self.eventually { alarm.plan(now: start, wait: 60) == 10 }, "the plan is cut to the deadline")
        // At most one wake: the test's own polling plan (60 s) may come before the sleeper
        // registers, and a deadline earlier than a planned wake must wake the thread.
        #expect(marks.wakeCount <= 1)
        #expect(await Self.eventually { alarm.hasSleeper })
        alarm.ring(now: deadline - .milliseconds(50))  // too early: the sleeper stays
        #expect(alarm.hasSleeper)
        #expect(!marks.isDone)
        alarm.ring(now: deadline - .milliseconds(5))  // within the tolerance
        await sleeper.value
        #expect(marks.isDone)
        #expect(alarm.plan(now: start, wait: 1) == 1, "a rung alarm no longer limits the plan")
    }

    @Test("A deadline set while the thread sleeps past it wakes the thread")
    func wakesLateThread() async {
        let marks = Marks()
        let alarm = TickAlarm(wake: { marks.wakes.add(1, ordering: .relaxed) })
        let now = ContinuousClock.now
        _ = alarm.plan(now: now, wait: 1)  // the thread sleeps until now + 1 s
        let sleeper = Task { await alarm.sleep(until: now + .milliseconds(200)) }
        #expect(await Self.eventually { marks.wakeCount == 1 })
        alarm.ring(now: now + .milliseconds(200))
        await sleeper.value
    }

    @Test("Cancellation and close let the sleeper go; after close every sleep returns at once")
    func cancelAndClose() async {
        let alarm = TickAlarm(wake: {})
        let far = ContinuousClock.now + .seconds(3600)
        let cancelled = Task { await alarm.sleep(until: far) }
        #expect(await Self.eventually { alarm.hasSleeper })
        cancelled.cancel()
        await cancelled.value
        let closed = Task { await alarm.sleep(until: far) }
        #expect(await Self.eventually { alarm.hasSleeper })
        alarm.close()
        await closed.value
        await alarm.sleep(until: far)  // returns at once
    }
}
