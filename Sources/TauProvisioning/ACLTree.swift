#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TauSandbox
import TaurunLinux
import TaurunSupport

/// One host uid's POSIX ACL entries on a whole tree (a granted directory and everything in it, or a granted file),
/// set and taken back by root without ever following a path someone else can change.
///
/// Why not `setfacl -R PATH`: it works by path (lstat a name, then act on the name), so an app that can write in the
/// tree (or another app granted a directory above it) can swap a directory for a symlink in between and have root
/// change the ACL of /etc/shadow. Here the path is opened one component at a time with O_NOFOLLOW, every directory
/// below it is opened relative to its parent's fd, and setfacl is handed `/proc/self/fd/N` paths, which name exactly
/// the inode we opened. Symlinks and other filesystems are skipped, and so are regular files below the root with
/// more than one link: a hard link is a name for a file elsewhere, which the uid would get too.
/// (setfacl, up to `batchSize` inodes a call: taurun links no xattr wrapper.)
///
/// An ordinary user (converting their own apps) may change the ACL of their own inodes only: below the root, what
/// belongs to someone else (files an app created, which carry the entries they inherited) is skipped, and so are
/// directories of others, which the user may not list either. The root itself must be theirs (DataAccess checks).
enum ACLTree {
    static let batchSize = 64

    /// Gives `uid` read (and, `writable`, write) access to `root` and everything below it: `r-X`/`rwX` on files,
    /// `r-x`/`rwx` on directories, and the same as default entries on directories, so what anyone creates there later
    /// is reachable too. `mountUID` (the container's root, with a user namespace) gets `r-x` on `root` alone: crun
    /// opens the bind mount's target for reading as that uid once the source is mounted there, and fails with EACCES
    /// on a directory it cannot read. Returns false, changing nothing, when `root`'s filesystem has no POSIX ACLs.
    static func grant(_ root: String, uid: UInt32, writable: Bool, mountUID: UInt32? = nil) throws(SandboxError) -> Bool {
        let directory = writable ? "rwx" : "r-x"
        let directorySpec = "u:\(uid):\(directory),d:u:\(uid):\(directory)"
        let fileSpec = "u:\(uid):" + (writable ? "rwX" : "rX")
        let rootSpec = directorySpec + (mountUID.map { ",u:\($0):r-x" } ?? "")
        guard let top = try openWithoutSymlinks(root) else { throw .io(call: "open", path: root, errno: ENOENT) }
        defer { Files.close(top) }
        let info = try FileSystem.status(fd: top, path: root)
        guard let node = try node(duplicating: top, info, isRoot: true) else {
            throw .io(call: "setfacl", path: root, errno: EINVAL)
        }
        defer { Files.close(node.fd) }
        // The root alone first: a filesystem without ACLs (vfat, some network filesystems) says so here.
        let spec = node.isDirectory ? rootSpec : fileSpec
        let probe = try HelperCommand.run("setfacl", ["-m", spec, node.path])
        if probe.status != 0 {
            if probe.output.contains("Operation not supported") { return false }
            throw .toolFailed(tool: "setfacl", arguments: ["-m", spec, root], status: probe.status, output: probe.output)
        }
        guard node.isDirectory else { return true }
        try walk(below: top, path: root, device: info.st_dev) { batch throws(SandboxError) in
            try setfacl(["-m", directorySpec], batch.filter(\.isDirectory))
            try setfacl(["-m", fileSpec], batch.filter { !$0.isDirectory })
        }
        return true
    }

    /// Removes `uid`'s entries (access and default) from `root` and everything below it, and `mountUID`'s from
    /// `root`. An inode left with no named entry at all loses its mask and default ACL too, so its mode means again
    /// exactly what it says. A missing `root` has nothing to remove.
    static func withdraw(_ root: String, uid: UInt32, mountUID: UInt32? = nil) throws(SandboxError) {
        let opened: Int32?
        do {
            opened = try openWithoutSymlinks(root)
        } catch {
            // The path became a symlink (or a file on the way did): the entries went with what was moved away and
            // name only the app's own uid; never follow the new link.
            if case .io(_, _, let code) = error, code == ELOOP || code == ENOTDIR { return }
            throw error
        }
        guard let top = opened else { return }
        defer { Files.close(top) }
        let info = try FileSystem.status(fd: top, path: root)
        let clean = { (batch: [Node]) throws(SandboxError) in
            try setfacl(["-x", "u:\(uid),d:u:\(uid)"], batch.filter(\.isDirectory))
            try setfacl(["-x", "u:\(uid)"], batch.filter { !$0.isDirectory })
            try setfacl(["-b"], try withoutNamedEntries(batch))
        }
        guard let node = try node(duplicating: top, info, isRoot: true) else { return }
        defer { Files.close(node.fd) }
        if let mountUID, node.isDirectory { try setfacl(["-x", "u:\(mountUID)"], [node]) }
        try clean([node])
        if node.isDirectory { try walk(below: top, path: root, device: info.st_dev, clean) }
    }

    /// Sets `spec` (setfacl -m) on the inode `fd` names, an fd from `openWithoutSymlinks`: setfacl is handed
    /// `/proc/self/fd/N` of a copy it inherits, which names that inode and no other.
    static func modify(_ spec: String, on fd: Int32, path: String) throws(SandboxError) {
        let copy: Int32
        do { copy = try Files.inheritableCopy(of: fd, display: path) } catch { throw SandboxError(error) }
        defer { Files.close(copy) }
        let result = try HelperCommand.run("setfacl", ["-m", spec, "/proc/self/fd/\(copy)"])
        guard result.status == 0 else { throw .toolFailed(tool: "setfacl", arguments: ["-m", spec, path], status: result.status, output: result.output) }
    }

    struct Node {
        var fd: Int32
        var isDirectory: Bool
        var path: String { "/proc/self/fd/\(fd)" }
    }

    private static func setfacl(_ arguments: [String], _ nodes: [Node]) throws(SandboxError) {
        guard !nodes.isEmpty else { return }
        try HelperCommand.check("setfacl", arguments + nodes.map(\.path))
    }

    /// The nodes whose ACL (access and default) certainly has no `user:ID:` or `group:ID:` entry left: getfacl
    /// printed their whole block, and nothing in it names a user or group.
    static func withoutNamedEntries(_ nodes: [Node]) throws(SandboxError) -> [Node] {
        guard !nodes.isEmpty else { return [] }
        let result = try HelperCommand.run("getfacl", ["-n", "-p"] + nodes.map(\.path))
        guard result.status == 0 else {
            throw .toolFailed(tool: "getfacl", arguments: ["-n", "-p"] + nodes.map(\.path), status: result.status, output: result.output)
        }
        return bare(getfaclOutput: result.output, truncated: result.truncated, among: nodes.map(\.path)).compactMap { path in
            nodes.first { $0.path == path }
        }
    }

    /// Of `paths`, those whose block in getfacl's output (lines joined with "; ", as HelperCommand gives them) is
    /// complete and names no user or group. The block cut off by a truncated output counts as not bare.
    static func bare(getfaclOutput output: String, truncated: Bool, among paths: [String]) -> [String] {
        var named: Set<String> = []
        var seen: [String] = []
        for line in output.split(separator: ";").map({ $0.drop { $0 == " " } }) {
            if line.hasPrefix("# file: ") {
                seen.append(String(line.dropFirst(8)))
                continue
            }
            guard let current = seen.last else { continue }
            let entry = line.hasPrefix("default:") ? line.dropFirst(8) : line
            let fields = entry.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count == 3, fields[0] == "user" || fields[0] == "group", !fields[1].isEmpty { named.insert(current) }
        }
        if truncated, let last = seen.last { named.insert(last) }
        return paths.filter { seen.contains($0) && !named.contains($0) }
    }

    /// An O_PATH fd for `path`, opened one component at a time from / without following any symlink (a symlink
    /// anywhere in it is ELOOP or ENOTDIR); nil when a component does not exist.
    static func openWithoutSymlinks(_ path: String) throws(SandboxError) -> Int32? {
        var current: Int32
        do { current = try Files.open("/", Files.pathOnly | O_DIRECTORY) } catch { throw SandboxError(error) }
        for component in path.split(separator: "/") {
            let next: Int32
            do {
                defer { Files.close(current) }
                next = try Files.openat(current, String(component), Files.pathOnly | O_NOFOLLOW, display: path)
            } catch {
                if error.errno.rawValue == ENOENT { return nil }
                throw SandboxError(error)
            }
            if let info = try? Files.stat(fd: next), info.st_mode & S_IFMT == S_IFLNK {
                Files.close(next)
                throw .io(call: "open", path: path, errno: ELOOP)
            }
            current = next
        }
        return current
    }

    /// A node for an fd to hand to setfacl: a copy without FD_CLOEXEC (it must reach the child), for a directory or
    /// a regular file (below the root: with one link, and the caller's own unless the caller is root); nil for
    /// anything else.
    private static func node(duplicating fd: Int32, _ info: stat, isRoot: Bool = false) throws(SandboxError) -> Node? {
        let isDirectory = info.st_mode & S_IFMT == S_IFDIR
        guard isDirectory || (info.st_mode & S_IFMT == S_IFREG && (isRoot || info.st_nlink == 1)) else { return nil }
        guard isRoot || mayChange(info) else { return nil }
        do {
            return Node(fd: try Files.inheritableCopy(of: fd, display: Files.procPath(fd)), isDirectory: isDirectory)
        } catch {
            throw SandboxError(error)
        }
    }

    /// Calls `body` with batches of nodes for everything below the directory `top` (an O_PATH fd), on `device`
    /// only; the nodes' fds are closed after each batch.
    private static func walk(
        below top: Int32, path: String, device: dev_t, _ body: ([Node]) throws(SandboxError) -> Void
    ) throws(SandboxError) {
        var batch: [Node] = []
        defer { for node in batch { Files.close(node.fd) } }
        func add(_ node: Node) throws(SandboxError) {
            batch.append(node)
            guard batch.count >= batchSize else { return }
            try flush()
        }
        func flush() throws(SandboxError) {
            let full = batch
            batch = []
            defer { for node in full { Files.close(node.fd) } }
            try body(full)
        }
        try descend(top, path: path, device: device, add)
        try flush()
    }

    /// Root may change any inode's ACL; anyone else only their own.
    private static func mayChange(_ info: stat) -> Bool {
        let caller = ProcessIdentity.effectiveUID
        return caller == 0 || info.st_uid == caller
    }

    private static func descend(
        _ directory: Int32, path: String, device: dev_t, _ add: (Node) throws(SandboxError) -> Void
    ) throws(SandboxError) {
        // Listing needs a readable fd: reopened through the O_PATH one, which names this directory and no other.
        let names: [String]
        do {
            let listing = try Files.openat(directory, ".", O_RDONLY | O_DIRECTORY, display: path)
            defer { Files.close(listing) }
            names = try Files.entries(ofDirectory: listing, display: path).map(\.name)
        } catch {
            throw .io(call: "opendir", path: path, errno: error.errno.rawValue)
        }
        for name in names {
            // O_PATH opens the name itself (a symlink stays a symlink) without reading anything or waking a device.
            let fd: Int32
            do {
                fd = try Files.openat(directory, name, Files.pathOnly | O_NOFOLLOW, display: path + "/" + name)
            } catch {
                if error.errno.rawValue == ENOENT { continue }  // removed meanwhile
                throw SandboxError(error)
            }
            defer { Files.close(fd) }
            let info = try FileSystem.status(fd: fd, path: path + "/" + name)
            guard info.st_dev == device else { continue }  // another filesystem mounted here: not part of the grant
            if let node = try node(duplicating: fd, info) { try add(node) }
            if info.st_mode & S_IFMT == S_IFDIR && mayChange(info) { try descend(fd, path: path + "/" + name, device: device, add) }
        }
    }
}
