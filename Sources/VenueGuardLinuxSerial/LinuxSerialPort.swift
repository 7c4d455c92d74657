import Dispatch
import Glibc

/// Why a serial port could not be opened.
public struct SerialPortError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// A serial port in raw mode (8N1, no flow control, `O_NOCTTY`), opened for this process
/// alone (`TIOCEXCL` and an exclusive lock). Bytes are read when the kernel says the port is
/// readable (a dispatch read source, no thread per port); a hang-up or I/O error (the board
/// was unplugged) closes it and reports once.
public final class LinuxSerialPort: @unchecked Sendable {
    /// The device path.
    public let path: String
    private let descriptor: Int32
    private let source: DispatchSourceRead
    private var closed = false

    /// The speeds a port can be set to.
    public static let speeds: [Int: speed_t] = [1200: speed_t(B1200), 2400: speed_t(B2400), 4800: speed_t(B4800), 9600: speed_t(B9600),
                                                19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600),
                                                115200: speed_t(B115200), 230400: speed_t(B230400), 460800: speed_t(B460800)]

    /// Opens `path` at `baud` and starts reading on `queue`: `onBytes` for data, `onClosed`
    /// once when the port goes away (with why).
    public init(path: String, baud: Int, queue: DispatchQueue, onBytes: @escaping @Sendable ([UInt8]) -> Void,
                onClosed: @escaping @Sendable (String) -> Void) throws(SerialPortError) {
        self.path = path
        guard let speed = Self.speeds[baud] else { throw SerialPortError(description: "\(baud) is not a supported baud rate") }
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw SerialPortError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        // This process alone: other opens fail with EBUSY, a second VenueGuard with EWOULDBLOCK.
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            Glibc.close(fd)
            throw SerialPortError(description: "\(path) is in use by another program")
        }
        _ = ioctl(fd, UInt(TIOCEXCL))
        var options = termios()
        guard tcgetattr(fd, &options) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw SerialPortError(description: "\(path) is not a serial port: \(reason)")
        }
        cfmakeraw(&options)
        options.c_cflag |= tcflag_t(CLOCAL | CREAD)
        options.c_cflag &= ~(tcflag_t(CSTOPB) | tcflag_t(PARENB) | tcflag_t(CRTSCTS))
        options.c_cflag = (options.c_cflag & ~tcflag_t(CSIZE)) | tcflag_t(CS8)
        withUnsafeMutablePointer(to: &options.c_cc) { pointer in
            pointer.withMemoryRebound(to: cc_t.self, capacity: Int(NCCS)) { cc in
                // VMIN 1 with O_NONBLOCK: "no data" is EAGAIN, so a read of 0 bytes really is a hang-up.
                cc[Int(VMIN)] = 1
                cc[Int(VTIME)] = 0
            }
        }
        cfsetispeed(&options, speed)
        cfsetospeed(&options, speed)
        guard tcsetattr(fd, TCSANOW, &options) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw SerialPortError(description: "cannot configure \(path): \(reason)")
        }
        tcflush(fd, TCIFLUSH)  // whatever the board sent before we listened is stale
        descriptor = fd
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        var buffer = [UInt8](repeating: 0, count: 512)
        source.setEventHandler { [weak self] in
            guard let self, !self.closed else { return }
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    onBytes(Array(buffer[0..<count]))
                    if count < buffer.count { return }
                    continue
                }
                if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
                // 0 bytes on a readable port is a hang-up; EIO/ENODEV an unplugged USB device.
                let reason = count == 0 ? "hung up" : String(cString: strerror(errno))
                self.close()
                onClosed(reason)
                return
            }
        }
        source.setCancelHandler { Glibc.close(fd) }
        source.resume()
    }

    /// Stops reading and closes the port (once).
    public func close() {
        guard !closed else { return }
        closed = true
        source.cancel()
    }

    deinit {
        close()
    }
}
