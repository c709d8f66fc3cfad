import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Moving a process between cgroup v1 hierarchies waits for an RCU grace period; a helper that migrates itself into
/// the cgroup it is already in starts one early (CgroupAttachWarmup in the runtime says when).
public enum CgroupAttach {
    /// Starts the helper on `procsPath` (a cgroup.procs of the caller's own cgroup); its pid (reap it), or -1. One
    /// at a time: the helper's stack is static.
    public static func startWarmup(procsPath: String) -> pid_t {
        procsPath.withCString { tr_cgroup_attach_warmup($0) }
    }
}
