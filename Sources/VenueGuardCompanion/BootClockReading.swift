import VenueGuardLinuxSystem

/// One reading of the machine's boot clock: the kernel's id of this boot and CLOCK_BOOTTIME in
/// nanoseconds. The daemon stamps its state file with one (`boot_id`, `boottime_ns`), so a
/// reader on the same machine judges the file's age on a clock that NTP, a board without a
/// real-time clock or `date -s` never steps; the wall clock alone could make a file left by a
/// hung daemon look new after a backward step.
public struct BootClockReading: Sendable, Equatable {
    /// `/proc/sys/kernel/random/boot_id`.
    public var id: String
    /// CLOCK_BOOTTIME, nanoseconds since the boot.
    public var nanoseconds: Int64

    /// A reading of boot `id` at `nanoseconds`.
    public init(id: String, nanoseconds: Int64) {
        self.id = id
        self.nanoseconds = nanoseconds
    }

    /// This machine's boot clock now; `nil` where the kernel gives no boot id.
    public static func now() -> BootClockReading? {
        SystemClock.bootID.map { BootClockReading(id: $0, nanoseconds: SystemClock.bootTimeNanoseconds) }
    }
}
