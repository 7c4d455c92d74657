import CI2C
import Glibc
import VenueGuardDrivers

/// An I2C bus through the kernel's i2c-dev interface (`/dev/i2c-N`): combined
/// write-then-read transfers with `I2C_RDWR`, a bus timeout, and errno mapped to NACK,
/// timeout or bus errors. All transfers of a bus run on its I/O context.
public final class LinuxI2CBus: @unchecked Sendable {
    /// The bus number.
    public let number: Int
    /// The device path.
    public let path: String
    /// Where this bus's transfers run.
    public let context: DispatchIOContext
    private let descriptor: Int32

    /// Opens `/dev/i2c-<number>` (or `path`).
    public init(number: Int, path: String? = nil) throws(I2CError) {
        self.number = number
        self.path = path ?? "/dev/i2c-\(number)"
        descriptor = open(self.path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw .bus("cannot open \(self.path): \(reason)\(errno == ENOENT ? " (enable I2C: dtparam=i2c_arm=on)" : "")")
        }
        _ = venueguard_i2c_set_timeout(descriptor, 10)  // 100 ms: a stretched clock longer than this is a hung chip
        _ = venueguard_i2c_set_retries(descriptor, 1)
        context = DispatchIOContext(label: "i2c-\(number)")
    }

    deinit {
        close(descriptor)
    }

    /// The device at a 7-bit address.
    public func device(at address: UInt8) -> I2CDevice {
        Device(bus: self, address: address)
    }

    /// Addresses 0x03–0x77 that answer a one-byte read (the read-only probe of `i2cdetect -r`:
    /// no write reaches any device).
    public func scan() -> [UInt8] {
        (0x03...0x77).compactMap { address -> UInt8? in
            (try? transfer(address: UInt8(address), write: [], readCount: 1)) != nil ? UInt8(address) : nil
        }
    }

    /// One transfer: an optional write, then an optional read after a repeated start.
    func transfer(address: UInt8, write: [UInt8], readCount: Int) throws(I2CError) -> [UInt8] {
        var output = write
        var input = [UInt8](repeating: 0, count: readCount)
        let result: Int32 = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeMutableBufferPointer { inp in
                var messages: [i2c_msg] = []
                if !out.isEmpty {
                    messages.append(i2c_msg(addr: UInt16(address), flags: 0, len: UInt16(out.count), buf: out.baseAddress))
                }
                if !inp.isEmpty {
                    messages.append(i2c_msg(addr: UInt16(address), flags: UInt16(I2C_M_RD), len: UInt16(inp.count), buf: inp.baseAddress))
                }
                return messages.withUnsafeMutableBufferPointer { msgs in
                    var data = i2c_rdwr_ioctl_data(msgs: msgs.baseAddress, nmsgs: UInt32(msgs.count))
                    return venueguard_i2c_rdwr(descriptor, &data)
                }
            }
        }
        if result < 0 {
            switch errno {
            case ENXIO, EREMOTEIO, EIO: throw .noAcknowledge
            case ETIMEDOUT: throw .timeout
            default: throw .bus(String(cString: strerror(errno)))
            }
        }
        return input
    }

    private final class Device: I2CDevice {
        let bus: LinuxI2CBus
        let address: UInt8
        init(bus: LinuxI2CBus, address: UInt8) {
            self.bus = bus
            self.address = address
        }
        func write(_ bytes: [UInt8]) throws(I2CError) { _ = try bus.transfer(address: address, write: bytes, readCount: 0) }
        func read(count: Int) throws(I2CError) -> [UInt8] { try bus.transfer(address: address, write: [], readCount: count) }
        func writeRead(_ bytes: [UInt8], count: Int) throws(I2CError) -> [UInt8] {
            try bus.transfer(address: address, write: bytes, readCount: count)
        }
    }

    /// The numbers of the I2C buses present (`/dev/i2c-*`).
    public static func available(devRoot: String = "/dev") -> [Int] {
        guard let directory = opendir(devRoot) else { return [] }
        defer { closedir(directory) }
        var numbers: [Int] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name.hasPrefix("i2c-"), let n = Int(name.dropFirst(4)) { numbers.append(n) }
        }
        return numbers.sorted()
    }
}
