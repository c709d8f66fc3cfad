import TaurunLinux

extension Cgroups {
    /// Ends a container's recorded cgroup (delete): what `manager(recorded:)` would destroy, without first building
    /// that manager when nothing is left to kill. The manager infers each hierarchy from the files in its directory
    /// (11 directory listings on this cgroup v1 host), which only matters for finding and killing what is left; a
    /// cgroup that a systemd unit owns is always stopped through systemd.
    public static func destroy(recorded: CgroupDirectories) throws(CgroupError) {
        if recorded.systemdUnit == nil, CgroupfsManager.removeEmpty(recorded.dirs) { return }
        try manager(recorded: recorded).destroy()
    }
}

extension CgroupfsManager {
    /// The common end of a container: its processes are gone, so each of its cgroup directories is empty and a plain
    /// rmdir removes it. The kernel refuses rmdir of a cgroup that still has processes or child cgroups (EBUSY), so
    /// this never removes one that destroy() would have had to empty first. true: every directory is gone; false (a
    /// busy directory, any other error) stops at that directory and leaves it and the rest to destroy()'s full way
    /// (list the processes, kill them, remove each tree): 33 directory listings and 11 reads per delete here.
    static func removeEmpty(_ dirs: [String]) -> Bool {
        for dir in dirs {
            do {
                try Files.removeDirectory(dir)
            } catch {
                if error.errno != .noSuchFileOrDirectory { return false }
            }
        }
        return true
    }
}
