import Foundation
import Hummingbird
import Logging
import VenueGuardConfiguration

/// The companion's HTTP server (Hummingbird): `GET /metrics` in the Prometheus text format.
/// Read-only; bound to `companion.listen`:`companion.port` (default 127.0.0.1:8790). It reads the
/// safety daemon's state file per request and never talks to the daemon otherwise.
public struct CompanionHTTPServer: Sendable {
    /// Where to listen.
    public var configuration: CompanionConfiguration
    /// The daemon's state file.
    public var daemonStateFile: String
    /// The metrics.
    public let metrics: VenueMetrics
    /// The companion whose counters are exported.
    public let companion: CompanionService
    /// The logger.
    public var logger: Logger

    /// A server for `companion`, reading `daemonStateFile`.
    public init(configuration: CompanionConfiguration, daemonStateFile: String, metrics: VenueMetrics = VenueMetrics(),
                companion: CompanionService, logger: Logger) {
        self.configuration = configuration
        self.daemonStateFile = daemonStateFile
        self.metrics = metrics
        self.companion = companion
        self.logger = logger
    }

    /// The Prometheus text of now.
    public func metricsText() async -> String {
        let counters = await companion.counters
        // The state file is small (a few kB); anything larger is not the daemon's and is not read.
        let data = (try? FileManager.default.attributesOfItem(atPath: daemonStateFile)[.size] as? Int).flatMap { size in
            size <= 1 << 20 ? FileManager.default.contents(atPath: daemonStateFile) : nil
        }
        return metrics.render(daemonState: data, companion: counters, now: Date().timeIntervalSince1970)
    }

    /// Serves until cancelled; `running` gets the bound port once it listens.
    /// - Throws: when the address cannot be bound.
    public func run(running: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router()
        let server = self
        router.get("metrics") { _, _ -> Response in
            let text = await server.metricsText()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let app = Application(router: router,
                              configuration: .init(address: .hostname(configuration.listen, port: configuration.port),
                                                   serverName: "venueguard-companion"),
                              onServerRunning: { channel in await running(channel.localAddress?.port ?? 0) },
                              logger: logger)
        try await app.run()
    }
}
