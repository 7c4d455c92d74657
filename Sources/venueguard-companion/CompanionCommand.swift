import ArgumentParser
import Foundation
import Glibc
import Logging
import VenueGuardCompanion
import VenueGuardConfiguration
import VenueGuardLinuxSystem

/// `venueguard-companion`: fetches the official heat-stroke alerts, thunder advisories and WBGT
/// forecast for the site's area and hands the safety daemon the validated inputs. It runs as its
/// own unprivileged unit with network access and no device access.
@main
struct CompanionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "venueguard-companion",
        abstract: "Fetch the official alerts and forecast for the venue and hand them to the safety daemon.",
        discussion: """
            Reads the site file's 'official:' section (heat_alert_area, thunder_municipality, jma_office, wbgt_point, \
            poll_interval). Sources: 環境省熱中症予防情報サイト (heat-stroke alerts, WBGT forecast) and 気象庁防災情報XML \
            (雷注意報). Inputs go to the daemon's companion.sock as datagrams it validates like MQTT commands; what \
            is known, and since when it is not, goes to the state file.
            """)

    @Option(help: "The site file.")
    var config = "/etc/venueguard/venueguard.yaml"

    @Option(help: "The safety daemon's companion socket.")
    var socket = "/run/venueguard/companion.sock"

    @Option(help: "Where to write what the companion knows ('none': nowhere).")
    var stateFile = ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"].flatMap { $0.split(separator: ":").first }
        .map { "\($0)/state.json" } ?? "/run/venueguard-companion/state.json"

    @Option(help: "The Ministry of the Environment's site, ending in '/' (tests use a local server).")
    var environmentBase = CompanionService.Endpoints.official.environmentBase

    @Option(help: "The JMA's short Atom feed.")
    var jmaFeed = CompanionService.Endpoints.official.jmaFeed

    @Option(help: "The JMA's long Atom feed, read once at start.")
    var jmaLongFeed = CompanionService.Endpoints.official.jmaLongFeed

    @Option(help: "The safety daemon's state file, read for /metrics.")
    var daemonStateFile = "/run/venueguard/state.json"

    @Flag(help: "Poll once, write the state and exit.")
    var once = false

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical, not '\(logLevel.prefix(32))'")
        }
        var logger = Logger(label: "venueguard-companion") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        // Only the site id and the official: section: the companion never reads the MQTT account.
        let site: (siteID: String, official: OfficialFeedsConfiguration?, companion: CompanionConfiguration)
        do {
            site = try ConfigurationLoader.loadOfficial(path: config)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(78)  // EX_CONFIG: systemd does not retry (RestartPreventExitStatus)
        }
        guard let official = site.official else {
            logger.critical("\(config) has no 'official:' section (heat_alert_area, thunder_municipality, wbgt_point): nothing to fetch")
            throw ExitCode(78)
        }
        let http = FeedHTTPClient()
        let clock = SystemClock()
        let service = CompanionService(official: official,
                                       endpoints: .init(environmentBase: environmentBase, jmaFeed: jmaFeed, jmaLongFeed: jmaLongFeed),
                                       http: http, channel: DaemonChannelClient(path: socket),
                                       stateFile: stateFile == "none" ? nil : stateFile, logger: logger, clock: { clock.now })
        logger.info("official feeds for \(site.siteID): heat alerts \(official.heatAlertArea ?? "-"), thunder advisories \(official.thunderMunicipality ?? "-"), WBGT forecast point \(official.wbgtPoint ?? "-"); inputs to \(socket)")
        if once {
            await service.pollOnce()
        } else {
            // /metrics beside the feeds; a port that cannot be bound does not stop the feeds.
            let server = CompanionHTTPServer(configuration: site.companion, daemonStateFile: daemonStateFile, companion: service, logger: logger)
            let serving = Task { [logger] in
                do {
                    try await server.run { port in logger.info("serving /metrics on \(site.companion.listen):\(port)") }
                } catch {
                    logger.error("cannot serve /metrics on \(site.companion.listen):\(site.companion.port): \(error)")
                }
            }
            let task = Task { await service.run() }
            let signals = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
                Glibc.signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number)
                source.setEventHandler { task.cancel() }
                source.resume()
                return source
            }
            await task.value
            serving.cancel()
            await serving.value
            signals.forEach { $0.cancel() }
        }
        await http.shutdown()
    }
}
