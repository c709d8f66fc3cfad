/// One directory of a container's cgroup and what it controls.
struct CgroupHierarchy: Sendable, Equatable {
    /// The absolute cgroup directory of the container in this hierarchy.
    var dir: String
    /// Where the hierarchy is mounted; nil when rebuilt from recorded paths (then only the leaf is known).
    var mountpoint: String?
    /// v1: the controllers of this hierarchy (`memory`, `cpu`, `cpuacct`, `name=systemd`, ...).
    /// v2: the controllers listed in the parent's cgroup.controllers when known.
    var controllers: Set<String>
    var isV2: Bool

    /// The directories between the mountpoint (exclusive) and `dir` (inclusive), top-down: the ones create()
    /// may have to make.
    var levels: [String] {
        guard let mountpoint, dir.hasPrefix(mountpoint) else { return [dir] }
        var result: [String] = []
        var current = mountpoint
        for component in dir.dropFirst(mountpoint.count).split(separator: "/") {
            current = CgroupFiles.join(current, String(component))
            result.append(current)
        }
        return result.isEmpty ? [dir] : result
    }

    /// Rebuilds what a recorded directory is from the files in it, without mountinfo: a cgroup2 directory has
    /// cgroup.controllers; a v1 directory's control files are prefixed with their controller's name.
    static func inferred(from dir: String) -> CgroupHierarchy {
        let files = CgroupFiles.fileNames(dir)
        if files.contains("cgroup.controllers") {
            var controllers: Set<String> = []
            if let text = try? CgroupFiles.read(CgroupFiles.join(dir, "cgroup.controllers")) {
                controllers = Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
            }
            return CgroupHierarchy(dir: dir, mountpoint: nil, controllers: controllers, isV2: true)
        }
        var controllers: Set<String> = []
        for file in files {
            guard let dot = file.firstIndex(of: ".") else { continue }
            let prefix = String(file[..<dot])
            if CgroupMounts.knownV1Controllers.contains(prefix) { controllers.insert(prefix) }
        }
        return CgroupHierarchy(dir: dir, mountpoint: nil, controllers: controllers, isV2: false)
    }
}
