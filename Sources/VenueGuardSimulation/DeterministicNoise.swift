/// Small, repeatable measurement noise, so simulated sensors behave like real ones (whose
/// raw words are never identical for long) and the same scenario always gives the same bytes.
enum DeterministicNoise {
    /// A value in [-1, 1] determined by `key` and `index` (FNV-1a, then SplitMix64).
    static func unit(key: String, index: Int64) -> Double {
        unit(keyHash: hash(key), index: index)
    }

    /// The FNV-1a hash of `key`, to keep when the same key is used again and again.
    static func hash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100000001b3
        }
        return hash
    }

    /// As `unit(key:index:)`, from the key's `hash`.
    static func unit(keyHash hash: UInt64, index: Int64) -> Double {
        var z = hash &+ UInt64(bitPattern: index) &* 0x9e3779b97f4a7c15
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53) * 2 - 1
    }
}
