/// Writes JSON straight into bytes, keys in the order given (each payload writes them in its
/// schema's order), numbers rounded once to 0.01 and written without an exponent. Every
/// payload VenueGuard produces (MQTT, Home Assistant discovery, the state file, `simulate`,
/// the calculator) is written this way: one style, and no intermediate tree, sorting or
/// `JSONEncoder` on the once-a-second path (a 380-byte payload costs a few thousand
/// instructions instead of a quarter of a million).
///
/// ```swift
/// var json = JSONWriter()
/// json.object { o in
///     o.field("seq", 12)
///     o.field("values") { v in v.field("air_temperature", 24.351) }   // 24.35
/// }
/// json.bytes   // {"seq":12,"values":{"air_temperature":24.35}}
/// ```
public struct JSONWriter: Sendable {
    /// What has been written.
    public private(set) var bytes: [UInt8]

    /// An empty writer; `capacity` bytes are reserved.
    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The bytes of one object written by `body`.
    public static func object(capacity: Int = 512, _ body: (inout Object) -> Void) -> [UInt8] {
        var writer = JSONWriter(capacity: capacity)
        writer.object(body)
        return writer.bytes
    }

    /// Writes an object whose fields `body` writes.
    public mutating func object(_ body: (inout Object) -> Void) {
        var object = Object(writer: self)
        bytes = []
        object.writer.bytes.append(UInt8(ascii: "{"))
        body(&object)
        object.writer.bytes.append(UInt8(ascii: "}"))
        self = object.writer
    }

    /// Writes an array whose elements `body` writes.
    public mutating func array(_ body: (inout Array) -> Void) {
        var array = Array(writer: self)
        bytes = []
        array.writer.bytes.append(UInt8(ascii: "["))
        body(&array)
        array.writer.bytes.append(UInt8(ascii: "]"))
        self = array.writer
    }

    /// Appends bytes that are already JSON (a payload built earlier, spliced in).
    public mutating func raw(_ json: [UInt8]) { bytes += json }

    // MARK: - Values

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [0x5C, 0x22]
            case UInt8(ascii: "\\"): bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
            case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
            case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
            case 0x00..<0x20, 0x7F:
                let hex = Swift.Array("0123456789abcdef".utf8)
                bytes += [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A number rounded to 0.01, without an exponent; `null` when not finite or beyond ±1e15.
    mutating func number(_ value: Double) {
        let hundredths = (value * 100).rounded()
        guard hundredths.isFinite, abs(hundredths) < 1e17 else {
            bytes += Swift.Array("null".utf8)
            return
        }
        let scaled = Int64(hundredths)
        if scaled < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = scaled.magnitude
        integer(magnitude / 100)
        let fraction = magnitude % 100
        if fraction != 0 {
            bytes.append(UInt8(ascii: "."))
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10))
            if fraction % 10 != 0 { bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10)) }
        }
    }

    mutating func integer(_ value: UInt64) {
        if value >= 10 { integer(value / 10) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        integer(value.magnitude)
    }

    mutating func bool(_ value: Bool) { bytes += Swift.Array((value ? "true" : "false").utf8) }
    mutating func null() { bytes += Swift.Array("null".utf8) }

    // MARK: - Containers

    /// The fields of an object being written.
    public struct Object: Sendable {
        var writer: JSONWriter
        private var first = true

        init(writer: JSONWriter) { self.writer = writer }

        private mutating func key(_ key: String) {
            if !first { writer.bytes.append(UInt8(ascii: ",")) }
            first = false
            writer.string(key)
            writer.bytes.append(UInt8(ascii: ":"))
        }

        /// A text field.
        public mutating func field(_ name: String, _ value: String) { key(name); writer.string(value) }
        /// A text field, `null` when absent.
        public mutating func field(_ name: String, _ value: String?) {
            key(name)
            if let value { writer.string(value) } else { writer.null() }
        }
        /// A number field (rounded to 0.01), `null` when absent.
        public mutating func field(_ name: String, _ value: Double?) {
            key(name)
            if let value { writer.number(value) } else { writer.null() }
        }
        /// A whole-number field.
        public mutating func field(_ name: String, _ value: Int64) { key(name); writer.integer(value) }
        /// A whole-number field.
        public mutating func field(_ name: String, _ value: Int) { key(name); writer.integer(Int64(value)) }
        /// A true/false field.
        public mutating func field(_ name: String, _ value: Bool) { key(name); writer.bool(value) }
        /// A `null` field.
        public mutating func null(_ name: String) { key(name); writer.null() }
        /// A field holding an object.
        public mutating func field(_ name: String, object body: (inout Object) -> Void) { key(name); writer.object(body) }
        /// A field holding an array.
        public mutating func field(_ name: String, array body: (inout Array) -> Void) { key(name); writer.array(body) }
        /// A field holding an array of text.
        public mutating func field(_ name: String, strings: [String]) {
            key(name)
            writer.array { array in for string in strings { array.add(string) } }
        }
        /// A field holding an object of whole numbers, in key order.
        public mutating func field(_ name: String, counts: [String: Int]) {
            key(name)
            writer.object { object in for key in counts.keys.sorted() { object.field(key, counts[key]!) } }
        }
        /// A field whose value is JSON already written (a payload spliced in).
        public mutating func field(_ name: String, raw: [UInt8]) { key(name); writer.raw(raw) }
    }

    /// The elements of an array being written.
    public struct Array: Sendable {
        var writer: JSONWriter
        private var first = true

        init(writer: JSONWriter) { self.writer = writer }

        private mutating func separate() {
            if !first { writer.bytes.append(UInt8(ascii: ",")) }
            first = false
        }

        /// A text element.
        public mutating func add(_ value: String) { separate(); writer.string(value) }
        /// A number element.
        public mutating func add(_ value: Double) { separate(); writer.number(value) }
        /// An object element.
        public mutating func add(object body: (inout Object) -> Void) { separate(); writer.object(body) }
        /// JSON already written.
        public mutating func add(raw: [UInt8]) { separate(); writer.raw(raw) }
    }
}
