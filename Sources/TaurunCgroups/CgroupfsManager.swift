import TaurunLinux
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TaurunOCI

/// The cgroupfs driver for v1, hybrid and unified hosts: the runtime writes the cgroup files itself.
public struct CgroupfsManager: CgroupManager {
    let hierarchies: [CgroupHierarchy]
    /// True on a pure cgroup v2 host: resources go to cgroup2 files.
    let isUnified: Bool

    init(hierarchies: [CgroupHierarchy], isUnified: Bool) {
        self.hierarchies = hierarchies
        self.isUnified = isUnified
    }

    public var paths: CgroupDirectories { CgroupDirectories(dirs: hierarchies.map(\.dir)) }

    /// The v1 directory of `controller`, or nil if that hierarchy is not mounted.
    func v1Dir(_ controller: String) -> String? {
        hierarchies.first(where: { !$0.isV2 && $0.controllers.contains(controller) })?.dir
    }

    var v2Hierarchy: CgroupHierarchy? { hierarchies.first(where: \.isV2) }

    public func create() throws(CgroupError) {
        try requireNoForeignProcesses()
        try makeDirectories()
    }

    /// The mkdir part of create(), also used by the systemd driver for the hierarchies systemd leaves alone.
    func makeDirectories() throws(CgroupError) {
        for hierarchy in hierarchies {
            let levels = hierarchy.levels
            if hierarchy.isV2, let mountpoint = hierarchy.mountpoint { Self.enableControllers(in: mountpoint) }
            for (index, level) in levels.enumerated() {
                try CgroupFiles.makeDirectory(level)
                if !hierarchy.isV2, hierarchy.controllers.contains("cpuset") {
                    try Self.inheritCpuset(level)
                }
                // A v2 leaf only gets the controllers every ancestor lists in cgroup.subtree_control.
                if hierarchy.isV2, index < levels.count - 1 { Self.enableControllers(in: level) }
            }
        }
    }

    /// A new v1 cpuset directory starts with empty cpus/mems, and the kernel refuses tasks until they are set
    /// (runc copies the parent's values the same way).
    static func inheritCpuset(_ dir: String) throws(CgroupError) {
        let parent = parentDirectory(dir)
        for file in ["cpuset.cpus", "cpuset.mems"] {
            let path = CgroupFiles.join(dir, file)
            guard let current = try CgroupFiles.readTrimmedIfPresent(path), current.isEmpty else { continue }
            guard let inherited = try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(parent, file)), !inherited.isEmpty else { continue }
            try CgroupFiles.write(path, inherited)
        }
    }

    /// Writes `+controller` for every controller the cgroup has into its subtree_control, like runc: best effort,
    /// because a cgroup with processes of its own cannot delegate (EBUSY); a limit that then cannot be set is
    /// reported when its file is written.
    static func enableControllers(in dir: String) {
        guard let available = try? CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, "cgroup.controllers")) else { return }
        let controllers = available.split(separator: " ").map { "+" + $0 }
        guard !controllers.isEmpty else { return }
        let subtree = CgroupFiles.join(dir, "cgroup.subtree_control")
        if (try? CgroupFiles.write(subtree, controllers.joined(separator: " "))) == nil {
            for controller in controllers { try? CgroupFiles.write(subtree, controller) }
        }
    }

    static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    public func add(pid: Int32) throws(CgroupError) {
        for hierarchy in hierarchies {
            let procs = CgroupFiles.join(hierarchy.dir, "cgroup.procs")
            var attempt = 0
            while true {
                do {
                    try CgroupFiles.write(procs, String(pid))
                    break
                } catch {
                    // EINVAL can mean the task is still TASK_NEW (just forked); runc retries the same way.
                    attempt += 1
                    if error.errno == EINVAL, attempt < 5 {
                        MonotonicClock.sleep(milliseconds: 30)
                        continue
                    }
                    throw error
                }
            }
        }
    }

    /// Includes processes in child cgroups the container made itself (nested runtimes, systemd inside), so
    /// kill --all and delete reach them too.
    public func pids() throws(CgroupError) -> [Int32] {
        var all = Set<Int32>()
        for hierarchy in hierarchies {
            try Self.collectPids(in: hierarchy.dir, into: &all)
        }
        return all.sorted()
    }

    static func collectPids(in dir: String, into all: inout Set<Int32>) throws(CgroupError) {
        guard let text = try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, "cgroup.procs")) else { return }
        for line in text.split(separator: "\n") {
            if let pid = Int32(line) { all.insert(pid) }
        }
        for child in CgroupFiles.subdirectories(dir) {
            try collectPids(in: CgroupFiles.join(dir, child), into: &all)
        }
    }
}
