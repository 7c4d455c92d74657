/// Keeps one sensor's latest accepted readings and decides its health: rejects impossible
/// values and jumps, detects a stuck sensor, records faults, counts every rejection by
/// reason, and recovers by itself when good readings return.
public struct SensorHealthTracker: Sendable {
    /// The sensor.
    public let descriptor: SensorDescriptor
    /// The latest accepted reading of each quantity.
    public private(set) var latest: [Quantity: Reading] = [:]
    /// The last instant the sensor gave a healthy sample.
    public private(set) var lastHeard: MonotonicInstant?
    /// The current fault, if any, and since when.
    public private(set) var fault: ActiveFault?
    /// Faults and rejected samples so far, by reason code.
    public private(set) var faultCounts: [String: Int] = [:]
    /// Samples accepted so far.
    public private(set) var acceptedCount = 0
    /// Input rejected before it became a sample (a serial board's debug text, overlong or
    /// binary lines…), by reason. Rejected input does not fault the sensor.
    public private(set) var rejectedInput: [String: Int] = [:]

    /// The last raw data of each kind of sample (by the quantities it carries, so a board that
    /// sends temperature and humidity on alternate lines is compared line kind by line kind).
    private var fingerprints: [Set<Quantity>: (print: [UInt32], since: MonotonicInstant)] = [:]
    private var jumpCandidates: [Quantity: Reading] = [:]

    /// Creates a tracker for `descriptor` with no readings.
    public init(descriptor: SensorDescriptor) {
        self.descriptor = descriptor
    }

    /// A fault in force.
    public struct ActiveFault: Hashable, Sendable {
        /// Why.
        public var reason: FaultReason
        /// Since when.
        public var since: MonotonicInstant
    }

    /// The outcome of one sample, for event reporting.
    public enum Outcome: Hashable, Sendable {
        /// Accepted; `recovered` when it ended a fault.
        case accepted(recovered: Bool)
        /// Rejected or failed, with the reason; `newFault` when the sensor was not faulted for this reason before.
        case faulted(FaultReason, newFault: Bool)
    }

    /// Takes one sample.
    @discardableResult
    public mutating func ingest(_ sample: SensorSample, at now: MonotonicInstant) -> Outcome {
        switch sample {
        case let .fault(reason):
            return markFaulted(reason, at: now)
        case .alive:
            return markHealthy(at: now)
        case let .values(values, origin, rawFingerprint):
            if let problem = stuckCheck(values: values, fingerprint: rawFingerprint, at: now) {
                return markFaulted(problem, at: now)
            }
            for quantity in values.keys.sorted() {
                let value = values[quantity]!
                if !value.isFinite || !quantity.plausibleRange.contains(value) {
                    return markFaulted(.implausible(quantity, value), at: now)
                }
            }
            for quantity in values.keys.sorted() {
                if let problem = jumpCheck(quantity, values[quantity]!, at: now) {
                    return markFaulted(problem, at: now)
                }
            }
            for (quantity, value) in values {
                latest[quantity] = Reading(sensor: descriptor.id, quantity: quantity, value: value, at: now, origin: origin)
            }
            jumpCandidates = [:]
            acceptedCount += 1
            return markHealthy(at: now)
        }
    }

    /// The health at `now`.
    public func health(at now: MonotonicInstant) -> SensorHealth {
        if let fault { return .faulted(fault.reason) }
        guard let lastHeard, now - lastHeard <= descriptor.maxAge else {
            return .stale(lastHeard: lastHeard, maxAge: descriptor.maxAge)
        }
        return .ok
    }

    /// The latest reading of `quantity` if the sensor is healthy and the reading fresh at `now`.
    public func usableReading(_ quantity: Quantity, at now: MonotonicInstant) -> Reading? {
        guard health(at: now) == .ok, let reading = latest[quantity], now - reading.at <= descriptor.maxAge else { return nil }
        return reading
    }

    private mutating func markHealthy(at now: MonotonicInstant) -> Outcome {
        let recovered = fault != nil
        fault = nil
        lastHeard = now
        return .accepted(recovered: recovered)
    }

    private mutating func markFaulted(_ reason: FaultReason, at now: MonotonicInstant) -> Outcome {
        faultCounts[reason.code, default: 0] += 1
        let isNew = fault?.reason.code != reason.code
        fault = ActiveFault(reason: reason, since: isNew ? now : fault!.since)
        return .faulted(reason, newFault: isNew)
    }

    /// Counts input rejected for `reason` (it does not change the sensor's health).
    public mutating func rejectInput(_ reason: String) {
        rejectedInput[reason, default: 0] += 1
    }

    private mutating func stuckCheck(values: [Quantity: Double], fingerprint raw: [UInt32]?, at now: MonotonicInstant) -> FaultReason? {
        guard let stuckAfter = descriptor.stuckAfter else { return nil }
        let kind = Set(values.keys)
        // Darkness and calm are real: a light sensor reads a steady 0 all night.
        if values.allSatisfy({ $0.key.restsAtZero && $0.value <= 1 }) {
            fingerprints[kind] = nil
            return nil
        }
        // Darkness and calm are real: a light sensor reads a steady 0 all night.
        if values.allSatisfy({ $0.key.restsAtZero && $0.value <= 1 }) {
            fingerprints[kind] = nil
            return nil
        }
        let print = raw ?? values.keys.sorted().flatMap { quantity -> [UInt32] in
            let bits = values[quantity]!.bitPattern
            return [UInt32(truncatingIfNeeded: bits >> 32), UInt32(truncatingIfNeeded: bits)]
        }
        if let previous = fingerprints[kind], previous.print == print {
            // The reason names the threshold, not the growing span, so it reads the same while it lasts.
            return now - previous.since >= stuckAfter ? .stuck(stuckAfter) : nil
        }
        fingerprints[kind] = (print, now)
        return nil
    }

    private mutating func jumpCheck(_ quantity: Quantity, _ value: Double, at now: MonotonicInstant) -> FaultReason? {
        guard let rate = quantity.maximumRatePerSecond, let previous = latest[quantity] else { return nil }
        func allowed(since then: MonotonicInstant) -> Double {
            // Short intervals get the allowance of ten seconds: sensors are noisy at 1 Hz.
            rate * max((now - then).seconds, 10)
        }
        if abs(value - previous.value) <= allowed(since: previous.at) { return nil }
        // Two consecutive readings that agree with each other are a real change, not a glitch.
        if let candidate = jumpCandidates[quantity], abs(value - candidate.value) <= allowed(since: candidate.at) {
            return nil
        }
        jumpCandidates[quantity] = Reading(sensor: descriptor.id, quantity: quantity, value: value, at: now)
        return .implausibleJump(quantity, from: previous.value, to: value)
    }
}
