/// linux.cgroupsPath as the cgroupfs driver understands it.
enum CgroupsPath: Equatable {
    /// "/a/b": under each hierarchy's mountpoint.
    case absolute([String])
    /// "a/b" (or no cgroupsPath: the container id): under the cgroup of the runtime process in each hierarchy,
    /// as runc does on v1.
    case relative([String])

    var components: [String] {
        switch self {
        case .absolute(let parts), .relative(let parts): parts
        }
    }

    static func parse(containerID: String, cgroupsPath: String?) throws(CgroupError) -> CgroupsPath {
        guard let cgroupsPath, !cgroupsPath.isEmpty else {
            if containerID.isEmpty || containerID.contains("/") || containerID == "." || containerID == ".." {
                throw .invalid("container id", "\"\(containerID)\"", "cannot name a cgroup directory")
            }
            return .relative([containerID])
        }
        var parts: [String] = []
        for component in cgroupsPath.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                throw .invalid("linux.cgroupsPath", "\"\(cgroupsPath)\"", "\"..\" components are not allowed")
            }
            if component.contains("\0") || component.contains("\n") {
                throw .invalid("linux.cgroupsPath", "\"\(cgroupsPath)\"", "contains a control character")
            }
            parts.append(String(component))
        }
        if parts.isEmpty {
            throw .invalid("linux.cgroupsPath", "\"\(cgroupsPath)\"", "names the root cgroup; a container needs its own")
        }
        return cgroupsPath.hasPrefix("/") ? .absolute(parts) : .relative(parts)
    }

    /// The container's directory in one hierarchy. `own` is the runtime's cgroup there, relative to the mount.
    func directory(mountpoint: String, own: String?) -> String {
        var dir = mountpoint
        if case .relative = self, let own {
            for component in own.split(separator: "/") { dir = CgroupFiles.join(dir, String(component)) }
        }
        for component in components { dir = CgroupFiles.join(dir, component) }
        return dir
    }
}
