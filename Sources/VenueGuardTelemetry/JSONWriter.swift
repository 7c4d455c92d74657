import VenueGuardCore

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
/// An object key: a literal in code (written as it is: plain ASCII needs no escaping) or text
/// from elsewhere (a sensor or area id, escaped like any string).
public struct JSONKey: ExpressibleByStringLiteral, Sendable {
    enum Storage: Sendable {
        case literal(StaticString)
        case text(String)
    }
    let storage: Storage

    /// A key written in code.
    public init(stringLiteral value: StaticString) { storage = .literal(value) }
    /// A key made at run time.
    public init(_ text: String) { storage = .text(text) }
}

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

    /// `object` (the bytes of a JSON object) with the fields `body` writes added at its end.
    public static func extend(_ object: [UInt8], _ body: (inout Object) -> Void) -> [UInt8] {
        guard object.count >= 2, object.last == UInt8(ascii: "}") else { return object }
        var writer = JSONWriter(capacity: object.count + 256)
        writer.bytes.append(contentsOf: object.dropLast())
        var fields = Object(writer: writer, continuing: object.count > 2)
        writer = JSONWriter(capacity: 0)
        body(&fields)
        fields.writer.bytes.append(UInt8(ascii: "}"))
        return fields.writer.bytes
    }

    // MARK: - Values

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        // Native strings are contiguous UTF-8: runs that need no escaping are copied whole.
        text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            var start = 0
            var index = 0
            while index < utf8.count {
                let byte = base[index]
                if byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F {
                    if start < index { bytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index - start)) }
                    escape(byte)
                    start = index + 1
                }
                index += 1
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: utf8.count - start)) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"key":` for a literal key, which is plain ASCII (checked in debug builds) and needs no escaping.
    mutating func literalKey(_ key: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        let text = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        assert(text.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }, "JSON key literal needs escaping")
        bytes.append(contentsOf: text)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(0x5C)
        switch byte {
        case 0x22, 0x5C: bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(UInt8(ascii: "u"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(hex.utf8Start[Int(byte >> 4)])
            bytes.append(hex.utf8Start[Int(byte & 0x0F)])
        }
    }

    /// A quoted ISO 8601 time with the offset, milliseconds only when not whole:
    /// `"2024-08-01T13:00:00.250+09:00"`. Written digit by digit (it is in every payload).
    mutating func time(_ wall: WallClockTime, utcOffsetSeconds: Int) {
        let c = wall.civil(utcOffsetSeconds: utcOffsetSeconds)
        let whole = c.second.rounded(.down)
        let millis = Int(((c.second - whole) * 1000).rounded(.down))
        bytes.append(UInt8(ascii: "\""))
        digits(c.year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(c.month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(c.day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(c.hour, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(c.minute, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(whole), 2)
        if millis != 0 {
            bytes.append(UInt8(ascii: "."))
            digits(millis, 3)
        }
        let magnitude = abs(utcOffsetSeconds)
        bytes.append(UInt8(ascii: utcOffsetSeconds < 0 ? "-" : "+"))
        digits(magnitude / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits((magnitude % 3600) / 60, 2)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `value` with at least `width` digits (zero-padded); more when it needs them.
    private mutating func digits(_ value: Int, _ width: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            digits(-value, width)
            return
        }
        var divisor = 1
        for _ in 1..<max(width, 1) { divisor *= 10 }
        while value / divisor >= 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// A number rounded to 0.01, without an exponent; `null` when not finite or beyond ±1e15.
    mutating func number(_ value: Double) {
        let hundredths = (value * 100).rounded()
        guard hundredths.isFinite, abs(hundredths) < 1e17 else {
            null()
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
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        var rest = value
        while true {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            if divisor == 1 { return }
            divisor /= 10
        }
    }

    mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        integer(value.magnitude)
    }

    mutating func bool(_ value: Bool) { literal(value ? "true" : "false") }
    mutating func null() { literal("null") }

    private mutating func literal(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    // MARK: - Containers

    /// The fields of an object being written.
    public struct Object: Sendable {
        var writer: JSONWriter
        private var first = true

        init(writer: JSONWriter, continuing: Bool = false) {
            self.writer = writer
            first = !continuing
        }

        private mutating func key(_ key: JSONKey) {
            if !first { writer.bytes.append(UInt8(ascii: ",")) }
            first = false
            switch key.storage {
            case let .literal(literal): writer.literalKey(literal)
            case let .text(text): writer.string(text)
            }
            writer.bytes.append(UInt8(ascii: ":"))
        }

        /// A text field.
        public mutating func field(_ name: JSONKey, _ value: String) { key(name); writer.string(value) }
        /// A text field, `null` when absent.
        public mutating func field(_ name: JSONKey, _ value: String?) {
            key(name)
            if let value { writer.string(value) } else { writer.null() }
        }
        /// A number field (rounded to 0.01), `null` when absent.
        public mutating func field(_ name: JSONKey, _ value: Double?) {
            key(name)
            if let value { writer.number(value) } else { writer.null() }
        }
        /// A whole-number field.
        public mutating func field(_ name: JSONKey, _ value: Int64) { key(name); writer.integer(value) }
        /// An ISO 8601 time field with the offset (see `JSONWriter.time`).
        public mutating func field(_ name: JSONKey, _ wall: WallClockTime, utcOffsetSeconds: Int) {
            key(name)
            writer.time(wall, utcOffsetSeconds: utcOffsetSeconds)
        }
        /// A whole-number field.
        public mutating func field(_ name: JSONKey, _ value: Int) { key(name); writer.integer(Int64(value)) }
        /// A true/false field.
        public mutating func field(_ name: JSONKey, _ value: Bool) { key(name); writer.bool(value) }
        /// A `null` field.
        public mutating func null(_ name: JSONKey) { key(name); writer.null() }
        /// A field holding an object.
        public mutating func field(_ name: JSONKey, object body: (inout Object) -> Void) { key(name); writer.object(body) }
        /// A field holding an array.
        public mutating func field(_ name: JSONKey, array body: (inout Array) -> Void) { key(name); writer.array(body) }
        /// A field holding an array of text.
        public mutating func field(_ name: JSONKey, strings: [String]) {
            key(name)
            writer.array { array in for string in strings { array.add(string) } }
        }
        /// A field holding an object of whole numbers, in key order.
        public mutating func field(_ name: JSONKey, counts: [String: Int]) {
            key(name)
            writer.object { object in for key in counts.keys.sorted() { object.field(JSONKey(key), counts[key]!) } }
        }
        /// A field whose value is JSON already written (a payload spliced in).
        public mutating func field(_ name: JSONKey, raw: [UInt8]) { key(name); writer.raw(raw) }
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
