import TaurunSupport
import TaurunOCI

/// The bundle's rootfs: a skeleton directory whose entries are read-only bind mounts of the app's real rootfs, plus
/// empty mount points for everything the sandbox mounts. Built once per distinct layout in the state directory and
/// shared by bundles (`SkeletonStore`); config.json's `root.path` is its absolute path.
///
/// Why not `root.path` = the app's rootfs directly: with a user namespace the runtime creates missing mount points
/// as the container's root, i.e. an unprivileged host uid, inside a rootfs owned by host root → EACCES (runc:
/// "mkdir …/proc: permission denied"). A symlink `rootfs -> …` is refused by runc ("invalid rootfs"). The skeleton
/// has every mount point already, leaves the shared rootfs untouched, and works unchanged under runc and crun.
public struct RootfsLayout: Equatable, Sendable {
    public enum Entry: Equatable, Sendable {
        case directory(String)
        case emptyFile(String)
        case symlink(String, target: String)

        public var path: String {
            switch self {
            case .directory(let path), .emptyFile(let path), .symlink(let path, _): return path
            }
        }
    }

    /// Container paths to create in the skeleton, parents before children.
    public var entries: [Entry]
    /// Read-only bind mounts of the real rootfs, first in config.json's mounts.
    public var binds: [Mount]
}

/// A mount point the sandbox needs in the skeleton.
public struct MountPoint: Equatable, Sendable {
    public var path: String
    public var isDirectory: Bool

    public init(path: String, isDirectory: Bool) {
        self.path = path
        self.isDirectory = isDirectory
    }
}

public enum RootfsLayoutPlanner {
    /// Mounted by the runtime itself (proc, tmpfs); the runtime creates anything below them.
    public static let runtimeManagedRoots = ["/dev", "/proc", "/sys", "/tmp"]

    public static func plan(sourceRoot: String, mountPoints: [MountPoint]) throws(SandboxError) -> RootfsLayout {
        let managed = runtimeManagedRoots
        let points = mountPoints.filter { point in !managed.contains { PathRules.isSame(point.path, orUnder: $0) } }
            + managed.map { MountPoint(path: $0, isDirectory: true) }
        var walk = RootfsWalk(sourceRoot: sourceRoot, mountPoints: Set(points.map(\.path)), ancestors: ancestors(of: points))
        try walk.walk("/")
        var entries = walk.entries
        for point in points {
            var parent = LexicalPath.directoryName(point.path)
            while parent != "/" {
                if entries[parent] == nil { entries[parent] = .directory(parent) }
                parent = LexicalPath.directoryName(parent)
            }
            entries[point.path] = point.isDirectory ? .directory(point.path) : .emptyFile(point.path)
        }
        let ordered = entries.keys.sorted().compactMap { entries[$0] }
        return RootfsLayout(entries: ordered, binds: walk.binds.sorted { $0.destination < $1.destination })
    }

    /// Every directory above a mount point (but /): the skeleton recreates these instead of binding them.
    private static func ancestors(of points: [MountPoint]) -> Set<String> {
        var ancestors: Set<String> = []
        for point in points {
            var parent = LexicalPath.directoryName(point.path)
            while parent != "/" {
                ancestors.insert(parent)
                parent = LexicalPath.directoryName(parent)
            }
        }
        return ancestors
    }

    /// The app's rootfs, read top down: each entry becomes a read-only bind (directories and files) or is copied
    /// (symlinks), except the mount points themselves and their ancestors, which are recreated and walked into.
    private struct RootfsWalk {
        let sourceRoot: String
        let mountPoints: Set<String>
        let ancestors: Set<String>
        var entries: [String: RootfsLayout.Entry] = [:]
        var binds: [Mount] = []

        mutating func walk(_ relative: String) throws(SandboxError) {
            for name in try FileSystem.list(sourceRoot + relative) {
                let path = (relative == "/" ? "" : relative) + "/" + name
                // Entry names become mount destinations and AppArmor rules: a control character (a newline that
                // would end a profile line) is refused here, before convert writes anything.
                _ = try AppArmorProfile.quoted(path)
                if mountPoints.contains(path) { continue }
                let hostPath = sourceRoot + path
                let kind = FileSystem.kind(hostPath)
                if ancestors.contains(path) {
                    guard kind == .directory else {
                        throw .policyDenied(
                            reason: "rootfs \(sourceRoot): \(path) is not a directory (a symlink?), but the sandbox mounts beneath it")
                    }
                    entries[path] = .directory(path)
                    try walk(path)
                    continue
                }
                switch kind {
                case .directory:
                    entries[path] = .directory(path)
                    binds.append(Mount(destination: path, type: "bind", source: hostPath, options: ["rbind", "ro", "nosuid", "nodev"]))
                case .regular:
                    entries[path] = .emptyFile(path)
                    binds.append(Mount(destination: path, type: "bind", source: hostPath, options: ["bind", "ro", "nosuid", "nodev"]))
                case .symlink:
                    entries[path] = .symlink(path, target: try FileSystem.readLink(hostPath))
                default:
                    continue  // device nodes, sockets, fifos in an image are never exposed
                }
            }
        }
    }
}
