/// Why an I2C transfer failed.
public enum I2CError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nobody acknowledged the address or a byte (the device is absent, unpowered or hung).
    case noAcknowledge
    /// The transfer did not finish in time (clock stretched too long, bus stuck).
    case timeout
    /// The bus itself failed (arbitration lost, bus device missing), with the system's reason.
    case bus(String)

    public var description: String {
        switch self {
        case .noAcknowledge: "no acknowledge (device absent or hung)"
        case .timeout: "timeout"
        case let .bus(why): "bus error: \(why)"
        }
    }
}

/// One device on an I2C bus, at a 7-bit address. Calls block for the transfer's duration
/// and are made from one context at a time (the bus's I/O queue).
public protocol I2CDevice: AnyObject {
    /// The 7-bit address.
    var address: UInt8 { get }
    /// Writes `bytes` in one transfer.
    func write(_ bytes: [UInt8]) throws(I2CError)
    /// Reads `count` bytes in one transfer.
    func read(count: Int) throws(I2CError) -> [UInt8]
    /// Writes `bytes`, then reads `count` bytes after a repeated start (a register read).
    func writeRead(_ bytes: [UInt8], count: Int) throws(I2CError) -> [UInt8]
}

extension I2CDevice {
    /// Reads `count` bytes starting at register `register` (write the pointer, then read).
    public func readRegisters(_ register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        try writeRead([register], count: count)
    }

    /// Reads one register.
    public func readRegister(_ register: UInt8) throws(I2CError) -> UInt8 {
        let bytes = try writeRead([register], count: 1)
        guard let first = bytes.first else { throw I2CError.bus("short read") }
        return first
    }

    /// Writes one register.
    public func writeRegister(_ register: UInt8, _ value: UInt8) throws(I2CError) {
        try write([register, value])
    }
}

/// Waits between a command and its result (conversion times). Real hardware sleeps; the
/// simulation returns at once, so a six-hour scenario runs in seconds.
public protocol Delay: Sendable {
    /// Waits `duration`.
    func wait(_ duration: Duration)
}

/// A delay that does not wait: for simulated chips, which answer at once.
public struct NoDelay: Delay {
    /// Creates the delay.
    public init() {}
    public func wait(_ duration: Duration) {}
}
