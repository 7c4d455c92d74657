import Dispatch
import VenueGuardCore
import VenueGuardDrivers

/// A child's board (or a WBGT meter) on a serial port, as a push source: lines become
/// samples or counted rejections; when the board is unplugged the sensor reports it once and
/// the port is looked for again every few seconds (a timer, never a busy loop) until it
/// comes back. Everything runs on the source's own queue, so nothing the board sends can
/// stall another sensor.
public final class SerialBoardSource: PushSource, @unchecked Sendable {
    public let id: SensorID
    private let locator: SerialPortLocator
    private let baud: Int
    private let queue: DispatchQueue
    private var decoder: SerialBoardDecoder
    private var port: LinuxSerialPort?
    private var timer: DispatchSourceTimer?
    /// Whether the look-up timer is suspended: it sleeps while the port is open, so a board that
    /// is there costs no wake-ups (a suspended source must be resumed before it is cancelled).
    private var timerSuspended = false
    private var stopped = false
    private var reportedAbsent = false
    private var now: (@Sendable () -> MonotonicInstant)?
    private var deliver: (@Sendable ([VenueInput]) -> Void)?
    /// How often a missing board is looked for.
    public let retryInterval: Duration

    /// A source for `id` on the port `locator` finds, at `baud`, decoding with `decoder`.
    public init(id: SensorID, locator: SerialPortLocator, baud: Int, decoder: SerialBoardDecoder, retryInterval: Duration = .seconds(2)) {
        self.id = id
        self.locator = locator
        self.baud = baud
        self.decoder = decoder
        self.retryInterval = retryInterval
        queue = DispatchQueue(label: "venueguard.serial.\(id.rawValue)")
    }

    public func start(now: @escaping @Sendable () -> MonotonicInstant, deliver: @escaping @Sendable ([VenueInput]) -> Void) {
        queue.async { [self] in
            self.now = now
            self.deliver = deliver
            let timer = DispatchSource.makeTimerSource(queue: queue)
            let interval = Int(retryInterval.components.seconds * 1000 + retryInterval.components.attoseconds / 1_000_000_000_000_000)
            timer.schedule(deadline: .now(), repeating: .milliseconds(max(100, interval)))
            timer.setEventHandler { [weak self] in
                guard let self else { return }
                self.firingCount += 1
                self.tryOpen()
            }
            self.timer = timer
            timer.resume()
        }
    }

    private var lookupCount = 0
    private var firingCount = 0

    /// How many times the look-up timer fired, the port open or not (for tests of "no wake-ups
    /// while the board is there").
    public var lookupTimerFirings: Int { queue.sync { firingCount } }

    /// How many times the device has been looked for (a timer tick each; for tests of "no busy loop").
    public var lookups: Int { queue.sync { lookupCount } }

    /// Opens the port if it is closed and the device is present.
    private func tryOpen() {
        guard !stopped, port == nil, let deliver, let now else { return }
        lookupCount += 1
        guard let path = locator.locate() else {
            if !reportedAbsent {
                reportedAbsent = true
                deliver([.sensor(SensorReport(sensor: id, at: now(), sample: .fault(.unplugged)))])
            }
            return
        }
        do {
            port = try LinuxSerialPort(path: path, baud: baud, queue: queue, onBytes: { [weak self] bytes in
                guard let self, let now = self.now else { return }
                let inputs = self.decoder.feed(bytes, at: now())
                if !inputs.isEmpty { self.deliver?(inputs) }
            }, onClosed: { [weak self] _ in
                guard let self else { return }
                self.port = nil
                self.decoder.portOpened()
                self.reportedAbsent = true
                self.deliver?([.sensor(SensorReport(sensor: self.id, at: now(), sample: .fault(.unplugged)))])
                self.resumeLookups()
            })
            decoder.portOpened()
            reportedAbsent = false
            if let timer, !timerSuspended {
                timer.suspend()
                timerSuspended = true
            }
        } catch {
            if !reportedAbsent {
                reportedAbsent = true
                deliver([.sensor(SensorReport(sensor: id, at: now(), sample: .fault(.initialisation(error.description))))])
            }
        }
    }

    deinit {
        // Released without stop(): a suspended source must be resumed before it goes, or
        // libdispatch traps ("Release of a suspended object").
        if let timer {
            if timerSuspended { timer.resume() }
            timer.cancel()
        }
    }

    /// Looks for the device again every `retryInterval` (after the port closed, or before stopping).
    private func resumeLookups() {
        guard let timer, timerSuspended else { return }
        timerSuspended = false
        timer.resume()
    }

    /// Rejections so far, by reason (for `status`).
    public var rejections: [String: Int] {
        queue.sync { Dictionary(uniqueKeysWithValues: decoder.rejections.map { ($0.key.rawValue, $0.value) }) }
    }

    public func stop() {
        queue.sync {
            stopped = true
            resumeLookups()
            timer?.cancel()
            timer = nil
            port?.close()
            port = nil
        }
    }
}
