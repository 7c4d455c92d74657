/// A problem in a configuration or scenario file, naming the file, the line and the key.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file (as given on the command line or resolved).
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The key path (`areas[1].sensors`), when the problem belongs to a key.
    public var key: String?
    /// What is wrong, and how to put it right where that helps.
    public var message: String

    /// Creates an error.
    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// One line: `FILE:LINE: key 'KEY': MESSAGE`.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let key, !key.isEmpty { text += "key '\(key)': " }
        return text + message
    }
}
