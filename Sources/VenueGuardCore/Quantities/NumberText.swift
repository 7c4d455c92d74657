/// Formats numbers for messages and configuration output: at most two decimals, no
/// trailing zeros, no exponent (`28`, `27.5`, `0.13`).
public enum NumberText {
    /// `value` rounded to two decimals and written without trailing zeros.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
        return String(rounded)
    }
}
