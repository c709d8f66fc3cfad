/// Every absolute cgroup directory one container uses (one per mounted v1 hierarchy, plus the cgroup2 one on
/// hybrid/unified hosts). Known before anything is created, so the runtime records it in state.json first and
/// `delete --force` can clean up after a crash at any point.
public struct CgroupDirectories: Codable, Sendable, Equatable {
    public var dirs: [String]
    /// With --systemd-cgroup: the scope unit that owns the directories, so later commands stop it through
    /// systemd instead of only removing directories. nil for the cgroupfs driver.
    public var systemdUnit: String?

    public init(dirs: [String], systemdUnit: String? = nil) {
        self.dirs = dirs
        self.systemdUnit = systemdUnit
    }
}
