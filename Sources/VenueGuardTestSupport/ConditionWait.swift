/// Waits for a condition without blocking a test thread (Swift Testing's pool has two on this
/// machine): `condition` is looked at every `every` until it holds or `limit` has passed.
/// - Returns: whether it held.
public func waitUntil(limit: Duration, every: Duration = .milliseconds(20),
                      _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while true {
        if try await condition() { return true }
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: every)
    }
}
