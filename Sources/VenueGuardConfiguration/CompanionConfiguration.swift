import Glibc

/// The site's `companion:` section: where the companion service (`venueguard-companion`) serves
/// its HTTP endpoints (`/metrics` in the Prometheus text format).
///
/// ```yaml
/// companion:
///   listen: 127.0.0.1   # the address to bind; 0.0.0.0 to serve the venue's network
///   port: 8790          # 1024…65535
/// ```
///
/// Without the section the companion serves on 127.0.0.1:8790 (the box itself only).
public struct CompanionConfiguration: Sendable, Hashable {
    /// The address to bind (an IPv4 or IPv6 literal, or `localhost`).
    public var listen = "127.0.0.1"
    /// The TCP port.
    public var port = 8790

    /// The defaults.
    public init(listen: String = "127.0.0.1", port: Int = 8790) {
        self.listen = listen
        self.port = port
    }

    static let keys = ["listen", "port"]

    static func parse(_ node: ConfigValue) throws -> CompanionConfiguration {
        let m = try node.mapping(allowed: keys)
        var c = CompanionConfiguration()
        if let v = m["listen"] {
            let text = try v.string()
            // A literal address only: the companion resolves nothing to decide where it listens.
            let isIPv4 = text.split(separator: ".", omittingEmptySubsequences: false).count == 4
                && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
                    part.count <= 3 && Int(part).map { (0...255).contains($0) } == true
                }
            var storage = in6_addr()
            let isIPv6 = text.count <= 45 && inet_pton(AF_INET6, text, &storage) == 1
            guard isIPv4 || isIPv6 || text == "localhost" else {
                throw v.error("'\(text.prefix(64))' is not an address to listen on: give an IP address such as 127.0.0.1 or 0.0.0.0")
            }
            c.listen = text
        }
        if let v = m["port"] { c.port = try v.int(in: 1024...65535) }
        return c
    }
}
