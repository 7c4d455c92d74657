import Foundation

/// Which box this is, as far as other boxes on the broker need to know: a short id, stable
/// across restarts of the same machine and different on another one, that gives nothing of the
/// machine away (a hash of `/etc/machine-id` and the site id, not the id itself).
public enum BoxIdentity {
    /// The instance id for `site` on this machine (16 hex digits).
    public static func instanceID(site: String, machineIDFiles: [String] = ["/etc/machine-id", "/var/lib/dbus/machine-id"]) -> String {
        var seed = machineIDFiles.lazy.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.first?.trimmingCharacters(in: .whitespacesAndNewlines)
        if seed?.isEmpty ?? true { seed = ProcessInfo.processInfo.hostName }
        return fnv1a64("venueguard|\(seed ?? "")|\(site)")
    }

    /// FNV-1a, 64 bits, as 16 hex digits: an identity, not a secret.
    static func fnv1a64(_ text: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
