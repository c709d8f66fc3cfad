import TaurunLinux
import TaurunOCI

/// An ordinary user's cgroup: only the hierarchies where the user may make the container's directory (on cgroup v1
/// none, unless an administrator gave the user a subtree; on v2 a delegated one). runc's rootless rule: without an
/// explicit cgroupsPath a hierarchy the user cannot write is simply not used, and the container then runs in the
/// caller's cgroups there; a limit that would need such a hierarchy is refused, naming the field. Device rules are
/// the exception: an unprivileged user gets no device access a device cgroup would have to take away (the
/// kernel's own permission checks stay), so they are ignored as runc ignores them.
public enum RootlessCgroups {
    public struct Decision: Sendable {
        /// The manager limited to the writable hierarchies (possibly none).
        public var manager: CgroupfsManager
        /// The resources to validate and apply: the config's, without device rules where no devices hierarchy is used.
        public var resources: LinuxResources?
        /// The hierarchies left out, by controller list ("blkio", "cpu,cpuacct"), for the docs' and tests' sake.
        public var unused: [String]
    }

    public static func decide(_ manager: CgroupfsManager, resources: LinuxResources?,
                              explicitPath: String?) throws(CgroupError) -> Decision {
        var kept: [CgroupHierarchy] = [], unused: [CgroupHierarchy] = []
        for hierarchy in manager.hierarchies {
            if isWritable(hierarchy) { kept.append(hierarchy) } else { unused.append(hierarchy) }
        }
        let names = unused.map { $0.isV2 ? "unified" : $0.controllers.sorted().joined(separator: ",") }
        guard !unused.isEmpty else { return Decision(manager: manager, resources: resources, unused: []) }
        if let explicitPath, !explicitPath.isEmpty {
            throw .invalid("linux.cgroupsPath", explicitPath,
                           "rootless: you may not create this cgroup (no write access in the \(names.joined(separator: " ")) hierarchies)")
        }
        let keptControllers = Set(kept.flatMap(\.controllers))
        var resources = resources
        if !keptControllers.contains("devices") && !kept.contains(where: \.isV2) { resources?.devices = nil }
        if let field = firstField(needingOneOf: unused, notIn: kept, resources) {
            throw .invalid(field, nil, "rootless: no cgroup of the container's own can hold this limit (you may not write the hierarchy it needs; cgroup v1 is not delegated to users)")
        }
        let filtered = CgroupfsManager(hierarchies: kept, isUnified: manager.isUnified && !kept.isEmpty)
        return Decision(manager: filtered, resources: resources, unused: names)
    }

    /// The leaf exists and is writable, or the deepest existing directory on the way to it is.
    static func isWritable(_ hierarchy: CgroupHierarchy) -> Bool {
        var dir = hierarchy.dir
        while !dir.isEmpty && dir != "/" {
            if Files.exists(dir) { return Files.isWritable(dir) }
            dir = String(dir[..<(dir.lastIndex(of: "/") ?? dir.startIndex)])
        }
        return false
    }

    /// The first set field of `resources` whose controller is only in an unused hierarchy.
    static func firstField(needingOneOf unused: [CgroupHierarchy], notIn kept: [CgroupHierarchy], _ r: LinuxResources?) -> String? {
        guard let r else { return nil }
        let keptV2 = kept.contains(where: \.isV2)
        let have = Set(kept.flatMap(\.controllers))
        func missing(_ controller: String) -> Bool { !keptV2 && !have.contains(controller) }
        let checks: [(String, Bool, String)] = [
            ("linux.resources.memory", r.memory != nil, "memory"),
            ("linux.resources.cpu", r.cpu.map { c in
                c.shares != nil || c.quota != nil || c.burst != nil || c.period != nil || c.realtimeRuntime != nil
                    || c.realtimePeriod != nil || c.idle != nil
            } ?? false, "cpu"),
            ("linux.resources.cpu.cpus", r.cpu?.cpus?.isEmpty == false || r.cpu?.mems?.isEmpty == false, "cpuset"),
            ("linux.resources.pids", r.pids != nil, "pids"),
            ("linux.resources.blockIO", r.blockIO != nil, "blkio"),
            ("linux.resources.hugepageLimits", r.hugepageLimits?.isEmpty == false, "hugetlb"),
            ("linux.resources.network", r.network != nil, "net_cls"),
            ("linux.resources.devices", r.devices?.isEmpty == false, "devices"),
        ]
        for (field, isSet, controller) in checks where isSet && missing(controller) { return field }
        if r.unified?.isEmpty == false && !keptV2 { return "linux.resources.unified" }
        return nil
    }
}
