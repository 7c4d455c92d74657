import Foundation
import Glibc
import Synchronization

/// Single key presses from the terminal on standard input, for the panel's "[a] acknowledge":
/// the terminal is put in non-canonical, no-echo mode (Ctrl-C still interrupts: `ISIG` is kept)
/// and read on a thread of its own, never on the cooperative pool; `stop()` puts the terminal
/// back as it was. Source: termios(3), poll(2).
public final class TerminalKeys: @unchecked Sendable {
    private var saved = termios()
    private let stopping = Mutex(false)
    private var thread: Thread?

    private init() {}

    /// Starts reading keys when standard input is a terminal (else `nil`); `handler` gets each byte.
    public static func start(_ handler: @escaping @Sendable (UInt8) -> Void) -> TerminalKeys? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        let keys = TerminalKeys()
        guard tcgetattr(STDIN_FILENO, &keys.saved) == 0 else { return nil }
        var raw = keys.saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0 else { return nil }
        let thread = Thread { [keys] in
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            while !keys.stopping.withLock({ $0 }) {
                // A short poll, so stop() is noticed within 0.2 s.
                guard poll(&descriptor, 1, 200) > 0 else { continue }
                var byte: UInt8 = 0
                guard read(STDIN_FILENO, &byte, 1) == 1 else { break }
                handler(byte)
            }
        }
        thread.name = "terminal keys"
        keys.thread = thread
        thread.start()
        return keys
    }

    /// Stops reading and puts the terminal back.
    public func stop() {
        let first = stopping.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &saved)
    }

    deinit { stop() }
}
