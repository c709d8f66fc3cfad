import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// Hides part of the RCU grace period a pid written to a cgroup v1 cgroup.procs waits for (10-30 ms here) when the
/// parent has to attach the container process itself (no CgroupSelfJoin: user namespaces, a two-stage clone): once
/// create knows that, a helper moves itself into the cgroup it is already in (a no-op migration), which starts that
/// grace period while we record and make the cgroups; the container's own attach then finds it passed or half-way.
/// Nothing depends on it: when the helper cannot start, or its grace period ends too early, the attach simply waits
/// as before. Only for the cgroupfs driver (systemd moves the process itself). The helper shares our memory until it
/// exits: reap it before anything that needs a process nobody shares memory with (setns into a time namespace).
struct CgroupAttachWarmup: ~Copyable {
    private var pid: pid_t

    /// Starts the helper when this process sits in a v1 hierarchy whose cgroup.procs we can name; else does nothing.
    static func start() -> CgroupAttachWarmup {
        guard let path = ownProcsFile() else { return CgroupAttachWarmup(pid: -1) }
        return CgroupAttachWarmup(pid: CgroupAttach.startWarmup(procsPath: path))
    }

    /// No helper (the systemd driver).
    static var none: CgroupAttachWarmup { CgroupAttachWarmup(pid: -1) }

    private init(pid: pid_t) { self.pid = pid }

    /// Reaps the helper (by then it has, or is about to have, finished its one write).
    mutating func reap() {
        guard pid > 0 else { return }
        _ = try? Processes.wait(pid)
        pid = -1
    }

    deinit { if pid > 0 { _ = try? Processes.wait(pid) } }

    /// The cgroup.procs of our own cgroup in a simple v1 hierarchy mounted at the usual place, e.g.
    /// /sys/fs/cgroup/pids/user.slice/cgroup.procs; nil on a pure v2 host or when none is found.
    static func ownProcsFile() -> String? {
        guard let text = try? Files.readString("/proc/self/cgroup") else { return nil }
        for controller in ["pids", "freezer", "devices"] {
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard fields.count == 3, fields[1] == controller else { continue }
                let dir = "/sys/fs/cgroup/" + controller + (fields[2] == "/" ? "" : String(fields[2]))
                let file = dir + "/cgroup.procs"
                if Files.isWritable(file) { return file }
            }
        }
        return nil
    }
}
