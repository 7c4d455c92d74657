import Testing
import VenueGuardCore
@testable import VenueGuardDrivers

struct SerialLineParserTests {
    static let keys: [String: SerialKeyMapping] = [
        "temp": .init(quantity: .airTemperature), "hum": .init(quantity: .relativeHumidity),
        "t": .init(quantity: .airTemperature), "h": .init(quantity: .relativeHumidity),
        "tf": .init(quantity: .airTemperature, unit: .fahrenheit), "wbgt": .init(quantity: .wbgt, scale: 1, offset: -0.5),
    ]

    static func parse(_ line: String, _ format: SerialLineFormat = .auto(columns: nil)) -> Result<[Quantity: Double], SerialLineParser.Rejection> {
        SerialLineParser(format: format, keys: keys).parse(Array(line.utf8))
    }

    @Test("Each format, and auto detection", arguments: [
        ("temp:24.5", SerialLineFormat.makecode, [Quantity.airTemperature: 24.5]),
        ("hum: 61", .makecode, [.relativeHumidity: 61]),
        ("t=24.5,h=61", .keyValue, [.airTemperature: 24.5, .relativeHumidity: 61]),
        ("t=24.5 h=61", .keyValue, [.airTemperature: 24.5, .relativeHumidity: 61]),
        (#"{"temp":24.5,"hum":61}"#, .json, [.airTemperature: 24.5, .relativeHumidity: 61]),
        (#"{ "temp" : 24.5 , "hum" : "61" }"#, .json, [.airTemperature: 24.5, .relativeHumidity: 61]),
        ("24.5,61", .csv(columns: ["temp", "hum"]), [.airTemperature: 24.5, .relativeHumidity: 61]),
        ("7,24.5,61", .csv(columns: ["count", "temp", "hum"]), [.airTemperature: 24.5, .relativeHumidity: 61]),
        ("temp:24.5", .auto(columns: nil), [.airTemperature: 24.5]),
        ("t=24.5,h=61", .auto(columns: nil), [.airTemperature: 24.5, .relativeHumidity: 61]),
        (#"{"temp":24.5}"#, .auto(columns: nil), [.airTemperature: 24.5]),
        ("24.5,61", .auto(columns: ["temp", "hum"]), [.airTemperature: 24.5, .relativeHumidity: 61]),
        ("TEMP:30", .makecode, [.airTemperature: 30]),
        ("temp:24.5\t", .makecode, [.airTemperature: 24.5]),
    ])
    func formats(_ row: (String, SerialLineFormat, [Quantity: Double])) {
        #expect(Self.parse(row.0, row.1) == .success(row.2))
    }

    @Test("Units and calibration: °F converted, offset applied")
    func unitsAndCalibration() throws {
        let fahrenheit = try Self.parse("tf:77", .makecode).get()[.airTemperature]!
        #expect(abs(fahrenheit - 25) < 1e-9)
        #expect(try Self.parse("wbgt:28.5", .makecode).get() == [.wbgt: 28])
    }

    @Test("Bad lines are rejected with a reason", arguments: [
        ("hello world", SerialLineParser.Rejection.unparsable),
        ("debug: starting up", .unknownKey),
        ("temp: hot", .notANumber),
        ("light:120", .unknownKey),
        ("temp:nan", .nan),
        ("temp:inf", .nan),
        ("temp:", .notANumber),
        ("t=24.5,h", .unparsable),
        (#"{"temp":{"v":1}}"#, .unparsable),
        (#"{"temp":[1,2]}"#, .unparsable),
        (#"{"temp":1}garbage"#, .unparsable),
        ("{}", .unparsable),
        ("   ", .empty),
    ])
    func rejections(_ row: (String, SerialLineParser.Rejection)) {
        #expect(Self.parse(row.0) == .failure(row.1))
    }

    @Test("Binary noise (a wrong baud rate) and invalid UTF-8 are binary")
    func binary() {
        let parser = SerialLineParser(format: .auto(columns: nil), keys: Self.keys)
        #expect(parser.parse([0x00, 0xFF, 0x12, 0x80]) == .failure(.binary))
        #expect(parser.parse([0x74, 0x3A, 0xC3, 0x28]) == .failure(.binary))  // "t:" + invalid UTF-8
        #expect(parser.parse(Array("温度:25".utf8)) == .failure(.unparsable))  // valid UTF-8, but not a key we know
    }
}

struct LineAssemblerTests {
    @Test("Lines end with LF, CRLF or CR; pieces may arrive split anywhere")
    func endings() {
        var assembler = LineAssembler()
        var lines: [String] = []
        for chunk in ["te", "mp:1\r", "\nhum:2\n", "t=3\rt=4", "\n"] {
            for piece in assembler.feed(Array(chunk.utf8)) {
                if case let .line(bytes) = piece { lines.append(String(decoding: bytes, as: UTF8.self)) }
            }
        }
        #expect(lines == ["temp:1", "hum:2", "t=3", "t=4"])
    }

    @Test("An overlong line is dropped whole and buffering stays bounded")
    func overlong() {
        var assembler = LineAssembler(limit: 16)
        var pieces = assembler.feed(Array(String(repeating: "x", count: 10_000).utf8))
        #expect(pieces.isEmpty)
        #expect(assembler.pending == 0)  // nothing kept of the overlong line
        pieces = assembler.feed(Array("yyy\ntemp:1\n".utf8))
        #expect(pieces == [.overlong, .line(Array("temp:1".utf8))])
    }
}

struct SerialBoardDecoderTests {
    @Test("The first line after opening is treated as possibly partial; later lines are counted by reason")
    func decoder() {
        var decoder = SerialBoardDecoder(sensor: "kid", parser: SerialLineParser(format: .auto(columns: nil), keys: SerialLineParserTests.keys),
                                         maxLineBytes: 32)
        decoder.portOpened()
        let inputs = decoder.feed(Array("p:2.5\ntemp:24.5\nhello\n\(String(repeating: "z", count: 100))\ntemp:nan\n\n".utf8), at: .origin)
        #expect(inputs == [
            .inputRejected("kid", reason: "partial"),
            .sensor(SensorReport(sensor: "kid", at: .origin, sample: .values([.airTemperature: 24.5]))),
            .inputRejected("kid", reason: "unparsable"),
            .inputRejected("kid", reason: "overlong"),
            .inputRejected("kid", reason: "nan"),
        ])
        #expect(decoder.rejections == [.partial: 1, .unparsable: 1, .overlong: 1, .nan: 1])
        #expect(decoder.accepted == 1)
    }
}
