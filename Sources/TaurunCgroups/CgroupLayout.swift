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

enum MountInfo {
    /// The v1 controller names the kernel knows; anything else in a v1 mount's super options is a mount option.
    static let knownV1Controllers: Set<String> = [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio", "blkio",
        "perf_event", "hugetlb", "pids", "rdma", "misc", "debug",
    ]

    /// Parses mountinfo text (proc(5)): `id parent maj:min root mountpoint opts [optional...] - fstype source superopts`.
    /// Split on UTF-8 bytes (every separator is ASCII): splitting the String by Characters cost about 1 ms of a
    /// `run` in grapheme breaking, twice.
    static func cgroupMounts(_ text: String) -> [CgroupMount] {
        var mounts: [CgroupMount] = []
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard let dash = fields.firstIndex(where: { $0.elementsEqual("-".utf8) }), dash >= 6, fields.count >= dash + 4
            else { continue }
            let fsType = fields[dash + 1]
            let isV2 = fsType.elementsEqual("cgroup2".utf8)
            guard isV2 || fsType.elementsEqual("cgroup".utf8) else { continue }
            let root = unescape(String(Substring(fields[3])))
            let mountpoint = unescape(String(Substring(fields[4])))
            if isV2 {
                mounts.append(CgroupMount(mountpoint: mountpoint, root: root, controllers: [], isV2: true))
                continue
            }
            let controllers = fields[dash + 3].split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }.filter {
                knownV1Controllers.contains($0) || $0.hasPrefix("name=")
            }
            guard !controllers.isEmpty else { continue }
            mounts.append(CgroupMount(mountpoint: mountpoint, root: root, controllers: controllers, isV2: false))
        }
        return mounts
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo octal.
    static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let source = Array(field.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "\\"), index + 3 < source.count {
                let digits = source[(index + 1)...(index + 3)]
                if digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) {
                    let value = digits.reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
                    bytes.append(UInt8(truncatingIfNeeded: value))
                    index += 4
                    continue
                }
            }
            bytes.append(source[index])
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
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
