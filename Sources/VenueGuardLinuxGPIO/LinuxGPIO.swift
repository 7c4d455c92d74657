import CGPIOD
import Dispatch
import Glibc
import VenueGuardDrivers

/// Why a GPIO line could not be used.
public struct GPIOError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, naming the chip and line.
    public var description: String
}

/// A gpiochip opened through libgpiod 1.6, by name (`gpiochip0`), path, number or label
/// (`pinctrl-bcm2711`). Lines are requested with the consumer name `venueguard`.
public final class LinuxGPIOChip: @unchecked Sendable {
    /// The consumer name shown by `gpioinfo`.
    public static let consumer = "venueguard"
    let chip: OpaquePointer
    /// The chip's name.
    public let name: String

    /// Opens the chip described by `description`.
    public init(_ description: String) throws {
        guard let chip = gpiod_chip_open_lookup(description) else {
            throw GPIOError(description: "cannot open gpiochip '\(description)': \(String(cString: strerror(errno)))")
        }
        self.chip = chip
        name = String(cString: gpiod_chip_name(chip))
    }

    deinit {
        gpiod_chip_close(chip)
    }

    func line(_ offset: Int) throws -> OpaquePointer {
        guard let line = gpiod_chip_get_line(chip, UInt32(offset)) else {
            throw GPIOError(description: "\(name) has no line \(offset)")
        }
        return line
    }

    /// Requests line `offset` as an output, starting inactive.
    public func output(_ offset: Int, activeLow: Bool) throws -> LinuxGPIOOutput {
        let line = try line(offset)
        let flags = activeLow ? Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0
        guard gpiod_line_request_output_flags(line, Self.consumer, flags, 0) == 0 else {
            throw GPIOError(description: "cannot request \(name) line \(offset) as output: \(String(cString: strerror(errno))) (is it used by another program or an overlay?)")
        }
        return LinuxGPIOOutput(chip: self, line: line, offset: offset)
    }

    /// Requests line `offset` for rising and falling edge events, with a pull-up when asked.
    public func edges(_ offset: Int, pullUp: Bool, onEdges: @escaping @Sendable ([GPIOEdge]) -> Void) throws -> LinuxGPIOEdgeInput {
        let line = try line(offset)
        let flags = pullUp ? Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP) : 0
        guard gpiod_line_request_both_edges_events_flags(line, Self.consumer, flags) == 0 else {
            throw GPIOError(description: "cannot request \(name) line \(offset) for edge events: \(String(cString: strerror(errno)))")
        }
        return try LinuxGPIOEdgeInput(chip: self, line: line, offset: offset, onEdges: onEdges)
    }

    /// A summary of every gpiochip and its lines (name, consumer, direction), for `venueguard probe`.
    /// One line of a chip as `gpioinfo` shows it.
    public struct LineInfo: Sendable {
        /// The offset.
        public var offset: Int
        /// The line's name (e.g. `GPIO17`), if the device tree gives one.
        public var name: String?
        /// Who uses it, if anyone.
        public var consumer: String?
        /// Whether it is an output.
        public var output: Bool
    }

    /// One chip and its lines.
    public struct ChipInfo: Sendable {
        /// The chip's name (`gpiochip0`).
        public var name: String
        /// The chip's label (`pinctrl-bcm2711`).
        public var label: String
        /// Its lines.
        public var lines: [LineInfo]
    }

    public static func describeAll(devRoot: String = "/dev") -> [ChipInfo] {
        guard let directory = opendir(devRoot) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name.hasPrefix("gpiochip") { names.append(name) }
        }
        return names.sorted().compactMap { name -> ChipInfo? in
            guard let chip = gpiod_chip_open_lookup(name) else { return nil }
            defer { gpiod_chip_close(chip) }
            var lines: [LineInfo] = []
            for offset in 0..<Int(gpiod_chip_num_lines(chip)) {
                guard let line = gpiod_chip_get_line(chip, UInt32(offset)) else { continue }
                let lineName = gpiod_line_name(line).map { String(cString: $0) }
                let consumer = gpiod_line_consumer(line).map { String(cString: $0) }
                lines.append(LineInfo(offset: offset, name: lineName, consumer: consumer,
                                      output: gpiod_line_direction(line) == Int32(GPIOD_LINE_DIRECTION_OUTPUT)))
            }
            return ChipInfo(name: name, label: String(cString: gpiod_chip_label(chip)), lines: lines)
        }
    }
}

/// A requested output line.
public final class LinuxGPIOOutput: GPIOOutputLine, @unchecked Sendable {
    private let chip: LinuxGPIOChip  // keeps the chip open
    private let line: OpaquePointer
    /// The line offset.
    public let offset: Int

    init(chip: LinuxGPIOChip, line: OpaquePointer, offset: Int) {
        self.chip = chip
        self.line = line
        self.offset = offset
    }

    deinit {
        gpiod_line_release(line)
    }

    public func set(_ active: Bool) throws {
        guard gpiod_line_set_value(line, active ? 1 : 0) == 0 else {
            throw GPIOError(description: "cannot set \(chip.name) line \(offset): \(String(cString: strerror(errno)))")
        }
    }
}

/// A line requested for edge events, read from its event file descriptor when the kernel
/// says it is readable (a dispatch read source: no thread blocks waiting).
public final class LinuxGPIOEdgeInput: @unchecked Sendable {
    private let chip: LinuxGPIOChip
    private let line: OpaquePointer
    private let source: DispatchSourceRead
    /// The line offset.
    public let offset: Int

    init(chip: LinuxGPIOChip, line: OpaquePointer, offset: Int, onEdges: @escaping @Sendable ([GPIOEdge]) -> Void) throws {
        self.chip = chip
        self.line = line
        self.offset = offset
        let fd = gpiod_line_event_get_fd(line)
        guard fd >= 0 else { throw GPIOError(description: "\(chip.name) line \(offset) has no event file descriptor") }
        let queue = DispatchQueue(label: "venueguard.gpio.\(chip.name).\(offset)")
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler {
            var events = [gpiod_line_event](repeating: gpiod_line_event(), count: 16)
            let count = gpiod_line_event_read_fd_multiple(fd, &events, 16)
            guard count > 0 else { return }
            onEdges(events.prefix(Int(count)).map { event in
                GPIOEdge(rising: event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE),
                         nanoseconds: Int64(event.ts.tv_sec) * 1_000_000_000 + Int64(event.ts.tv_nsec))
            })
        }
        source.resume()
    }

    /// The line's current level (electrical: true = high).
    public func level() -> Bool? {
        let value = gpiod_line_get_value(line)
        return value < 0 ? nil : value == 1
    }

    deinit {
        source.cancel()
        gpiod_line_release(line)
    }
}
