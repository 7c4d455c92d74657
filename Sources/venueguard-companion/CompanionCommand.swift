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
            Serves the venue's page (status, curves, records, legend card) and /metrics on companion.listen:port \
            (default 127.0.0.1:8790). Reads the site file's 'official:' section (heat_alert_area, thunder_municipality, jma_office, wbgt_point, \
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

    @Option(help: "The safety daemon's state file, read for the page, the records, the notifications and /metrics.")
    var daemonStateFile = "/run/venueguard/state.json"

    @Option(help: "Where the daily records are kept ('none': not kept).")
    var recordsDirectory = ProcessInfo.processInfo.environment["STATE_DIRECTORY"].flatMap { $0.split(separator: ":").first }
        .map { "\($0)/records" } ?? "/var/lib/venueguard-companion/records"

    @Option(help: "Where notifications wait until delivered ('none': memory only).")
    var notificationsFile = ProcessInfo.processInfo.environment["STATE_DIRECTORY"].flatMap { $0.split(separator: ":").first }
        .map { "\($0)/notifications.json" } ?? "/var/lib/venueguard-companion/notifications.json"

    @Flag(help: "Poll once, write the state and exit: status 0 when every feed asked answered and its document was accepted, 1 otherwise (feeds out of season are not asked, and are named).")
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
        let site: CompanionSiteConfiguration
        do {
            site = try ConfigurationLoader.loadOfficial(path: config)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(78)  // EX_CONFIG: systemd does not retry (RestartPreventExitStatus)
        }
        // Secrets are read once, here; a file that cannot be read stops the start (EX_CONFIG).
        var regionalPassword: String?
        if let file = site.companion.regional?.passwordFile {
            do {
                regionalPassword = try NotificationsConfiguration.readSecret(file)
            } catch {
                logger.critical("regional broker: \(error)")
                throw ExitCode(78)
            }
        }
        var channels: [NotificationChannel] = []
        if let notifications = site.notifications {
            do {
                channels = try NotificationChannel.channels(notifications)
            } catch {
                logger.critical("notifications: \(error)")
                throw ExitCode(78)
            }
        }
        let http = FeedHTTPClient()
        let clock = SystemClock()
        // Without an official: section nothing is fetched; the page, records and /metrics still run.
        let service = site.official.map { official in
            CompanionService(official: official,
                             endpoints: .init(environmentBase: environmentBase, jmaFeed: jmaFeed, jmaLongFeed: jmaLongFeed),
                             http: http, channel: DaemonChannelClient(path: socket),
                             stateFile: stateFile == "none" ? nil : stateFile, logger: logger, clock: { clock.now })
        }
        if let official = site.official {
            logger.info("official feeds for \(site.siteID): heat alerts \(official.heatAlertArea ?? "-"), thunder advisories \(official.thunderMunicipality ?? "-"), WBGT forecast point \(official.wbgtPoint ?? "-"); inputs to \(socket)")
        } else {
            logger.notice("\(config) has no 'official:' section: no official alerts or forecast are fetched; the page, records and /metrics run")
        }
        // --once: 0 when every feed asked answered with a document it accepted, 1 when
        // any fetch failed or a document was refused (each logged), or nothing is configured.
        var onceFailed = false
        if once {
            if let service {
                await service.pollOnce()
                let counters = await service.counters
                for line in await service.notCheckedLastPoll { logger.notice("\(line): its code was not checked") }
                if counters.fetchFailures + counters.feedFaults > 0 {
                    logger.error("one poll: \(counters.requests) requests, \(counters.fetchFailures) failed, \(counters.feedFaults) documents refused (see above)")
                    onceFailed = true
                } else {
                    logger.info("one poll: \(counters.requests) requests, every document asked for was accepted")
                }
            } else {
                logger.error("--once: \(config) has no 'official:' section, so there is nothing to poll")
                onceFailed = true
            }
        } else {
            let recorder = recordsDirectory == "none" ? nil
                : DailyRecorder(directory: recordsDirectory, keepDays: site.companion.recordsDays, utcOffsetSeconds: site.utcOffsetSeconds,
                                officialFetched: OfficialSourcesFetched(site.official), logger: logger)
            let outbox = site.notifications.map { configuration in
                NotificationOutbox(configuration: configuration, channels: channels, file: notificationsFile == "none" ? nil : notificationsFile,
                                   siteID: site.siteID, siteName: site.siteName, http: http, logger: logger)
            }
            if !channels.isEmpty { logger.info("notifications to \(channels.map(\.name).joined(separator: ", "))") }
            let page = VenuePage(site: site, daemonStateFile: daemonStateFile, recorder: recorder, notifications: outbox,
                                 forecast: { await service?.forecastSummary() })
            let delivering = Task { await outbox?.run() }
            let regional = site.companion.regional.map { RegionalView(broker: $0, password: regionalPassword, logger: logger) }
            let watchingRegion = Task { await regional?.run() }
            // The page and /metrics beside the feeds. A port that cannot be bound does not stop the
            // feeds (the daemon's official inputs): it is tried again every 30 s, each failure logged.
            let server = CompanionHTTPServer(configuration: site.companion, daemonStateFile: daemonStateFile,
                                             metrics: VenueMetrics(officialFetched: OfficialSourcesFetched(site.official)),
                                             companion: service, page: page, regional: regional, logger: logger)
            let serving = Task { [logger] in
                while !Task.isCancelled {
                    do {
                        try await server.run { port in logger.info("serving the page and /metrics on http://\(site.companion.listen):\(port)/") }
                        return
                    } catch {
                        guard !Task.isCancelled else { return }
                        logger.error("cannot serve the page and /metrics on \(site.companion.listen):\(site.companion.port): \(error); trying again in 30 s")
                        try? await Task.sleep(for: .seconds(30))
                    }
                }
            }
            let paging = Task { await page.run() }
            let task = Task {
                if let service { await service.run() } else { while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) } }
            }
            let signals = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
                Glibc.signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number)
                source.setEventHandler { [logger] in
                    logger.notice("\(number == SIGTERM ? "SIGTERM" : "SIGINT"): stopping (the page, the records, the feeds)")
                    task.cancel()
                }
                source.resume()
                return source
            }
            await task.value
            await page.stop()
            await paging.value
            delivering.cancel()
            await delivering.value
            watchingRegion.cancel()
            serving.cancel()
            await serving.value
            signals.forEach { $0.cancel() }
            logger.notice("stopped")
        }
        await http.shutdown()
        if onceFailed { throw ExitCode(1) }
    }
}
