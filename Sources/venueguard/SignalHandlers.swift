import Dispatch
import Foundation
import VenueGuardDaemon

/// SIGINT and SIGTERM end the daemon (the outputs go to "not monitoring"); SIGHUP asks for
/// the configuration to be re-read. Handled on a dispatch queue, not in a signal handler.
enum SignalHandlers {
    static func install(_ control: DaemonControl, reload: @escaping @Sendable () -> Void) -> [DispatchSourceSignal] {
        let terminating: [DispatchSourceSignal] = [(SIGINT, "interrupted"), (SIGTERM, "terminated")].map { number, why in
            source(number) { control.terminate(why) }
        }
        return terminating + [source(SIGHUP, reload)]
    }

    private static func source(_ number: Int32, _ handler: @escaping @Sendable () -> Void) -> DispatchSourceSignal {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}
