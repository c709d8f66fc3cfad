import TauSandbox

/// The user's decisions written (`<state-dir>/grants/<app-id>.json`, temp file + fsync + rename): TauSandbox's
/// `GrantStore` reads them and says what the file holds.
extension GrantStore {
    /// Saves `record` (creating the state layout if needed).
    public func save(_ record: GrantRecord) throws(SandboxError) {
        try StateDirectory.ensureBase(stateDirectory)
        try FileSystem.makeDirectories(directory, mode: 0o700)
        try FileSystem.replaceFile(path(for: record.app), bytes: Self.encoded(record), mode: 0o600)
    }

    /// Read-modify-write under the state lock.
    public func update(_ app: AppID, _ change: (inout GrantRecord) -> Void) throws(SandboxError) -> GrantRecord {
        try StateDirectory.ensureBase(stateDirectory)
        let lock = try StateLock(stateDirectory: stateDirectory)
        defer { lock.release() }
        var current = try record(for: app)
        change(&current)
        try save(current)
        return current
    }

    /// Forgets every decision about `app` (`taurun uninstall`). Call under `StateLock`.
    func remove(_ app: AppID) throws(SandboxError) {
        try FileSystem.unlinkIfPresent(path(for: app))
    }
}
