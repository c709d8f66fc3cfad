import TaurunCgroups
import TaurunLinux
import TaurunOCI

#if canImport(Glibc)
import Glibc
#endif

/// Commands that act on a running container's cgroup: pause/resume (freezer), ps, update, events.
extension Runtime {
    public func pause(id: String) throws(RuntimeError) {
        let (record, lock) = try lockedRecord(id)
        defer { lock.release() }
        switch status(of: record) {
        case .running: break
        case .paused: throw .container("container \(RuntimeError.quote(id)) is already paused")
        default: throw .container("container \(RuntimeError.quote(id)) is not running")
        }
        do { try cgroupManager(for: record).freeze() } catch { throw .cgroup(error.description) }
    }

    public func resume(id: String) throws(RuntimeError) {
        let (record, lock) = try lockedRecord(id)
        defer { lock.release() }
        guard status(of: record) == .paused else { throw .container("container \(RuntimeError.quote(id)) is not paused") }
        do { try cgroupManager(for: record).thaw() } catch { throw .cgroup(error.description) }
    }

    /// Every pid of the container's cgroup (as seen from the host).
    public func processes(id: String) throws(RuntimeError) -> [Int32] {
        try ContainerID.validate(id)
        let record = try store.load(id)
        guard status(of: record) != .stopped || hasProcesses(record) else { return [] }
        do { return try cgroupManager(for: record).pids() } catch { throw .cgroup(error.description) }
    }

    /// `update`: changes the limits of a created, running or paused container; only fields present change.
    public func update(id: String, resources: LinuxResources) throws(RuntimeError) {
        let (record, lock) = try lockedRecord(id)
        defer { lock.release() }
        guard status(of: record) != .stopped else { throw .container("container \(RuntimeError.quote(id)) is not running") }
        do { try cgroupManager(for: record).update(resources) } catch { throw .cgroup(error.description) }
    }

    /// `events --stats`: the cgroup's usage in runc's `events` data shape (the CLI writes it as JSON).
    public func stats(id: String) throws(RuntimeError) -> CgroupStats {
        try ContainerID.validate(id)
        let record = try store.load(id)
        guard status(of: record) != .stopped else { throw .container("container \(RuntimeError.quote(id)) is not running") }
        do { return try cgroupManager(for: record).stats() } catch { throw .cgroup(error.description) }
    }

    /// OOM kills so far in the container's cgroup (nil without a memory controller).
    public func oomKills(id: String) throws(RuntimeError) -> UInt64? {
        let record = try store.load(id)
        return cgroupManager(for: record).oomKillCount()
    }

    public func isStopped(id: String) -> Bool {
        guard let record = try? store.load(id) else { return true }
        return status(of: record) == .stopped
    }

    private func lockedRecord(_ id: String) throws(RuntimeError) -> (ContainerRecord, StateStore.Lock) {
        try ContainerID.validate(id)
        let lock = try store.lock(id)
        do { return (try store.load(id), lock) } catch { lock.release(); throw error }
    }
}
