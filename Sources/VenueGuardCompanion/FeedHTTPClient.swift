import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches official documents politely: a conditional GET (`If-Modified-Since` from the last
/// reply's `Last-Modified`), a bounded body, a time limit, and a User-Agent that names the
/// project. The JMA asks clients not to download the same document twice and blocks addresses
/// that do (FEEDS.md); the Ministry of the Environment's service is seasonal (404 out of season).
public final class FeedHTTPClient: Sendable {
    /// What one GET gave.
    public enum Outcome: Sendable, Equatable {
        /// 200 with the body and the reply's `Last-Modified` (if any).
        case document(Data, lastModified: String?)
        /// 304: unchanged since the time sent.
        case notModified
        /// 404: not published (out of season, an issuance that did not happen).
        case notFound
        /// Anything else: a status, a time-out, a body over the limit, a connection error.
        case failed(String)
    }

    /// The largest body accepted, bytes (the JMA's long feed is a few MiB).
    public static let maximumBytes = 8 * 1024 * 1024
    /// The User-Agent sent with every request.
    public static let userAgent = "VenueGuard-companion/0.1 (club venue safety box; +https://github.com/venueguard)"

    private let client: HTTPClient
    private let timeout: TimeAmount

    /// A client with its own event loop thread; `timeout` bounds each request as a whole.
    public init(timeout: Duration = .seconds(20)) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(20))
        // No redirects: the services answer at the configured addresses, and a redirect could
        // lead anywhere (a 3xx is a fetch failure, named).
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .enabled(limit: .size(Self.maximumBytes))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let (seconds, attoseconds) = timeout.components
        self.timeout = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// GETs `url`, sending `If-Modified-Since: ifModifiedSince` when given.
    public func get(_ url: String, ifModifiedSince: String? = nil) async -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        request.headers.add(name: "Accept-Encoding", value: "gzip")
        if let ifModifiedSince { request.headers.add(name: "If-Modified-Since", value: ifModifiedSince) }
        do {
            let response = try await client.execute(request, timeout: timeout)
            switch response.status.code {
            case 200:
                if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > Self.maximumBytes {
                    return .failed("the reply is \(length) bytes, over the \(Self.maximumBytes)-byte limit")
                }
                let body = try await response.body.collect(upTo: Self.maximumBytes)
                return .document(Data(body.readableBytesView), lastModified: response.headers.first(name: "Last-Modified"))
            case 304:
                return .notModified
            case 404, 410:
                return .notFound
            default:
                return .failed("HTTP \(response.status.code) \(response.status.reasonPhrase)")
            }
        } catch let error as NIOTooManyBytesError {
            return .failed("the reply is over the \(Self.maximumBytes)-byte limit (\(error))")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failed("no reply in time (\(error))")
        } catch {
            return .failed(Self.describe(error))
        }
    }

    /// What one POST gave.
    public enum PostOutcome: Sendable, Equatable {
        /// 2xx: taken.
        case delivered(status: Int)
        /// Worth trying again: 5xx, 429 (with its `Retry-After` in seconds when given), no reply, a connection error.
        case retry(why: String, after: Int?)
        /// Refused for good (4xx other than 408 and 429): trying again cannot help.
        case refused(status: Int, why: String)
    }

    /// POSTs `body` to `url` with `headers` (a notification). The reply body is read up to
    /// 64 KiB, for the status only; it is never logged (it may echo a token).
    public func post(_ url: String, headers: [(String, String)], body: Data) async -> PostOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let code = Int(response.status.code)
            switch code {
            case 200..<300: return .delivered(status: code)
            case 408, 429, 500...599:
                let after = response.headers.first(name: "Retry-After").flatMap(Int.init).map { min(max($0, 1), 3600) }
                return .retry(why: "HTTP \(code) \(response.status.reasonPhrase)", after: after)
            default: return .refused(status: code, why: "HTTP \(code) \(response.status.reasonPhrase)")
            }
        } catch {
            return .retry(why: Self.describe(error), after: nil)
        }
    }

    /// A short, readable cause: "connection refused", "host not found"… (the library's own
    /// description nests types and brackets), else the library's text.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        let known: [(String, String)] = [("Connection refused", "connection refused"), ("errno: 111", "connection refused"),
                                         ("No route to host", "no route to host"), ("Network is unreachable", "network unreachable"),
                                         ("NXDOMAIN", "host not found"), ("lookup", "host not found"), ("certificate", "TLS certificate problem"),
                                         ("handshake", "TLS handshake failed"), ("Connection reset", "connection reset")]
        if let match = known.first(where: { text.contains($0.0) }) { return match.1 }
        return String(text.prefix(160))
    }

    /// Closes the connections and the event loop.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
