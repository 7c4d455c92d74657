/// Why a WBGT estimate could not be made.
public enum WBGTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The method needs quantities that are not present (fresh and healthy).
    case missingInputs(WBGTMethod, [String])
    /// The method does not apply to this area (e.g. the indoor chart outdoors).
    case notApplicable(WBGTMethod, String)
    /// An input is physically impossible.
    case implausible(Quantity, Double)
    /// An input is outside the range in which the method is valid.
    case outsideValidity(WBGTMethod, String)
    /// A parameter (globe diameter, …) is impossible.
    case invalidParameter(String)
    /// Just started: these sensors have not given their first reading yet (and still have time to).
    case startingUp(awaiting: [SensorID])

    public var description: String {
        switch self {
        case let .missingInputs(method, missing):
            "\(method.rawValue) needs \(missing.joined(separator: ", "))"
        case let .notApplicable(method, why):
            "\(method.rawValue) does not apply: \(why)"
        case let .implausible(quantity, value):
            "\(quantity.label) \(NumberText.format(value)) \(quantity.unit.rawValue) is impossible (plausible: \(NumberText.format(quantity.plausibleRange.lowerBound))…\(NumberText.format(quantity.plausibleRange.upperBound)) \(quantity.unit.rawValue))"
        case let .outsideValidity(method, what):
            "\(method.rawValue) is not valid here: \(what)"
        case let .invalidParameter(what):
            what
        case let .startingUp(awaiting):
            "starting up: waiting for the first reading from \(awaiting.map(\.description).joined(separator: ", "))"
        }
    }
}
