import CI2C
import Glibc
import VenueGuardDrivers

/// An I2C bus through the kernel's i2c-dev interface (`/dev/i2c-N`): combined
/// write-then-read transfers with `I2C_RDWR`, a bus timeout, and errno mapped to NACK,
/// timeout or bus errors. An adapter that speaks only SMBus (no `I2C_FUNC_I2C`, such as
/// `i2c-stub` or some SoC controllers) is driven through libi2c's SMBus calls instead: register
/// reads and writes, which is all the SMBus-style chips (BME280, AS3935, ADS1115) need; the
/// command-style chips (SHT3x, SHT4x, AHT20) need plain I2C and get a clear bus error there.
/// All transfers of a bus run on its I/O context.
public final class LinuxI2CBus: @unchecked Sendable {
    /// The bus number.
    public let number: Int
    /// The device path.
    public let path: String
    /// Where this bus's transfers run.
    public let context: DispatchIOContext
    private let descriptor: Int32
    /// What the adapter can do (`I2C_FUNCS`).
    public let functions: UInt
    /// The address `I2C_SLAVE` last selected (SMBus transfers only).
    private var selected: UInt8?

    /// Whether the adapter takes plain I2C messages (`I2C_RDWR`); otherwise only SMBus.
    public var speaksPlainI2C: Bool { functions & UInt(I2C_FUNC_I2C) != 0 }

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
        var functions: UInt = 0
        // A kernel too old to answer is assumed to speak plain I2C, as every Raspberry Pi adapter does.
        self.functions = venueguard_i2c_functions(descriptor, &functions) == 0 ? functions : UInt(I2C_FUNC_I2C)
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
        speaksPlainI2C ? try plainTransfer(address: address, write: write, readCount: readCount)
            : try smbusTransfer(address: address, write: write, readCount: readCount)
    }

    private func plainTransfer(address: UInt8, write: [UInt8], readCount: Int) throws(I2CError) -> [UInt8] {
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
        if result < 0 { throw Self.error(errno) }
        return input
    }

    private static func error(_ code: Int32) -> I2CError {
        switch code {
        case ENXIO, EREMOTEIO, EIO: .noAcknowledge
        case ETIMEDOUT: .timeout
        default: .bus(String(cString: strerror(code)))
        }
    }

    /// The same exchange as SMBus transactions: a register read is "read byte data" or "read
    /// I2C block data" (32 bytes at most per transaction), a register write "write byte data"
    /// or "write I2C block data", a lone command byte "write byte", a lone read "read byte".
    private func smbusTransfer(address: UInt8, write: [UInt8], readCount: Int) throws(I2CError) -> [UInt8] {
        if selected != address {
            guard venueguard_i2c_set_slave(descriptor, UInt(address)) == 0 else { throw Self.error(errno) }
            selected = address
        }
        func check(_ result: Int32) throws(I2CError) -> Int32 {
            if result < 0 { throw Self.error(errno) }
            return result
        }
        switch (write.count, readCount) {
        case (0, 0):
            return []
        case (0, 1):
            return [UInt8(truncatingIfNeeded: try check(i2c_smbus_read_byte(descriptor)))]
        case (1, 0):
            _ = try check(i2c_smbus_write_byte(descriptor, write[0]))
            return []
        case (2, 0):
            _ = try check(i2c_smbus_write_byte_data(descriptor, write[0], write[1]))
            return []
        case (3...33, 0):
            var data = Array(write.dropFirst())
            _ = try check(i2c_smbus_write_i2c_block_data(descriptor, write[0], UInt8(data.count), &data))
            return []
        case (1, 1):
            return [UInt8(truncatingIfNeeded: try check(i2c_smbus_read_byte_data(descriptor, write[0])))]
        case (1, 2...):
            var result: [UInt8] = []
            var register = write[0]
            let blocks = functions & UInt(I2C_FUNC_SMBUS_READ_I2C_BLOCK) != 0
            while result.count < readCount {
                if blocks {
                    var chunk = [UInt8](repeating: 0, count: min(32, readCount - result.count))
                    let got = try check(i2c_smbus_read_i2c_block_data(descriptor, register, UInt8(chunk.count), &chunk))
                    guard got == chunk.count else { throw .bus("short SMBus block read (\(got) of \(chunk.count) bytes)") }
                    result += chunk
                    register &+= UInt8(chunk.count)
                } else {
                    result.append(UInt8(truncatingIfNeeded: try check(i2c_smbus_read_byte_data(descriptor, register))))
                    register &+= 1
                }
            }
            return result
        default:
            throw .bus("\(path) speaks SMBus only: this chip needs plain I2C transfers (a \(write.count)-byte command, then \(readCount) bytes read)")
        }
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
