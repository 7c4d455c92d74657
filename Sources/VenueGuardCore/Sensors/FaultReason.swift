/// Why a sensor is faulted. Faults are normal events: each is counted and makes the
/// quantities the sensor provides unavailable until good readings return.
public enum FaultReason: Hashable, Sendable, CustomStringConvertible {
    /// The device did not answer (I2C NACK, no 1-Wire device, serial port absent).
    case noResponse
    /// The device answered too late.
    case timeout
    /// A checksum did not match the data.
    case crcMismatch
    /// A value outside the quantity's plausible range.
    case implausible(Quantity, Double)
    /// A change faster than physically possible.
    case implausibleJump(Quantity, from: Double, to: Double)
    /// Identical raw data for at least the stuck time (the configured `stuck_after`).
    case stuck(Duration)
    /// The device was unplugged.
    case unplugged
    /// The device is not the chip the configuration says, or could not be set up.
    case initialisation(String)
    /// A value that is the chip's power-on default, not a measurement (e.g. DS18B20 85 °C).
    case powerOnValue(Double)
    /// Anything else, described.
    case other(String)

    /// A stable machine name for counters and JSON (`no-response`, `crc`, `stuck`, …).
    public var code: String {
        switch self {
        case .noResponse: "no-response"
        case .timeout: "timeout"
        case .crcMismatch: "crc"
        case .implausible: "implausible"
        case .implausibleJump: "implausible-jump"
        case .stuck: "stuck"
        case .unplugged: "unplugged"
        case .initialisation: "initialisation"
        case .powerOnValue: "power-on-value"
        case .other: "other"
        }
    }

    public var description: String {
        switch self {
        case .noResponse: "no response"
        case .timeout: "timeout"
        case .crcMismatch: "CRC mismatch"
        case let .implausible(q, v): "implausible \(q.label) \(NumberText.format(v)) \(q.unit.rawValue)"
        case let .implausibleJump(q, from, to): "implausible \(q.label) jump \(NumberText.format(from)) → \(NumberText.format(to)) \(q.unit.rawValue)"
        case let .stuck(d): "stuck value (identical raw data for \(DurationText.format(d)) or more)"
        case .unplugged: "unplugged"
        case let .initialisation(why): "initialisation failed: \(why)"
        case let .powerOnValue(v): "power-on value \(NumberText.format(v)) (not a measurement)"
        case let .other(why): why
        }
    }
}
