import VenueGuardCore

/// A sensor source made of a chip driver under supervision, run in its bus's I/O context.
/// The driver's state is only touched from that context (hence `@unchecked Sendable`).
public final class ChipSensorSource: SensorSource, @unchecked Sendable {
    public let id: SensorID
    /// The supervision (retries, backoff, power cycling) around the driver.
    public let supervisor: SupervisedSensor
    private let context: IOContext

    /// Creates a source for `id` from a supervised driver running in `context`.
    public init(id: SensorID, supervisor: SupervisedSensor, context: IOContext) {
        self.id = id
        self.supervisor = supervisor
        self.context = context
    }

    public func sample(at now: MonotonicInstant) async -> SensorSample? {
        await context.run { self.supervisor.sample(at: now) }
    }

    /// The bus's lane: sources on one bus are read by one task.
    public var readLane: ObjectIdentifier? { context.lane }
}

/// The AS3935 as a sensor source: a periodic check keeps it known-healthy (or faulted), and
/// each IRQ edge is serviced into strikes for the lightning monitor.
public final class LightningDetectorSource: InterruptSource, @unchecked Sendable {
    public let id: SensorID
    /// The driver.
    public let detector: AS3935
    private let context: IOContext
    private var initialised = false
    /// Strikes, disturbers and noise events heard so far, by kind (the driver's counts).
    public var counts: [String: Int] { detector.counts }

    /// Creates a source for `id` around `detector`, running in `context`.
    public init(id: SensorID, detector: AS3935, context: IOContext) {
        self.id = id
        self.detector = detector
        self.context = context
    }

    /// The bus's lane: sources on one bus are read by one task.
    public var readLane: ObjectIdentifier? { context.lane }

    public func sample(at now: MonotonicInstant) async -> SensorSample? {
        await context.run {
            do throws(DriverError) {
                if !self.initialised {
                    try self.detector.initialise()
                    self.initialised = true
                }
                try self.detector.periodicCheck(at: now)
                return .alive
            } catch {
                self.initialised = false  // re-initialise (the chip may have been reset) next time
                return .fault(error.faultReason)
            }
        }
    }

    public func serviceInterrupt(at now: MonotonicInstant) async -> [VenueInput] {
        await context.run {
            guard self.initialised else { return [] }
            do throws(DriverError) {
                switch try self.detector.handleInterrupt(at: now) {
                case let .strike(distance, energy):
                    return [.strike(LightningStrike(distance: distance, energy: energy, at: now, source: self.id))]
                case .disturber, .noiseHigh, .none:
                    return []
                }
            } catch {
                self.initialised = false
                return [.sensor(SensorReport(sensor: self.id, at: now, sample: .fault(error.faultReason)))]
            }
        }
    }
}
