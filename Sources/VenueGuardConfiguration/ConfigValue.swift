import VenueGuardCore
import Yams

/// A parsed YAML value that remembers where it came from, so every error can name the file,
/// the line and the key. Yams stays inside this file.
public struct ConfigValue: Sendable, Hashable {
    /// The shape of the value.
    public enum Content: Sendable, Hashable {
        /// A scalar, as written (`null` and `~` included), and whether it was quoted.
        case scalar(String, quoted: Bool)
        /// A sequence.
        case sequence([ConfigValue])
        /// A mapping, in file order; `keyLines` holds the line of each key.
        case mapping([String: ConfigValue], order: [String], keyLines: [String: Int])
    }

    /// The value.
    public var content: Content
    /// The file it came from.
    public var file: String
    /// Its 1-based line.
    public var line: Int?
    /// Its key path from the document root (`areas[0].id`).
    public var path: String

    /// The largest file read (a site file is a few kilobytes).
    public static let maximumBytes = 1 << 20
    /// The most values a file may hold.
    public static let maximumNodes = 50_000

    /// Parses YAML text. An empty document is an empty mapping. Anchors and aliases are
    /// refused (a few lines of them can expand to billions of values: "billion laughs"), and so
    /// is a file over `maximumBytes` or `maximumNodes`.
    public static func parse(yaml: String, file: String) throws -> ConfigValue {
        guard yaml.utf8.count <= maximumBytes else {
            throw ConfigError(file: file, line: nil, key: nil, message: "the file is over \(maximumBytes / 1024) KiB: not a site file")
        }
        // An alias is refused before Yams composes: hashing an aliased mapping key alone could
        // expand it.
        if let line = firstAliasLine(yaml) {
            throw ConfigError(file: file, line: line, key: nil,
                              message: "YAML aliases (*name) are not supported; write the value out")
        }
        let parser: Yams.Parser
        let node: Node?
        do {
            parser = try Yams.Parser(yaml: yaml)
            node = try parser.singleRoot()
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            // Yams's own text repeats the whole file; one line naming the key, at its second use.
            let key = duplicates.sorted().first ?? "?"
            throw ConfigError(file: file, line: Self.secondLine(of: key, in: yaml, from: context.mark.line) ?? context.mark.line, key: key,
                              message: "given twice in the same section; keep one")
        } catch let error as YamlError {
            throw ConfigError(file: file, line: Self.line(of: error), key: nil, message: "not valid YAML: \(Self.summary(of: error))")
        } catch {
            throw ConfigError(file: file, line: nil, key: nil, message: "not valid YAML: \(error)")
        }
        guard let node else { return ConfigValue(content: .mapping([:], order: [], keyLines: [:]), file: file, line: 1, path: "") }
        var budget = maximumNodes
        // The parser holds the anchors, which nodes reference weakly: keep it while converting.
        return try withExtendedLifetime(parser) { try convert(node, file: file, path: "", budget: &budget) }
    }

    /// The line of the first YAML alias (`*name` where a value or key begins, outside quotes and
    /// comments), if any.
    static func firstAliasLine(_ yaml: String) -> Int? {
        for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains("*") {
            var quote: Character?
            var previous: Character = " "
            for character in line {
                if let open = quote {
                    if character == open { quote = nil }
                } else if character == "\"" || character == "'" {
                    if " \t[{,".contains(previous) { quote = character }
                } else if character == "#" && (previous == " " || previous == "\t") {
                    break
                } else if character == "*" && " \t[{,".contains(previous) {
                    return index + 1
                }
                previous = character
            }
        }
        return nil
    }

    private static func convert(_ node: Node, file: String, path: String, budget: inout Int) throws -> ConfigValue {
        let line = node.mark?.line
        budget -= 1
        guard budget >= 0 else {
            throw ConfigError(file: file, line: line, key: path.isEmpty ? nil : path, message: "the file holds more than \(maximumNodes) values: not a site file")
        }
        // Yams resolves an alias to its anchored node; refusing the anchor refuses every alias of it.
        if node.anchor != nil {
            throw ConfigError(file: file, line: line, key: path.isEmpty ? nil : path,
                              message: "YAML anchors and aliases (&name, *name) are not supported; write the value out")
        }
        switch node {
        case let .scalar(scalar):
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            return ConfigValue(content: .scalar(scalar.string, quoted: quoted), file: file, line: line, path: path)
        case let .sequence(sequence):
            var items: [ConfigValue] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, file: file, path: "\(path)[\(index)]", budget: &budget))
            }
            return ConfigValue(content: .sequence(items), file: file, line: line, path: path)
        case let .mapping(mapping):
            var values: [String: ConfigValue] = [:]
            var order: [String] = []
            var keyLines: [String: Int] = [:]
            for (keyNode, valueNode) in mapping {
                guard case let .scalar(keyScalar) = keyNode else {
                    throw ConfigError(file: file, line: keyNode.mark?.line, key: path, message: "keys must be plain words")
                }
                let key = keyScalar.string
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if values[key] != nil {
                    throw ConfigError(file: file, line: keyNode.mark?.line, key: childPath, message: "appears twice")
                }
                values[key] = try convert(valueNode, file: file, path: childPath, budget: &budget)
                order.append(key)
                keyLines[key] = keyNode.mark?.line
            }
            return ConfigValue(content: .mapping(values, order: order, keyLines: keyLines), file: file, line: line, path: path)
        case .alias:
            throw ConfigError(file: file, line: line, key: path, message: "YAML aliases are not supported; write the value out")
        }
    }

    /// The line (1-based) where `key:` begins a line for the second time at or after `start`.
    static func secondLine(of key: String, in yaml: String, from start: Int) -> Int? {
        var seen = 0
        for (index, line) in yaml.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() where index + 1 >= start {
            var text = line.drop { $0 == " " || $0 == "\t" }
            if text.hasPrefix("- ") { text = text.dropFirst(2).drop { $0 == " " } }
            for prefix in ["{ ", "{"] where text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
            guard text.hasPrefix(key) else { continue }
            if text.dropFirst(key.count).drop(while: { $0 == " " }).hasPrefix(":") {
                seen += 1
                if seen == 2 { return index + 1 }
            }
        }
        return nil
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return mark.line
        default:
            return nil
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, _, _), let .parser(context, problem, _, _), let .composer(context, problem, _, _):
            return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        default:
            return "\(error)"
        }
    }

    // MARK: - Errors

    /// An error at this value.
    public func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, key: path.isEmpty ? nil : path, message: message)
    }

    // MARK: - Typed access

    /// Whether the value is YAML null (`~`, `null`, or nothing).
    public var isNull: Bool {
        if case let .scalar(text, quoted) = content, !quoted { return text == "" || text == "~" || text == "null" || text == "Null" || text == "NULL" }
        return false
    }

    /// The text of a scalar.
    public func string() throws -> String {
        guard case let .scalar(text, _) = content, !isNull else { throw error("expected text, found \(shape)") }
        return text
    }

    /// A number.
    public func double() throws -> Double {
        guard case let .scalar(text, quoted) = content, !quoted, let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
            throw error("expected a number, found \(shapeWithValue)")
        }
        return value
    }

    /// A whole number (decimal, or hexadecimal with 0x).
    public func int() throws -> Int {
        guard case let .scalar(text, quoted) = content, !quoted else { throw error("expected a whole number, found \(shapeWithValue)") }
        let lower = text.lowercased()
        if lower.hasPrefix("0x"), let value = Int(lower.dropFirst(2), radix: 16) { return value }
        if let value = Int(text) { return value }
        throw error("expected a whole number, found \(shapeWithValue)")
    }

    /// A boolean (`true`/`false`, `yes`/`no`, `on`/`off`).
    public func bool() throws -> Bool {
        guard case let .scalar(text, quoted) = content, !quoted else { throw error("expected true or false, found \(shapeWithValue)") }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found \(shapeWithValue)")
        }
    }

    /// A duration (`30s`, `10m`, `1h30m`, or a number of seconds).
    public func duration() throws -> Duration {
        guard case let .scalar(text, _) = content, let value = DurationText.parse(text) else {
            throw error("expected a duration such as 30s, 10m or 1h30m (at most 100 years), found \(shapeWithValue)")
        }
        return value
    }

    /// A duration within `range`; outside it, an error naming the bounds. Every duration a
    /// file gives is bounded, so none can overflow a timer or make a loop spin.
    public func duration(in range: ClosedRange<Duration>) throws -> Duration {
        let value = try duration()
        guard range.contains(value) else {
            throw error("\(DurationText.format(value)) is outside \(DurationText.format(range.lowerBound))…\(DurationText.format(range.upperBound))")
        }
        return value
    }

    /// A number within `range`; outside it, an error naming the bounds.
    public func double(in range: ClosedRange<Double>) throws -> Double {
        let value = try double()
        guard range.contains(value) else {
            throw error("\(NumberText.format(value)) is outside \(NumberText.format(range.lowerBound))…\(NumberText.format(range.upperBound))")
        }
        return value
    }

    /// A whole number within `range`; outside it, an error naming the bounds.
    public func int(in range: ClosedRange<Int>) throws -> Int {
        let value = try int()
        guard range.contains(value) else { throw error("\(value) is outside \(range.lowerBound)…\(range.upperBound)") }
        return value
    }

    /// A value from a fixed set of words.
    public func choice<T>(_ options: [(String, T)]) throws -> T {
        let text = try string()
        if let match = options.first(where: { $0.0 == text }) { return match.1 }
        throw error("'\(text)' is not one of: \(options.map(\.0).joined(separator: ", "))")
    }

    /// The items of a sequence (a single scalar counts as a one-item sequence when `allowScalar`).
    public func sequence(allowScalar: Bool = false) throws -> [ConfigValue] {
        switch content {
        case let .sequence(items): return items
        case .scalar where allowScalar && !isNull: return [self]
        default: throw error("expected a list, found \(shape)")
        }
    }

    /// The mapping, checked against the keys allowed here: an unknown key is an error, not ignored.
    public func mapping(allowed: [String]) throws -> ConfigMapping {
        guard case let .mapping(values, order, keyLines) = content else { throw error("expected a mapping of keys, found \(shape)") }
        for key in order where !allowed.contains(key) {
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            var message = "unknown key"
            if let suggestion = Self.closest(to: key, in: allowed) { message += " (did you mean '\(suggestion)'?)" }
            message += "; allowed here: \(allowed.joined(separator: ", "))"
            throw ConfigError(file: file, line: keyLines[key] ?? line, key: childPath, message: message)
        }
        return ConfigMapping(value: self, values: values, order: order, keyLines: keyLines)
    }

    /// The keys and values of a mapping whose keys are free-form (sensor ids, times).
    public func entries() throws -> [(key: String, keyLine: Int?, value: ConfigValue)] {
        guard case let .mapping(values, order, keyLines) = content else { throw error("expected a mapping, found \(shape)") }
        return order.map { ($0, keyLines[$0], values[$0]!) }
    }

    private var shape: String {
        switch content {
        case .scalar: isNull ? "nothing" : "a single value"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    private var shapeWithValue: String {
        if case let .scalar(text, _) = content, !isNull { return "'\(text)'" }
        return shape
    }

    static func closest(to word: String, in candidates: [String]) -> String? {
        func distance(_ a: String, _ b: String) -> Int {
            let a = Array(a), b = Array(b)
            var row = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var previous = row[0]
                row[0] = i
                for j in stride(from: 1, through: b.count, by: 1) {
                    let current = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = current
                }
            }
            return row[b.count]
        }
        let best = candidates.map { ($0, distance(word, $0)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }
}

/// A mapping whose keys have been checked.
public struct ConfigMapping: Sendable {
    /// The mapping as a whole (for errors about missing keys).
    public let value: ConfigValue
    let values: [String: ConfigValue]
    let order: [String]
    let keyLines: [String: Int]

    /// The value at `key`, if present and not null.
    public subscript(key: String) -> ConfigValue? {
        guard let found = values[key], !found.isNull else { return nil }
        return found
    }

    /// The value at `key`, or an error naming it.
    public func required(_ key: String) throws -> ConfigValue {
        guard let found = self[key] else {
            let path = value.path.isEmpty ? key : "\(value.path).\(key)"
            throw ConfigError(file: value.file, line: value.line, key: path, message: "is required")
        }
        return found
    }

    /// The keys present, in file order.
    public var keys: [String] { order }
}
