/// Keeps one sensor's latest accepted readings and decides its health: rejects impossible
/// values and changes faster than the sensor can physically show, detects a stuck sensor
/// (unless its resolution makes repeats normal), marks values that sit on the chip's clamp
/// as bounds rather than measurements, records faults, counts every rejection by reason, and
/// recovers by itself when good readings return.
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
    /// Quantities whose latest value sits on the chip's clamp, with why.
    public private(set) var suspect: [Quantity: Suspicion] = [:]
    /// The source's remarks about the device (a non-Maxim DS18B20 …), from the latest sample.
    public private(set) var notes: [String] = []

    /// The last raw data of each kind of sample (by the quantities it carries, so a board that
    /// sends temperature and humidity on alternate lines is compared line kind by line kind).
    private var fingerprints: [Set<Quantity>: (print: [UInt32], since: MonotonicInstant)] = [:]

    /// Humidity a little outside 0…100 % is a chip's documented overshoot (Sensirion's SHT4x
    /// formula runs from −6 to 119 %; its datasheet asks for cropping) and is cropped to the
    /// nearer end, as a value on the clamp; beyond this it is implausible.
    public static let humidityOvershoot: ClosedRange<Double> = -10...120

    /// Consecutive readings on a clamp before a usable bound is reported as suspect.
    public static let suspectAfter = 3

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
        case let .values(rawValues, origin, rawFingerprint, details):
            var values = rawValues
            var atLimit = details.atLimit
            Self.cropHumidity(&values, &atLimit)
            if let problem = stuckCheck(values: values, fingerprint: rawFingerprint, resolution: details.resolution, at: now) {
                return markFaulted(problem, at: now)
            }
            for quantity in values.keys.sorted() {
                let value = values[quantity]!
                if !value.isFinite || !quantity.plausibleRange.contains(value) {
                    return markFaulted(.implausible(quantity, value), at: now)
                }
            }
            for quantity in values.keys.sorted() where !isColdSideLimit(quantity, atLimit[quantity]) {
                if let problem = jumpCheck(quantity, values[quantity]!, at: now) {
                    return markFaulted(problem, at: now)
                }
            }
            for (quantity, value) in values {
                latest[quantity] = Reading(sensor: descriptor.id, quantity: quantity, value: value, at: now, origin: origin)
                noteLimit(quantity, value: value, side: atLimit[quantity])
            }
            notes = details.notes
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

    /// The latest reading of `quantity` if the sensor is healthy, the reading fresh at `now`,
    /// and the value a measurement (or a bound that errs hot) rather than a clamp on the cold side.
    public func usableReading(_ quantity: Quantity, at now: MonotonicInstant) -> Reading? {
        guard health(at: now) == .ok, let reading = latest[quantity], now - reading.at <= descriptor.maxAge else { return nil }
        if let suspicion = suspect[quantity], !suspicion.usableAsBound { return nil }
        return reading
    }

    /// Counts input rejected for `reason` (it does not change the sensor's health).
    public mutating func rejectInput(_ reason: String) {
        rejectedInput[reason, default: 0] += 1
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

    /// Crops humidity's small overshoot to 0…100 % and marks values on either end as clamped,
    /// whichever backend they came through (I2C, hwmon, IIO, a serial board).
    static func cropHumidity(_ values: inout [Quantity: Double], _ atLimit: inout [Quantity: LimitSide]) {
        guard let humidity = values[.relativeHumidity], humidity.isFinite, humidityOvershoot.contains(humidity) else { return }
        if humidity >= 100 {
            values[.relativeHumidity] = 100
            atLimit[.relativeHumidity] = .ceiling
        } else if humidity <= 0 {
            values[.relativeHumidity] = 0
            atLimit[.relativeHumidity] = .floor
        }
    }

    /// Whether a clamped value sits on the side that would make the heat look milder than it is.
    private func isColdSideLimit(_ quantity: Quantity, _ side: LimitSide?) -> Bool {
        guard let side else { return false }
        switch (side, quantity.heatStressDirection) {
        case (.floor, 1), (.ceiling, -1): return true
        default: return false
        }
    }

    private mutating func noteLimit(_ quantity: Quantity, value: Double, side: LimitSide?) {
        guard let side else {
            suspect[quantity] = nil
            return
        }
        let readings = suspect[quantity].map { $0.side == side ? $0.readings + 1 : 1 } ?? 1
        if readings == 1 { faultCounts["at-limit", default: 0] += 1 }
        suspect[quantity] = Suspicion(side: side, value: value, readings: readings,
                                      usableAsBound: !isColdSideLimit(quantity, side), quantity: quantity)
    }

    /// Whether the sample's values are all on a coarse grid (the source's stated resolution,
    /// else the values themselves: a whole-degree board never shows a fraction).
    private func isCoarse(_ values: [Quantity: Double], resolution: [Quantity: Double]) -> Bool {
        !values.isEmpty && values.allSatisfy { quantity, value in
            guard let coarse = quantity.coarseResolution else { return false }
            if let step = resolution[quantity] { return step >= coarse }
            let steps = value / coarse
            return steps.isFinite && abs(steps - steps.rounded()) < 1e-9
        }
    }

    private mutating func stuckCheck(values: [Quantity: Double], fingerprint raw: [UInt32]?, resolution: [Quantity: Double],
                                     at now: MonotonicInstant) -> FaultReason? {
        guard let stuckAfter = descriptor.stuckAfter else { return nil }
        let kind = Set(values.keys)
        // Darkness and calm are real: a light sensor reads a steady 0 all night. And a coarse
        // sensor (whole degrees, 9-bit) repeats itself in a steady room: only noise in the low
        // bits makes identical data a sign of a stuck chip.
        if values.allSatisfy({ $0.key.restsAtZero && $0.value <= 1 }) || isCoarse(values, resolution: resolution) {
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

    /// A change from the last accepted reading faster than the sensor can physically show.
    /// Repeating the glitch does not make it real: the reference stays the last accepted
    /// reading until a value within reach of it arrives (the allowance grows with the time since
    /// that reading, so a sensor back after a long gap is judged by what could have happened
    /// meanwhile). A value that sat on a cold-side clamp is no reference.
    private func jumpCheck(_ quantity: Quantity, _ value: Double, at now: MonotonicInstant) -> FaultReason? {
        guard let rate = quantity.maximumRatePerSecond(globeDiameter: descriptor.globeDiameter),
              let previous = latest[quantity], suspect[quantity].map({ $0.usableAsBound }) ?? true else { return nil }
        let allowed = rate * max((now - previous.at).seconds, Quantity.jumpFloor.seconds)
        return abs(value - previous.value) <= allowed ? nil : .implausibleJump(quantity, from: previous.value, to: value)
    }
}
