/// The most a container used of what its cgroup limits, and whether it ran into a limit: what `taurun learn` reads
/// from the learning container's cgroup once it has ended (TaurunRuntime's ResourcePeaks.read) and what its report
/// sets against the manifest's limits (TauSandbox's LearnReport). One type for both sides, here because both modules
/// may import TaurunAudit. A value the kernel does not keep (memory.peak before 5.19, pids.peak on older kernels) is
/// nil: unknown, not zero.
public struct ResourcePeaks: Equatable, Sendable {
    /// Highest memory charged to the cgroup: memory.max_usage_in_bytes (v1) or memory.peak (v2).
    public var memoryBytes: UInt64?
    /// Times the kernel's OOM killer killed a process of the container at its limit (oom_kill in
    /// memory.oom_control, v1, or memory.events, v2).
    public var oomKills: UInt64?
    /// Most processes and threads at once: pids.peak.
    public var pids: UInt64?
    /// Forks and clones refused at pids.max ("max" in pids.events).
    public var pidsLimitHits: UInt64?

    public init(memoryBytes: UInt64? = nil, oomKills: UInt64? = nil, pids: UInt64? = nil, pidsLimitHits: UInt64? = nil) {
        self.memoryBytes = memoryBytes
        self.oomKills = oomKills
        self.pids = pids
        self.pidsLimitHits = pidsLimitHits
    }
}
