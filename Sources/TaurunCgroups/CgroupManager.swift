#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TaurunOCI

/// One container's cgroup, whatever the host layout. All calls are synchronous and start no threads.
public protocol CgroupManager: Sendable {
    /// Every directory this container's cgroup uses; computable before create().
    var paths: CgroupDirectories { get }
    /// mkdir every directory (idempotent; refused if an existing one already holds processes); on v1, fills empty cpuset.cpus/mems of new cpuset directories from
    /// their parent; on v2, enables the parents' controllers in cgroup.subtree_control.
    func create() throws(CgroupError)
    /// Checks that every requested limit can be applied on this host (controller present, value in range,
    /// v1/v2-only field on the right layout) and that the cgroup holds no processes yet, without writing
    /// anything. Call before the container starts.
    func validate(_ resources: LinuxResources?) throws(CgroupError)
    /// Validates, then writes every set field of `resources` (nil fields are left as they are). Device rules are
    /// the config's, then runc's default allowlist; `linux.devices` nodes get no rule of their own (as runc and
    /// crun: access comes from linux.resources.devices alone).
    func apply(_ resources: LinuxResources?) throws(CgroupError)
    /// `update`: the same as apply; only the fields present are changed.
    func update(_ resources: LinuxResources) throws(CgroupError)
    /// Moves `pid` into every hierarchy.
    func add(pid: Int32) throws(CgroupError)
    /// Every process in the container's cgroup (union over the hierarchies), ascending.
    func pids() throws(CgroupError) -> [Int32]
    /// Signals every process: freeze, signal each pid, restore the freezer (thaw for SIGKILL) so no process can
    /// fork a child that escapes the signal. Uses cgroup.kill for SIGKILL where the kernel has it.
    func signalAll(_ signal: Int32) throws(CgroupError)
    func freeze() throws(CgroupError)
    func thaw() throws(CgroupError)
    func isFrozen() -> Bool
    /// SIGKILLs leftovers, waits for the cgroup to empty, removes the leaf directories (EBUSY retried with
    /// backoff, about 1 s in all). Missing directories are fine; calling it twice is fine.
    func destroy() throws(CgroupError)
    /// Resource usage for `events --stats`, in runc's JSON shape.
    func stats() throws(CgroupError) -> CgroupStats
    /// How many processes the kernel OOM killer has killed in this cgroup so far (nil: no memory controller).
    func oomKillCount() -> UInt64?
    /// An fd that becomes readable when an OOM event happens in this cgroup (v1: eventfd registered on
    /// memory.oom_control; v2: inotify on memory.events). Compare oomKillCount() after it fires. The caller closes it.
    func openOOMNotifier() throws(CgroupError) -> Int32
}
