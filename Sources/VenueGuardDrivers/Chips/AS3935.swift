import VenueGuardCore

/// ams AS3935 Franklin lightning sensor on I2C (0x01–0x03, 0x03 on most breakout boards),
/// with its IRQ pin on a GPIO line. After each rising IRQ edge the interrupt register says
/// why: lightning (distance estimate and energy), a disturber, or noise too high. Noise
/// raises the noise floor and many disturbers mask them, automatically; after a quiet
/// period both are undone a step at a time.
public final class AS3935 {
    /// The addresses the chip can have.
    public static let addresses: [UInt8] = [0x01, 0x02, 0x03]

    /// Where the antenna is: sets the analog front-end gain.
    public enum Environment: String, Sendable, CaseIterable {
        /// AFE gain 0x12.
        case indoor
        /// AFE gain 0x0E.
        case outdoor

        var gain: UInt8 { self == .indoor ? 0x12 : 0x0E }
    }

    /// The detector's settings.
    public struct Settings: Hashable, Sendable {
        /// Indoor or outdoor gain.
        public var environment: Environment = .outdoor
        /// The lowest noise floor level (0–7, chip default 2); raised automatically on noise.
        public var noiseFloor: UInt8 = 2
        /// Strikes needed in 15 minutes before the first is reported: 1, 5, 9 or 16.
        public var minimumStrikes: Int = 1
        /// Disturbers within `disturberWindow` before disturbers are masked.
        public var disturbersToMask: Int = 10
        /// The window for counting disturbers.
        public var disturberWindow: Duration = .seconds(600)
        /// Time without noise or disturbers before the floor is lowered a step and disturbers unmasked.
        public var quietPeriod: Duration = .seconds(1800)
        /// Creates the chip defaults with outdoor gain.
        public init() {}
    }

    /// What an interrupt meant.
    public enum Event: Hashable, Sendable {
        /// A strike, with the distance estimate to the storm front and the relative energy.
        case strike(LightningStrike.Distance, energy: Int)
        /// A man-made disturber (counted; masked when many come).
        case disturber(masked: Bool)
        /// Noise too high: the floor was raised to the given level.
        case noiseHigh(floor: UInt8)
        /// Nothing pending (a spurious edge).
        case none
    }

    static let regAFE: UInt8 = 0x00, regNoise: UInt8 = 0x01, regStatistics: UInt8 = 0x02, regInterrupt: UInt8 = 0x03
    static let regEnergy: UInt8 = 0x04, regDistance: UInt8 = 0x07, regPresetDefault: UInt8 = 0x3C, regCalibrateRCO: UInt8 = 0x3D
    static let directCommand: UInt8 = 0x96

    /// The distances (km) the chip reports, by register value; 0x01 is "storm overhead", 0x3F "out of range".
    public static let distances: [UInt8: Double] = [0x28: 40, 0x25: 37, 0x22: 34, 0x1F: 31, 0x1B: 27, 0x18: 24, 0x14: 20,
                                                     0x11: 17, 0x0E: 14, 0x0C: 12, 0x0A: 10, 0x08: 8, 0x06: 6, 0x05: 5]

    private let device: I2CDevice
    private let delay: Delay
    /// The settings.
    public let settings: Settings
    /// The noise floor level in force.
    public private(set) var noiseFloor: UInt8
    /// Whether disturbers are masked.
    public private(set) var disturbersMasked = false
    private var recentDisturbers: [MonotonicInstant] = []
    private var lastNoisy: MonotonicInstant?
    /// Interrupts seen, by kind.
    public private(set) var counts: [String: Int] = [:]

    /// A driver for the chip at `device`.
    public init(device: I2CDevice, delay: Delay, settings: Settings) {
        self.device = device
        self.delay = delay
        self.settings = settings
        self.noiseFloor = min(settings.noiseFloor, 7)
    }

    /// The MIN_NUM_LIGH bits for a minimum strike count.
    static func minimumStrikeBits(_ count: Int) -> UInt8 {
        switch count {
        case ...1: 0
        case 2...5: 1
        case 6...9: 2
        default: 3
        }
    }

    /// The distance a DISTANCE register value means.
    public static func distance(register value: UInt8) -> LightningStrike.Distance? {
        let bits = value & 0x3F
        if bits == 0x3F { return .outOfRange }
        if bits == 0x01 { return .overhead }
        return distances[bits].map { .kilometres($0) }
    }

    /// Restores the chip's defaults, calibrates its oscillators and applies the settings.
    public func initialise() throws(DriverError) {
        try DriverError.catching {
            try device.writeRegister(Self.regPresetDefault, Self.directCommand)
            delay.wait(.milliseconds(2))
            try device.writeRegister(Self.regCalibrateRCO, Self.directCommand)
            delay.wait(.milliseconds(2))
            noiseFloor = min(settings.noiseFloor, 7)
            disturbersMasked = false
            try writeConfiguration()
        }
        try verify()
    }

    private func writeConfiguration() throws(I2CError) {
        try device.writeRegister(Self.regAFE, settings.environment.gain << 1)  // PWD = 0: powered
        try device.writeRegister(Self.regNoise, noiseFloor << 4 | 0x02)       // watchdog threshold: default 2
        let statistics = try device.readRegister(Self.regStatistics)
        try device.writeRegister(Self.regStatistics, statistics & 0b1100_1111 | Self.minimumStrikeBits(settings.minimumStrikes) << 4)
        let interrupt = try device.readRegister(Self.regInterrupt)
        try device.writeRegister(Self.regInterrupt, disturbersMasked ? interrupt | 0x20 : interrupt & ~0x20)
    }

    /// Checks the chip still holds the settings (a brown-out resets it); throws when it does not answer or differs.
    public func verify() throws(DriverError) {
        try DriverError.catching {
            let afe = try device.readRegister(Self.regAFE)
            let noise = try device.readRegister(Self.regNoise)
            guard afe == settings.environment.gain << 1, noise >> 4 & 0x07 == noiseFloor else {
                throw DriverError.invalidData("settings lost (AFE 0x\(String(afe, radix: 16)), noise floor \(noise >> 4 & 0x07)): the chip was reset")
            }
        }
    }

    /// Reads the interrupt source after an IRQ edge at `now` and handles it.
    public func handleInterrupt(at now: MonotonicInstant) throws(DriverError) -> Event {
        delay.wait(.milliseconds(2))  // the datasheet's wait before reading INT
        return try DriverError.catching { () throws -> Event in
            let source = try device.readRegister(Self.regInterrupt) & 0x0F
            switch source {
            case 0x08:
                counts["lightning", default: 0] += 1
                let energyBytes = try device.readRegisters(Self.regEnergy, count: 3)
                let energy = Int(energyBytes[0]) | Int(energyBytes[1]) << 8 | Int(energyBytes[2] & 0x1F) << 16
                let raw = try device.readRegister(Self.regDistance)
                guard let distance = Self.distance(register: raw) else {
                    throw DriverError.invalidData("distance register 0x\(String(raw & 0x3F, radix: 16)) is not a value the chip reports")
                }
                return .strike(distance, energy: energy)
            case 0x04:
                counts["disturber", default: 0] += 1
                recentDisturbers.append(now)
                recentDisturbers.removeAll { now - $0 > settings.disturberWindow }
                lastNoisy = now
                if !disturbersMasked && recentDisturbers.count >= settings.disturbersToMask {
                    disturbersMasked = true
                    let interrupt = try device.readRegister(Self.regInterrupt)
                    try device.writeRegister(Self.regInterrupt, interrupt | 0x20)
                }
                return .disturber(masked: disturbersMasked)
            case 0x01:
                counts["noise", default: 0] += 1
                lastNoisy = now
                if noiseFloor < 7 {
                    noiseFloor += 1
                    let noise = try device.readRegister(Self.regNoise)
                    try device.writeRegister(Self.regNoise, noise & 0x8F | noiseFloor << 4)
                }
                return .noiseHigh(floor: noiseFloor)
            default:
                counts["none", default: 0] += 1
                return .none
            }
        }
    }

    /// The periodic check: verifies the settings and, after a quiet period, lowers the noise
    /// floor a step (not below the configured one) and unmasks disturbers.
    public func periodicCheck(at now: MonotonicInstant) throws(DriverError) {
        try verify()
        let quietSince = lastNoisy ?? .origin
        guard now - quietSince >= settings.quietPeriod else { return }
        try DriverError.catching {
            if noiseFloor > settings.noiseFloor {
                noiseFloor -= 1
                let noise = try device.readRegister(Self.regNoise)
                try device.writeRegister(Self.regNoise, noise & 0x8F | noiseFloor << 4)
                lastNoisy = now  // one step per quiet period
            }
            if disturbersMasked {
                disturbersMasked = false
                recentDisturbers = []
                let interrupt = try device.readRegister(Self.regInterrupt)
                try device.writeRegister(Self.regInterrupt, interrupt & ~0x20)
                lastNoisy = now
            }
        }
    }
}
