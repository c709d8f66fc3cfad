#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

import TaurunLinux
import TaurunSupport

/// Entry points: detect the host layout, then get a manager for one container.
public enum Cgroups {
    /// From `table` (the caller's read of /proc/self/mountinfo), or reads /proc/self/mountinfo.
    public static func detectLayout(_ table: MountInfo? = nil) throws(CgroupError) -> CgroupLayout {
        try CgroupMounts.layout(from: try currentMounts(table))
    }

    static func currentMounts(_ table: MountInfo? = nil) throws(CgroupError) -> [CgroupMount] {
        if let table { return CgroupMounts.parse(table) }
        do {
            return CgroupMounts.parse(try MountInfo.current())
        } catch {
            throw .syscall("read", "/proc/self/mountinfo", errno: error.errno.rawValue)
        }
    }

    /// The runtime's own cgroup in each hierarchy (controller → path relative to the mount; "" for cgroup2).
    public static func ownCgroups(_ table: MountInfo? = nil) throws(CgroupError) -> [String: String] {
        let parsed = ProcCgroup.parse(try CgroupFiles.read("/proc/self/cgroup"))
        return ProcCgroup.relativeToMounts(parsed, mounts: try currentMounts(table))
    }

    /// The runtime's own cgroup directory in each mounted hierarchy (absolute paths): where a rootless container
    /// without a cgroup of its own in a hierarchy runs, and what its `cgroup` mount shows there.
    public static func ownDirectories() -> [String] {
        guard let layout = try? detectLayout(), let own = try? ownCgroups() else { return [] }
        var dirs: [String] = []
        for (controller, mountpoint) in layout.v1Hierarchies.sorted(by: { $0.key < $1.key }) {
            guard let relative = own[controller] else { continue }
            let dir = under(mountpoint, relative)
            if !dirs.contains(dir) { dirs.append(dir) }
        }
        if let unified = layout.unifiedMountpoint, let relative = own[""] { dirs.append(under(unified, relative)) }
        return dirs
    }

    private static func under(_ mountpoint: String, _ relative: String) -> String {
        let trimmed = String(relative.drop { $0 == "/" })
        return trimmed.isEmpty ? mountpoint : CgroupFiles.join(mountpoint, trimmed)
    }

    /// The manager for a container being created. `cgroupsPath` is linux.cgroupsPath: "/a/b" (under each
    /// hierarchy's root), "a/b" (under the runtime's own cgroup, as runc), or nil (the container id, relative).
    /// With `systemd` (--systemd-cgroup) it is "slice:prefix:name" and the container gets a systemd scope; where
    /// systemd is not the init system (and no test bus is set) that fails with one line: see docs/cgroups.md.
    public static func manager(containerID: String, cgroupsPath: String?, systemd: Bool, layout: CgroupLayout,
                               mounts table: MountInfo? = nil) throws(CgroupError) -> any CgroupManager {
        if systemd {
            let override = SystemdClient.addressOverride
            return try systemdManager(containerID: containerID, cgroupsPath: cgroupsPath, layout: layout,
                                      systemdRunning: SystemdCgroupPath.systemdIsRunning(), busOverride: override)
        }
        let path = try CgroupsPath.parse(containerID: containerID, cgroupsPath: cgroupsPath)
        var own: [String: String] = [:]
        if case .relative = path { own = try ownCgroups(table) }
        return cgroupfsManager(path: path, layout: layout, ownCgroups: own)
    }

    /// The systemd driver for a new container. The scope's directories are the expanded slice plus the unit
    /// under each hierarchy's root, where systemd puts them. `busOverride` (a test bus address, from
    /// TAURUN_SYSTEMD_BUS) stands in for systemd where it is not running.
    public static func systemdManager(containerID: String, cgroupsPath: String?, layout: CgroupLayout, systemdRunning: Bool,
                                      busOverride: String?) throws(CgroupError) -> SystemdCgroupManager {
        let path = try SystemdCgroupPath.parse(containerID: containerID, cgroupsPath: cgroupsPath)
        guard systemdRunning || busOverride != nil else { throw SystemdCgroupPath.notRunning }
        let cgroupfs = cgroupfsManager(path: .absolute(path.cgroupComponents), layout: layout, ownCgroups: [:])
        return SystemdCgroupManager(unit: path.unit, slice: path.slice, containerID: containerID, cgroupfs: cgroupfs, started: false,
                                    busOverride: busOverride)
    }

    /// The same with every input explicit, so tests can point it at a mirror of cgroupfs.
    public static func manager(containerID: String, cgroupsPath: String?, layout: CgroupLayout, ownCgroups: [String: String]) throws(CgroupError) -> CgroupfsManager {
        let path = try CgroupsPath.parse(containerID: containerID, cgroupsPath: cgroupsPath)
        return cgroupfsManager(path: path, layout: layout, ownCgroups: ownCgroups)
    }

    /// For the commands after create, from state.json: manages exactly the recorded directories, nothing else,
    /// and, when a systemd unit was recorded, stops that unit on destroy and tells systemd about updates.
    public static func manager(recorded: CgroupDirectories) -> any CgroupManager {
        let hierarchies = recorded.dirs.map { CgroupHierarchy.inferred(from: $0) }
        let isUnified = hierarchies.count == 1 && hierarchies.allSatisfy(\.isV2)
        let cgroupfs = CgroupfsManager(hierarchies: hierarchies, isUnified: isUnified)
        if let unit = recorded.systemdUnit {
            return SystemdCgroupManager(unit: unit, slice: nil, containerID: unit, cgroupfs: cgroupfs, started: true,
                                        busOverride: SystemdClient.addressOverride)
        }
        return cgroupfs
    }

    static func cgroupfsManager(path: CgroupsPath, layout: CgroupLayout, ownCgroups: [String: String]) -> CgroupfsManager {
        var hierarchies: [CgroupHierarchy] = []
        // Co-mounted controllers (cpu,cpuacct) share one directory.
        var controllersByMount: [String: Set<String>] = [:]
        for (controller, mountpoint) in layout.v1Hierarchies {
            controllersByMount[mountpoint, default: []].insert(controller)
        }
        for mountpoint in controllersByMount.keys.sorted() {
            let controllers = controllersByMount[mountpoint] ?? []
            let own = controllers.sorted().lazy.compactMap { ownCgroups[$0] }.first
            hierarchies.append(CgroupHierarchy(dir: path.directory(mountpoint: mountpoint, own: own),
                                               mountpoint: mountpoint, controllers: controllers, isV2: false))
        }
        if let unified = layout.unifiedMountpoint {
            let available = (try? CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(unified, "cgroup.controllers"))) ?? nil
            let controllers = Set((available ?? "").split(separator: " ").map(String.init))
            hierarchies.append(CgroupHierarchy(dir: path.directory(mountpoint: unified, own: ownCgroups[""]),
                                               mountpoint: unified, controllers: controllers, isV2: true))
        }
        let isUnified: Bool
        if case .unified = layout { isUnified = true } else { isUnified = false }
        return CgroupfsManager(hierarchies: hierarchies, isUnified: isUnified)
    }
}
