import TauSandbox

/// ids.json written: TauSandbox's `IDAllocator` decides the ranges, this records them.
extension IDAllocator {
    /// Returns the app's base, allocating and recording a new range the first time (or taking back the one kept by
    /// an uninstall with --keep-data). Call under `StateLock`.
    func allocate(_ app: AppID) throws(SandboxError) -> UInt32 {
        let allocation = try allocation(app)
        if let table = allocation.table {
            try StateDirectory.ensureBase(stateDirectory)
            try FileSystem.replaceFile(path, bytes: table, mode: 0o600)
        }
        return allocation.base
    }

    /// `taurun uninstall`: the app no longer has a range (its slot is still never handed out again), or, with
    /// `keep`, its range moves to `kept`, reserved for the data left in its home. Call under `StateLock`.
    func release(_ app: AppID, keep: Bool) throws(SandboxError) {
        guard let table = try releasedTable(app, keep: keep) else { return }
        try FileSystem.replaceFile(path, bytes: table, mode: 0o600)
    }
}
