/// One value for one control file, planned from linux.resources before anything is written.
struct CgroupWrite: Sendable, Equatable {
    enum Target: Sendable, Equatable {
        /// The v1 hierarchy of this controller (`memory`, `cpu`, ...).
        case v1(String)
        /// The cgroup2 directory; the controller that must be enabled there ("cgroup" for core files).
        case v2(String)
    }

    var target: Target
    var file: String
    var value: String
    /// Where the value came from in config.json, for error messages.
    var jsonPath: String
    /// Written instead when `file` does not exist (blkio.weight → blkio.bfq.weight, io.bfq.weight → io.weight).
    var fallback: Fallback?
    /// cpu.cfs_period_us: the kernel may refuse a smaller period until the quota has changed (EINVAL); retry
    /// it once after the rest of the writes, as runc does.
    var retryAfterOthersOnEINVAL = false
    /// cpu.shares: the kernel clamps out-of-range values silently; read back and report the clamp.
    var verifyReadBack = false
    /// Hosts without the file (no swap accounting, no bfq) cannot honour it; validation checks the mount root.
    var optionalFeature = false
    /// "No limit" on a file the kernel may not have (swap without swap accounting): nothing to do then.
    var skipIfMissing = false

    struct Fallback: Sendable, Equatable {
        var file: String
        var value: String
    }

    var controller: String {
        switch target {
        case .v1(let controller), .v2(let controller): controller
        }
    }
}
