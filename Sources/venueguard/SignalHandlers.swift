import Dispatch
import Foundation
import VenueGuardDaemon

/// SIGINT and SIGTERM ask the run loop to stop, so it can leave the outputs "not monitoring".
enum SignalHandlers {
    static func install(_ stop: StopRequest) -> [DispatchSourceSignal] {
        [(SIGINT, "interrupted"), (SIGTERM, "terminated")].map { number, why in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.request(why) }
            source.resume()
            return source
        }
    }
}
