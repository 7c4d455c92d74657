import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import VenueGuardConfiguration

/// The companion's HTTP server (Hummingbird), read-only (GET and HEAD only), bound to
/// `companion.listen`:`companion.port` (default 127.0.0.1:8790):
///
/// | path | what |
/// |---|---|
/// | `/` (`?lang=ja|en`) | the venue's page (`StatusPage`) |
/// | `/events?lang=` | server-sent events: `live` and `charts` parts on change, `ping` every 5 s |
/// | `/legend?size=a4|a5` | the printable legend card |
/// | `/records`, `/records/<area>/<YYYY-MM-DD>.csv` | the daily records |
/// | `/metrics` | the Prometheus text format |
/// | `/region` | every venue on the regional broker (`companion.regional`) |
/// | `/page.css`, `/page.js`, `/legend-a4.css`, `/legend-a5.css` | the page's own assets |
///
/// It reads the safety daemon's state file and never talks to the daemon otherwise. Every HTML
/// answer carries a Content-Security-Policy allowing only this server, so the page cannot load
/// anything from elsewhere.
public struct CompanionHTTPServer: Sendable {
    /// Where to listen.
    public var configuration: CompanionConfiguration
    /// The daemon's state file.
    public var daemonStateFile: String
    /// The metrics.
    public let metrics: VenueMetrics
    /// The companion whose counters are exported.
    public let companion: CompanionService?
    /// The logger.
    public var logger: Logger
    /// The venue's page (`nil`: `/metrics` only).
    public let page: VenuePage?
    /// The regional view (`/region`), when configured.
    public let regional: RegionalView?
    /// How long a connection may sit with nothing read and no answer under way (a request sent
    /// in part, a kept-alive client gone quiet) before it is closed, so idle connections cannot
    /// use up the companion's files; also the longest a request may take to arrive whole, from
    /// its head to its end (a body dripped a byte at a time is cut off), and the longest answers
    /// may wait unsent (a client that never reads): `HTTPDeadlines`.
    /// An event stream being answered is never idle.
    public var idleTimeout: Duration = .seconds(30)
    /// How long a stop waits for requests under way before the server is cancelled after all:
    /// by default 10 s, within the unit's `TimeoutStopSec=15`, with time left for the rest of
    /// the companion to stop.
    public var shutdownLimit: Duration = .seconds(10)
    /// The most connections held open at once (`HTTPConnectionLimit`): 256, well within the
    /// service's 1,024 files with the event streams (at most 32) among them.
    public var maximumConnections = 256
    /// The connections open now and at most, exported on /metrics.
    public let connections = HTTPConnectionLimit.Counts()

    /// How a stop ended.
    public enum StopOutcome: Sendable, Equatable {
        /// Every connection was finished or closed within `shutdownLimit`.
        case graceful
        /// Connections were still open at `shutdownLimit`; the server was cancelled.
        case cancelledAtLimit
    }

    /// A server for `companion` (`nil` without official feeds), reading `daemonStateFile`.
    public init(configuration: CompanionConfiguration, daemonStateFile: String, metrics: VenueMetrics = VenueMetrics(),
                companion: CompanionService?, page: VenuePage? = nil, regional: RegionalView? = nil, logger: Logger) {
        self.page = page
        self.regional = regional
        self.configuration = configuration
        self.daemonStateFile = daemonStateFile
        self.metrics = metrics
        self.companion = companion
        self.logger = logger
    }

    /// The Prometheus text of now.
    public func metricsText() async -> String {
        let counters = await companion?.counters ?? CompanionService.Counters()
        // The state file is small (a few kB); anything larger is not the daemon's and is not read.
        let data = (try? FileManager.default.attributesOfItem(atPath: daemonStateFile)[.size] as? Int).flatMap { size in
            size <= 1 << 20 ? FileManager.default.contents(atPath: daemonStateFile) : nil
        }
        var parts = VenueMetrics.PartCounters()
        if let outbox = page?.notifications {
            parts.notifications = await outbox.counters
            parts.notificationChannels = await outbox.channelNames
        }
        if let regional { parts.regionalRefused = await regional.refused }
        parts.httpConnectionsOpen = connections.open
        parts.httpConnectionsPeak = connections.peak
        parts.httpConnectionsMaximum = maximumConnections
        if let recorder = page?.recorder {
            parts.recordsUnreadableLines = await recorder.unreadableLines
            parts.recordsRowsWritten = await recorder.rowsWritten
            parts.recordsWriteFailing = await recorder.isWriteFailing
        }
        return metrics.render(daemonState: data, companion: counters, parts: parts, now: Date().timeIntervalSince1970,
                              boot: BootClockReading.now())
    }

    /// Serves until cancelled, then stops gracefully (see below); `running` gets the bound port
    /// once it listens, `stopped` how the stop ended (a cancel at the limit is also logged).
    /// - Throws: when the address cannot be bound.
    public func run(running: @escaping @Sendable (Int) async -> Void = { _ in },
                    stopped: @escaping @Sendable (StopOutcome) -> Void = { _ in }) async throws {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: ReadOnlyMethodsMiddleware())
        let server = self
        router.get("metrics") { _, _ -> Response in
            let text = await server.metricsText()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        if let page { Self.addPageRoutes(router, page: page, configuration: configuration) }
        if let regional {
            let configuration = configuration
            router.get("region") { request, _ -> Response in
                Self.html(await regional.page(Self.language(request, configuration), now: Date().timeIntervalSince1970))
            }
        }
        let deadline = TimeAmount.milliseconds(Int64(idleTimeout / .milliseconds(1)))
        let app = Application(router: router,
                              server: .http1(configuration: .init(
                                  additionalChannelHandlers: [HTTPDeadlines(limit: deadline)],
                                  idleTimeout: deadline)),
                              configuration: .init(address: .hostname(configuration.listen, port: configuration.port),
                                                   serverName: "venueguard-companion",
                                                   availableConnectionsDelegate: HTTPConnectionLimit(maximum: maximumConnections,
                                                                                                     counts: connections)),
                              onServerRunning: { channel in await running(channel.localAddress?.port ?? 0) },
                              logger: logger)
        // Stopped gracefully, never cancelled outright: cancelling the serving task while an
        // accepted connection waits to be served traps in swift-nio ("Deinited NIOAsyncWriter
        // without calling finish()", apple/swift-nio#3481; seen here in the test suite). So a
        // cancellation of this call asks the server to stop taking connections and to finish
        // what is under way (event streams end when the page stops); one still not done after
        // `shutdownLimit` is cancelled after all.
        let group = ServiceGroup(services: [app], logger: logger)
        let serving = Task { try await group.run() }
        let flags = StopFlags()
        let (limit, logger) = (shutdownLimit, logger)
        await withTaskCancellationHandler {
            _ = await serving.result
        } onCancel: {
            Task {
                await group.triggerGracefulShutdown()
                try? await Task.sleep(for: limit)
                guard !flags.ended.load(ordering: .acquiring) else { return }
                flags.cancelledAtLimit.store(true, ordering: .releasing)
                logger.warning("the web server had not stopped \(limit) after being asked to; it is cancelled")
                serving.cancel()
            }
        }
        let result = await serving.result
        flags.ended.store(true, ordering: .releasing)
        if Task.isCancelled { stopped(flags.cancelledAtLimit.load(ordering: .acquiring) ? .cancelledAtLimit : .graceful) }
        try result.get()
    }

    /// The page's language from `?lang=`, else the site's first language.
    static func language(_ request: Request, _ configuration: CompanionConfiguration) -> PageLanguage {
        request.uri.queryParameters.get("lang").flatMap(PageLanguage.init(rawValue:)) ?? PageLanguage(rawValue: configuration.language) ?? .ja
    }

    static let securityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: securityPolicy,
                                        .cacheControl: "no-store", .init("X-Content-Type-Options")!: "nosniff",
                                        .init("Referrer-Policy")!: "no-referrer"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300", .init("X-Content-Type-Options")!: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func addPageRoutes(_ router: Router<BasicRequestContext>, page: VenuePage, configuration: CompanionConfiguration) {
        router.get("/") { request, _ -> Response in html(await page.page(language(request, configuration))) }
        router.get("page.css") { _, _ in asset(PageAssets.css, type: "text/css; charset=utf-8") }
        router.get("legend-a4.css") { _, _ in asset(PageAssets.legendA4, type: "text/css; charset=utf-8") }
        router.get("legend-a5.css") { _, _ in asset(PageAssets.legendA5, type: "text/css; charset=utf-8") }
        router.get("page.js") { _, _ in asset(PageAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("legend") { request, _ -> Response in
            guard let size = LegendCard.Size(rawValue: (request.uri.queryParameters.get("size") ?? "a4").lowercased()) else {
                return plainTextResponse(.badRequest, "size must be a4 or a5\n", request: request)
            }
            return html(await page.legend(size))
        }
        router.get("records") { request, _ -> Response in
            let summaries = await page.recorder?.summaries() ?? []
            return html(RecordsPage(siteName: await page.siteName, summaries: summaries,
                                    keepDays: configuration.recordsDays, names: await page.areaNames(),
                                    language: language(request, configuration)).html())
        }
        router.get("records/:area/:file") { request, context -> Response in
            let area = context.parameters.get("area") ?? "", file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".csv"), let text = await page.recorder?.csv(area: area, date: String(file.dropLast(4))) else {
                return plainTextResponse(.notFound, "no such record\n", request: request)
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"\(area)-\(file)\""],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        // HEAD must not open a stream: its body (which closes the stream again) is never run.
        router.head("events") { _, _ in Response(status: .ok, headers: eventStreamHeaders) }
        router.get("events") { request, _ -> Response in
            let lang = language(request, configuration)
            guard await page.openStream() else {
                return Response(status: .serviceUnavailable, headers: [.retryAfter: "30", .contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "too many open pages\n")))
            }
            // The place is given back when the stream ends, and also when the body never runs
            // (the client gone before the head was written): the slot's deinit.
            let slot = StreamSlot(page)
            return Response(status: .ok, headers: eventStreamHeaders,
                            body: ResponseBody { writer in
                                defer { slot.release() }
                                try await stream(page, language: lang, to: &writer)
                                try await writer.finish(nil)
                            })
        }
    }

    /// What a stop's fallback and the serving call tell each other.
    final class StopFlags: Sendable {
        /// The server has ended.
        let ended = Atomic<Bool>(false)
        /// The fallback cancelled it.
        let cancelledAtLimit = Atomic<Bool>(false)
    }

    /// One open event stream's place on the page, given back exactly once.
    final class StreamSlot: Sendable {
        let page: VenuePage
        let released = Atomic<Bool>(false)
        init(_ page: VenuePage) { self.page = page }
        func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            Task { [page] in await page.closeStream() }
        }
        deinit { release() }
    }

    static let eventStreamHeaders: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"]

    /// One event stream: the parts whenever they change (looked at each second), a ping every 5 s.
    static func stream(_ page: VenuePage, language: PageLanguage, to writer: inout any ResponseBodyWriter) async throws {
        var sentLive = -1, sentCharts = -1
        var lastSend = ContinuousClock.now
        try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
        while !Task.isCancelled, await !page.stopping {
            let parts = await page.parts(language)
            var out = ""
            if parts.liveVersion != sentLive { out += event("live", parts.live); sentLive = parts.liveVersion }
            if parts.chartsVersion != sentCharts { out += event("charts", parts.charts); sentCharts = parts.chartsVersion }
            if out.isEmpty && ContinuousClock.now - lastSend >= .seconds(5) { out = "event: ping\ndata: \n\n" }
            if !out.isEmpty {
                try await writer.write(ByteBuffer(string: out))
                lastSend = .now
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// A server-sent event whose data is `text` (one `data:` line per line).
    static func event(_ name: String, _ text: String) -> String {
        "event: \(name)\n" + text.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)\n" }.joined() + "\n"
    }
}
