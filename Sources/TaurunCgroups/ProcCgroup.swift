/// The cgroups a process belongs to, from /proc/<pid>/cgroup (`hierarchy-id:controllers:path` lines).
enum ProcCgroup {
    /// controller (or `name=...`) → cgroup path; the v2 entry (`0::/path`) is stored under the key "".
    static func parse(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let path = String(parts[2])
            if parts[1].isEmpty {
                result[""] = path
            } else {
                for controller in parts[1].split(separator: ",") { result[String(controller)] = path }
            }
        }
        return result
    }

    /// Makes each cgroup path relative to its hierarchy's mount: when a sub-tree is bind-mounted (root != "/"),
    /// the part of the path above the mounted root is not visible under the mountpoint.
    static func relativeToMounts(_ cgroups: [String: String], mounts: [CgroupMount]) -> [String: String] {
        var result: [String: String] = [:]
        for (controller, path) in cgroups {
            let mount = controller.isEmpty
                ? mounts.first(where: { $0.isV2 })
                : mounts.first(where: { !$0.isV2 && $0.controllers.contains(controller) })
            guard let root = mount?.root, root != "/" else {
                result[controller] = path
                continue
            }
            if path == root {
                result[controller] = "/"
            } else if path.hasPrefix(root + "/") {
                result[controller] = String(path.dropFirst(root.count))
            } else {
                result[controller] = path
            }
        }
        return result
    }
}
