import TaurunCgroups
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// Puts the container process into its cgroups without the RCU grace period (10-30 ms here) that a write of a pid to
/// a cgroup.procs file waits for (cgroup_threadgroup_rwsem switching to its writer mode, global to the host): the
/// child is cloned straight into its cgroup2 directory (CLONE_INTO_CGROUP, also on a hybrid host's unified
/// hierarchy), and moves itself into each v1 cgroup by writing "0" to its `tasks` file, a single-thread migration of
/// the writer itself, which the kernel does under cgroup_mutex alone. The child is single-threaded, so its thread is
/// the whole process. Only for the cgroupfs driver without user namespaces (a user-namespaced child has no right to
/// the host's cgroup files, and a two-stage clone forks the init elsewhere): otherwise the parent attaches the pid.
struct CgroupSelfJoin {
    /// The v1 `tasks` files the child writes "0" to, in the order of the recorded directories.
    var tasksFiles: [String]
    /// The container's cgroup2 directory, if it has one: the clone lands there.
    var unifiedDir: String?

    /// The plan for these directories, or nil when the parent must attach the pid itself.
    /// `isCgroup2` tells whether a directory (made or not yet) lies on a cgroup2 mount.
    static func plan(dirs: [String], systemd: Bool, userNamespace: Bool, twoStage: Bool,
                     isCgroup2: (String) -> Bool = onCgroup2) -> CgroupSelfJoin? {
        guard !systemd, !userNamespace, !twoStage, !dirs.isEmpty else { return nil }
        var join = CgroupSelfJoin(tasksFiles: [], unifiedDir: nil)
        for dir in dirs {
            if isCgroup2(dir) {
                guard join.unifiedDir == nil else { return nil }
                join.unifiedDir = dir
            } else {
                join.tasksFiles.append(dir + "/tasks")
            }
        }
        return join
    }

    /// Whether `dir`, or its closest existing ancestor (the cgroups are made later), is on a cgroup2 filesystem.
    static func onCgroup2(_ dir: String) -> Bool {
        var path = dir
        while !path.isEmpty {
            let type = Files.filesystemType(of: path)
            if type >= 0 { return type == 0x6367_7270 }  // CGROUP2_SUPER_MAGIC
            guard errno == ENOENT, let slash = path.lastIndex(of: "/") else { return false }
            path = String(path[..<slash])
        }
        return false
    }

    /// In the child, right after the clone: moves this (single-threaded) process into every v1 cgroup.
    static func joinV1(_ tasksFiles: [String]) throws(SyscallError) {
        for file in tasksFiles { try Files.writeValue(file, "0") }
    }
}
