/// Which end of a chip's output range a value sits on.
public enum LimitSide: String, Hashable, Sendable {
    /// The lowest value the chip (or its compensation formula) can give.
    case floor
    /// The highest.
    case ceiling
}

/// Particulars of one sample that only its source knows: values that sit on (or were cropped
/// to) the chip's clamp, the resolution the chip was set to, and remarks about the device.
public struct SampleDetails: Hashable, Sendable {
    /// Quantities whose value sits exactly on the chip's clamp, or was cropped to it (a BME280's
    /// humidity compensation floors at 0 %; Sensirion asks for 0…100 % cropping). Such a value
    /// is a bound, not a measurement.
    public var atLimit: [Quantity: LimitSide]
    /// The step between consecutive values of a quantity, in its canonical unit, where the
    /// source knows it (a 9-bit DS18B20: 0.5 °C). A coarse sensor repeats itself in a steady
    /// room, so identical data is no sign of a stuck one.
    public var resolution: [Quantity: Double]
    /// Remarks for the sensor's details ("non-Maxim DS18B20 …").
    public var notes: [String]

    /// Creates details; everything defaults to empty.
    public init(atLimit: [Quantity: LimitSide] = [:], resolution: [Quantity: Double] = [:], notes: [String] = []) {
        self.atLimit = atLimit
        self.resolution = resolution
        self.notes = notes
    }

    /// No particulars.
    public static let none = SampleDetails()
}

/// Why the latest value of one quantity is not taken as a measurement.
public struct Suspicion: Hashable, Sendable, CustomStringConvertible {
    /// The clamp it sits on.
    public var side: LimitSide
    /// The value.
    public var value: Double
    /// How many consecutive readings have sat there.
    public var readings: Int
    /// Whether the value may still be used: a clamp on the hot side of the heat stress (100 %
    /// humidity) bounds the truth from above, so using it errs hot; one on the cold side (0 %)
    /// would err cold and is never used.
    public var usableAsBound: Bool
    /// The quantity.
    public var quantity: Quantity

    public var description: String {
        let what = "\(quantity.label) \(NumberText.format(value)) \(quantity.unit.rawValue) sits on the sensor's \(side.rawValue)"
        return usableAsBound
            ? "\(what) (\(readings) reading\(readings == 1 ? "" : "s")): used as an upper bound, which errs hot; check the sensor"
            : "\(what): not a measurement (a failed element reads so), not used"
    }
}
