import VenueGuardCore

/// Runs a chip driver the way an unattended box needs: initialises it when needed, turns
/// every failure into a counted fault sample, backs off after repeated failures, and
/// power-cycles a sensor that stays hung when it has a power switch.
public final class SupervisedSensor {
    /// How hard to try.
    public struct Policy: Hashable, Sendable {
        /// Consecutive failures before attempts back off (the next attempt waits a period, then two, four, …).
        public var backoffAfter: Int = 2
        /// The longest wait between attempts.
        public var maximumBackoff: Duration = .seconds(300)
        /// Consecutive failures before the supply is cycled (when there is a power switch).
        public var powerCycleAfter: Int = 3
        /// How long the supply stays off.
        public var powerOffTime: Duration = .seconds(1)
        /// How long to wait after power returns before initialising.
        public var powerOnSettle: Duration = .milliseconds(100)
        /// Creates the default policy.
        public init() {}
    }

    /// The driver.
    public let driver: ChipDriver
    private let period: Duration
    private let policy: Policy
    private let power: PowerSwitch?
    private let delay: Delay
    private var needsInitialisation = true
    private var nextAttempt: MonotonicInstant?
    /// Failures since the last success.
    public private(set) var consecutiveFailures = 0
    /// Power cycles done so far.
    public private(set) var powerCycles = 0
    /// Attempts made so far (skipped periods are not attempts).
    public private(set) var attempts = 0

    /// Supervises `driver`, sampled every `period`.
    public init(driver: ChipDriver, period: Duration, policy: Policy = Policy(), power: PowerSwitch? = nil, delay: Delay) {
        self.driver = driver
        self.period = period
        self.policy = policy
        self.power = power
        self.delay = delay
    }

    /// One sample at `now`, or `nil` when backing off (no attempt made this period).
    public func sample(at now: MonotonicInstant) -> SensorSample? {
        if let nextAttempt, now < nextAttempt { return nil }
        attempts += 1
        do throws(DriverError) {
            if needsInitialisation {
                try driver.initialise()
                needsInitialisation = false
            }
            let measurement = try driver.measure()
            consecutiveFailures = 0
            nextAttempt = nil
            return .values(measurement.values, origin: measurement.origin, fingerprint: measurement.fingerprint, details: measurement.details)
        } catch {
            consecutiveFailures += 1
            driver.recover()
            needsInitialisation = true
            if let power, consecutiveFailures % policy.powerCycleAfter == 0 {
                // I2C sensors that hang until their power is cycled are the commonest failure.
                try? power.setPowered(false)
                delay.wait(policy.powerOffTime)
                try? power.setPowered(true)
                delay.wait(policy.powerOnSettle)
                powerCycles += 1
            }
            if consecutiveFailures >= policy.backoffAfter {
                let doublings = min(consecutiveFailures - policy.backoffAfter, 16)
                var wait = period * (1 << doublings)
                if wait > policy.maximumBackoff { wait = policy.maximumBackoff }
                nextAttempt = now + wait
            }
            return .fault(error.faultReason)
        }
    }
}
