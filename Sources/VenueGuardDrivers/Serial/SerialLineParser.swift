import VenueGuardCore

/// Turns one line from a board into values, or says why it cannot. Children's code prints
/// debug text, half lines at plug-in, `nan`, binary noise at the wrong baud: every such line
/// is a rejection with a reason, never a crash.
public struct SerialLineParser: Sendable {
    /// Why a line was rejected (also the counter's name).
    public enum Rejection: String, Error, Hashable, Sendable, CaseIterable {
        /// Longer than the line limit.
        case overlong
        /// Not text: control characters or invalid UTF-8 (often a wrong baud rate).
        case binary
        /// The first line after the port opened (it may have started mid-line).
        case partial
        /// Empty or only spaces.
        case empty
        /// No format understood it (debug text).
        case unparsable
        /// It parsed, but no key is one the configuration maps.
        case unknownKey = "unknown-key"
        /// A mapped key's value is not a number.
        case notANumber = "not-a-number"
        /// A mapped key's value is NaN or infinite.
        case nan
    }

    /// The format.
    public let format: SerialLineFormat
    /// The keys, by their name on the board (compared case-insensitively).
    public let keys: [String: SerialKeyMapping]

    /// A parser for `format` mapping `keys`.
    public init(format: SerialLineFormat, keys: [String: SerialKeyMapping]) {
        self.format = format
        self.keys = Dictionary(keys.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The keys a child's board most likely uses, for configurations that give none.
    public static let defaultKeys: [String: SerialKeyMapping] = [
        "temp": .init(quantity: .airTemperature), "temperature": .init(quantity: .airTemperature), "t": .init(quantity: .airTemperature),
        "hum": .init(quantity: .relativeHumidity), "humidity": .init(quantity: .relativeHumidity), "h": .init(quantity: .relativeHumidity),
        "rh": .init(quantity: .relativeHumidity), "wbgt": .init(quantity: .wbgt), "globe": .init(quantity: .globeTemperature),
        "tg": .init(quantity: .globeTemperature),
    ]

    /// The values of `line` in canonical units, or the reason it is rejected.
    public func parse(_ line: [UInt8]) -> Result<[Quantity: Double], Rejection> {
        guard let text = Self.text(line) else { return .failure(.binary) }
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return .failure(.empty) }
        let pairs: [(String, String)]
        switch format {
        case .makecode: pairs = Self.makecode(trimmed) ?? []
        case .keyValue: pairs = Self.keyValue(trimmed) ?? []
        case .json: pairs = Self.json(trimmed) ?? []
        case let .csv(columns): pairs = Self.csv(trimmed, columns: columns) ?? []
        case let .auto(columns):
            pairs = Self.json(trimmed) ?? Self.keyValue(trimmed) ?? Self.makecode(trimmed)
                ?? columns.flatMap { Self.csv(trimmed, columns: $0) } ?? []
        }
        guard !pairs.isEmpty else { return .failure(.unparsable) }
        var values: [Quantity: Double] = [:]
        var sawKnownKey = false
        for (key, rawValue) in pairs {
            guard let mapping = keys[key.lowercased()] else { continue }
            sawKnownKey = true
            let number = rawValue.trimmingWhitespace()
            guard let value = Double(number) else {
                let lower = number.lowercased()
                if ["nan", "-nan", "inf", "-inf", "+inf", "infinity", "-infinity"].contains(lower) { return .failure(.nan) }
                return .failure(.notANumber)
            }
            guard value.isFinite else { return .failure(.nan) }
            values[mapping.quantity] = mapping.convert(value)
        }
        guard sawKnownKey else { return .failure(.unknownKey) }
        return .success(values)
    }

    /// The line as text if it is printable UTF-8 (tabs allowed), else `nil`.
    static func text(_ bytes: [UInt8]) -> String? {
        for byte in bytes where byte < 0x20 && byte != 0x09 || byte == 0x7F { return nil }
        var decoded = ""
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar): decoded.unicodeScalars.append(scalar)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        return decoded
    }

    /// `name:value` (one pair; MakeCode writes one per line).
    static func makecode(_ text: String) -> [(String, String)]? {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let key = String(parts[0]).trimmingWhitespace()
        guard isKey(key) else { return nil }
        return [(key, String(parts[1]))]
    }

    /// `k=v` pairs separated by commas, semicolons or spaces.
    static func keyValue(_ text: String) -> [(String, String)]? {
        guard text.contains("=") else { return nil }
        var pairs: [(String, String)] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" || $0 == "\t" }) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            let key = String(parts[0])
            guard isKey(key) else { return nil }
            pairs.append((key, String(parts[1])))
        }
        return pairs.isEmpty ? nil : pairs
    }

    /// Comma-separated values against the configured columns (the counts must match).
    static func csv(_ text: String, columns: [String]) -> [(String, String)]? {
        let cells = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard cells.count == columns.count, !columns.isEmpty else { return nil }
        return Array(zip(columns, cells))
    }

    /// A flat JSON object of numbers (strings and nulls are kept for the number check).
    static func json(_ text: String) -> [(String, String)]? {
        var scanner = FlatJSONScanner(text)
        return scanner.object()
    }

    static func isKey(_ key: String) -> Bool {
        !key.isEmpty && key.count <= 32
            && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "." }
    }
}

/// A small scanner for a one-level JSON object of scalar values: `{"temp":24.5,"hum":61}`.
/// Nested objects and arrays are refused; it never recurses, so hostile input cannot
/// exhaust the stack.
struct FlatJSONScanner {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    private mutating func skipSpace() {
        while index < scalars.count, [" ", "\t"].contains(scalars[index]) { index += 1 }
    }

    private mutating func expect(_ scalar: Unicode.Scalar) -> Bool {
        skipSpace()
        guard index < scalars.count, scalars[index] == scalar else { return false }
        index += 1
        return true
    }

    private mutating func string() -> String? {
        guard expect("\"") else { return nil }
        var result = ""
        while index < scalars.count {
            let c = scalars[index]
            index += 1
            if c == "\"" { return result }
            if c == "\\" {
                guard index < scalars.count else { return nil }
                let e = scalars[index]
                index += 1
                switch e {
                case "\"", "\\", "/": result.unicodeScalars.append(e)
                case "n", "t", "r", "b", "f": result.unicodeScalars.append(" ")
                default: return nil  // \u escapes are not needed for keys or numbers
                }
            } else {
                result.unicodeScalars.append(c)
            }
        }
        return nil
    }

    private mutating func scalarValue() -> String? {
        skipSpace()
        guard index < scalars.count else { return nil }
        if scalars[index] == "\"" { return string() }
        let start = index
        while index < scalars.count, !([",", "}", " ", "\t"].contains(scalars[index])) {
            if ["{", "[", "\""].contains(scalars[index]) { return nil }
            index += 1
        }
        guard index > start else { return nil }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<index])
        return text
    }

    mutating func object() -> [(String, String)]? {
        guard expect("{") else { return nil }
        var pairs: [(String, String)] = []
        if expect("}") { return nil }  // an empty object carries no reading
        while true {
            guard let key = string(), expect(":"), let value = scalarValue() else { return nil }
            pairs.append((key, value))
            if expect(",") { continue }
            guard expect("}") else { return nil }
            skipSpace()
            return index == scalars.count ? pairs : nil
        }
    }
}
