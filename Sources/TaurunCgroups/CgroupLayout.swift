import TaurunSupport

/// How this host mounts cgroups. Detected from /proc/self/mountinfo, never assumed from fixed paths.
public enum CgroupLayout: Sendable, Equatable {
    /// Only v1 hierarchies. `hierarchies` maps each controller (`memory`, `cpu`, `name=systemd`, ...) to the
    /// directory where its hierarchy is mounted; co-mounted controllers (`cpu,cpuacct`) share a mountpoint.
    case v1(hierarchies: [String: String])
    /// v1 controllers plus a controller-less cgroup2 mount (systemd's "hybrid" mode, e.g. /sys/fs/cgroup/unified).
    case hybrid(hierarchies: [String: String], unified: String)
    /// Pure cgroup v2.
    case unified(mountpoint: String)

    /// The v1 controller → mountpoint table (empty on unified).
    public var v1Hierarchies: [String: String] {
        switch self {
        case .v1(let hierarchies), .hybrid(let hierarchies, _): hierarchies
        case .unified: [:]
        }
    }

    /// The cgroup2 mountpoint, if any.
    public var unifiedMountpoint: String? {
        switch self {
        case .v1: nil
        case .hybrid(_, let unified): unified
        case .unified(let mountpoint): mountpoint
        }
    }
}

/// One cgroup mount from /proc/self/mountinfo.
struct CgroupMount: Equatable {
    var mountpoint: String
    /// The cgroup path (inside the hierarchy) that is mounted at `mountpoint`; "/" unless a sub-tree is bind-mounted.
    var root: String
    /// v1: the controllers and `name=` of the hierarchy; v2: empty.
    var controllers: [String]
    var isV2: Bool
}

/// The cgroup mounts of a mount table and the layout they make.
enum CgroupMounts {
    /// The v1 controller names the kernel knows; anything else in a v1 mount's super options is a mount option.
    static let knownV1Controllers: Set<String> = [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio", "blkio",
        "perf_event", "hugetlb", "pids", "rdma", "misc", "debug",
    ]

    /// The cgroup and cgroup2 mounts of mountinfo text (TaurunSupport's MountInfo reads the format; fields other
    /// than the type are made Strings only for cgroup mounts).
    static func parse(_ text: String) -> [CgroupMount] { parse(MountInfo(text)) }

    static func parse(_ table: MountInfo) -> [CgroupMount] {
        var mounts: [CgroupMount] = []
        for entry in table {
            let isV2 = entry.hasFSType("cgroup2")
            guard isV2 || entry.hasFSType("cgroup") else { continue }
            if isV2 {
                mounts.append(CgroupMount(mountpoint: entry.mountPoint, root: entry.root, controllers: [], isV2: true))
                continue
            }
            let controllers = entry.superOptions.filter { knownV1Controllers.contains($0) || $0.hasPrefix("name=") }
            guard !controllers.isEmpty else { continue }
            mounts.append(CgroupMount(mountpoint: entry.mountPoint, root: entry.root, controllers: controllers, isV2: false))
        }
        return mounts
    }

    /// The layout for a set of cgroup mounts. The first mount of a controller wins (later ones are bind mounts).
    static func layout(from mounts: [CgroupMount]) throws(CgroupError) -> CgroupLayout {
        var hierarchies: [String: String] = [:]
        for mount in mounts where !mount.isV2 {
            for controller in mount.controllers where hierarchies[controller] == nil {
                hierarchies[controller] = mount.mountpoint
            }
        }
        let unified = mounts.first(where: { $0.isV2 })?.mountpoint
        // Real v1 controllers (not just name=systemd) make it v1 or hybrid; a cgroup2 mount alone is unified.
        let hasV1Controllers = hierarchies.keys.contains { !$0.hasPrefix("name=") }
        switch (hasV1Controllers, unified) {
        case (true, let unified?): return .hybrid(hierarchies: hierarchies, unified: unified)
        case (true, nil): return .v1(hierarchies: hierarchies)
        case (false, let unified?): return .unified(mountpoint: unified)
        case (false, nil):
            throw CgroupError(operation: "detect", path: "/proc/self/mountinfo", reason: "no cgroup filesystem is mounted")
        }
    }
}
