import Foundation
import Testing
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardDrivers

/// The programs in Hardware/boards and their guides cannot drift from the parser: each
/// program's sample output is parsed with the configuration its guide shows.
struct BoardProgramTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The first ```yaml block of a guide, as a sensor list entry.
    static func yamlBlock(_ guide: String) throws -> String {
        let text = try String(contentsOf: root.appendingPathComponent(guide), encoding: .utf8)
        let start = try #require(text.range(of: "```yaml\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        return String(text[start.upperBound..<end.lowerBound])
    }

    struct Board: Sendable, CustomTestStringConvertible {
        var guide: String
        var program: String?
        var output: String
        var accepted: Int
        var rejected: [String: Int]
        var testDescription: String { guide }
    }

    @Test("Each board's sample output parses with its guide's configuration", arguments: [
        Board(guide: "Hardware/boards/microbit-micropython/README.md", program: "Hardware/boards/microbit-micropython/main.py",
              output: "Hardware/boards/microbit-micropython/sample-output.txt", accepted: 6, rejected: ["partial": 1]),
        Board(guide: "Hardware/boards/microbit-makecode/README.md", program: "Hardware/boards/microbit-makecode/main.ts",
              output: "Hardware/boards/microbit-makecode/sample-output.txt", accepted: 4, rejected: [:]),
        Board(guide: "Hardware/boards/arduino-sht31-dht22/README.md", program: "Hardware/boards/arduino-sht31-dht22/arduino-sht31-dht22.ino",
              output: "Hardware/boards/arduino-sht31-dht22/sample-output.txt", accepted: 3, rejected: ["partial": 1, "nan": 1]),
        Board(guide: "Hardware/boards/wbgt-meter.md", program: nil,
              output: "Hardware/boards/wbgt-meter-sample-output.txt", accepted: 2, rejected: [:]),
    ])
    func board(_ board: Board) throws {
        let sensor = try Self.yamlBlock(board.guide).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        // The board beside the room's fixed sensor: a child's board is advisory, and an area needs
        // at least one authoritative sensor.
        let id = sensor.contains("id: wbgt-meter") ? "wbgt-meter" : sensor.components(separatedBy: "id: ")[1].components(separatedBy: "\n")[0]
        let site = "site: { id: t }\nareas:\n  - { id: a, exposure: indoor, sensors: [\(id), room] }\nsensors:\n\(sensor)\n  - { id: room, kind: sht3x }\n"
        let configuration = try ConfigurationLoader.parse(yaml: site, file: board.guide)
        let settings = try #require(configuration.sensors.first?.serial)
        var decoder = SerialBoardDecoder(sensor: configuration.sensors[0].descriptor.id, parser: LinuxHardware.parser(settings))
        decoder.portOpened()
        let bytes = try Data(contentsOf: Self.root.appendingPathComponent(board.output))
        let inputs = decoder.feed(Array(bytes), at: .origin)
        #expect(decoder.accepted == board.accepted, "\(inputs)")
        #expect(Dictionary(uniqueKeysWithValues: decoder.rejections.map { ($0.key.rawValue, $0.value) }) == board.rejected)
        // Every key the sample output uses is printed by the program itself.
        if let program = board.program {
            let source = try String(contentsOf: Self.root.appendingPathComponent(board.program!), encoding: .utf8)
            let text = String(decoding: bytes, as: UTF8.self)
            let keys = Set(text.split(whereSeparator: \.isNewline).flatMap { line in
                line.split(separator: ",").compactMap { pair in pair.split(whereSeparator: { $0 == ":" || $0 == "=" }).first.map(String.init) }
            }.filter { settings.keys[$0] != nil })
            #expect(!keys.isEmpty)
            for key in keys {
                #expect(source.contains("\"\(key)\"") || source.contains("\(key)=") || source.contains("\(key):"), "\(program) never prints \(key)")
            }
        }
    }
}
