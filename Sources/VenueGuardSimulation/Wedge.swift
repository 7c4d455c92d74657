import Glibc

/// A simulated read that never returns, for the `wedged` fault: the calling thread blocks as
/// it would in a stuck ioctl, so the daemon's watchdog is what must notice.
public enum Wedge {
    /// Blocks the calling thread for good.
    public static func block() -> Never {
        while true { sleep(3600) }
    }
}
