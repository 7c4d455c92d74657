import VenueGuardCore
import VenueGuardDrivers

// A fuzz target for what a child's board can send: the line assembler, every line format,
// the key mapping and the decoder's counters. Built with libFuzzer by `make fuzz`
// (`-sanitize=fuzzer -D FUZZING`); built normally, it replays files given as arguments, so
// a crash found by the fuzzer can be kept as a regression input.

/// Runs every format over `bytes`, in one piece and split at every 7th byte.
func exercise(_ bytes: UnsafeBufferPointer<UInt8>) {
    let keys = SerialLineParser.defaultKeys.merging([
        "tf": SerialKeyMapping(quantity: .airTemperature, unit: .fahrenheit, scale: 1.01, offset: -0.2),
        "p": SerialKeyMapping(quantity: .pressure, unit: .pascal),
    ]) { first, _ in first }
    let formats: [SerialLineFormat] = [.makecode, .keyValue, .json, .csv(columns: ["temp", "hum", "x"]), .auto(columns: ["temp", "hum"])]
    for format in formats {
        let parser = SerialLineParser(format: format, keys: keys)
        _ = parser.parse(Array(bytes))
        var decoder = SerialBoardDecoder(sensor: "fuzz", parser: parser, maxLineBytes: 64)
        decoder.portOpened()
        _ = decoder.feed(bytes, at: .origin)
        var split = SerialBoardDecoder(sensor: "fuzz", parser: parser, maxLineBytes: 64)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 7)
            _ = split.feed(UnsafeBufferPointer(rebasing: bytes[start..<end]), at: .origin)
            start = end
        }
    }
}

#if FUZZING
/// libFuzzer's entry for programs that have their own `main` (SwiftPM executables do).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

let fuzzOne: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32 = { data, size in
    guard let data else { return 0 }
    exercise(UnsafeBufferPointer(start: data, count: size))
    return 0
}
#endif

import Foundation

@main
struct SerialLineReplay {
    static func main() throws {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
        #else
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.withUnsafeBytes { exercise($0.bindMemory(to: UInt8.self)) }
            print("ok \(path)")
        }
        #endif
    }
}
