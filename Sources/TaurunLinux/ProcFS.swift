import CLinux
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A handle on a procfs proven to be the kernel's: the root of a filesystem whose statfs magic is PROC_SUPER_MAGIC.
/// Every path below it is opened with openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
/// RESOLVE_NO_XDEV, and the result is checked to be on procfs again, so a mount over any part of the path (a tmpfs
/// on /proc/self/fd, a bind on /proc/self/attr: CVE-2019-16884) or a planted symlink makes the call fail instead of
/// landing on a decoy. `self` and `thread-self`, the only symlinks a caller may name, are read from the handle.
///
/// `open()` makes a private procfs instance (fsopen/fsmount): a detached mount that no path reaches, so nothing can
/// be mounted inside it. Take it before pivot_root; it keeps working after, when the container's /proc is hostile.
public struct ProcFS {
    public static let superMagic = 0x9fa0          // PROC_SUPER_MAGIC
    static let rootInode: UInt = 1                  // PROC_ROOT_INO
    /// RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH
    public static let resolveStrict: UInt64 = 0x01 | 0x02 | 0x04 | 0x08

    /// O_PATH | O_DIRECTORY fd on the procfs root (close-on-exec).
    public let rootFD: Int32
    /// True for a private instance from fsmount; false for an existing /proc that was opened and verified.
    public let isPrivate: Bool

    /// A private procfs instance of the caller's pid namespace; where the kernel refuses one (no new mount API, or a
    /// user namespace without a fully visible /proc) the /proc the caller sees, verified. Call before pivot_root.
    public static func open() throws(SyscallError) -> ProcFS {
        if let mine = try? openPrivate() { return mine }
        return try open(at: "/proc")
    }

    /// fsopen("proc") + fsmount: a procfs mount attached nowhere.
    public static func openPrivate() throws(SyscallError) -> ProcFS {
        let fsfd = try sys("fsopen", "proc") { tr_fsopen("proc", 1 /* FSOPEN_CLOEXEC */) }
        defer { Glibc.close(fsfd) }
        _ = try sys("fsconfig", "proc") { tr_fsconfig(fsfd, 6 /* FSCONFIG_CMD_CREATE */, nil, nil, 0) }
        // MOUNT_ATTR_NOSUID | NODEV | NOEXEC
        let mnt = try sys("fsmount", "proc") { tr_fsmount(fsfd, 1 /* FSMOUNT_CLOEXEC */, 0x2 | 0x4 | 0x8) }
        return try verifiedRoot(mnt, display: "proc", isPrivate: true)
    }

    /// An existing procfs mount at `path` (absolute, no symlinks on the way), verified to be a procfs root.
    public static func open(at path: String) throws(SyscallError) -> ProcFS {
        let fd = try Files.openat2(-100, path, flags: Int32(TR_O_PATH) | O_DIRECTORY,
                                   resolve: Files.resolveNoSymlinks | Files.resolveNoMagicLinks)
        return try verifiedRoot(fd, display: path, isPrivate: false)
    }

    private static func verifiedRoot(_ fd: Int32, display: String, isPrivate: Bool) throws(SyscallError) -> ProcFS {
        guard isProcFS(fd: fd), let st = try? Files.stat(fd: fd), UInt(st.st_ino) == rootInode else {
            Glibc.close(fd)
            throw SyscallError("procfs check", display, errno: .improperLink)
        }
        return ProcFS(rootFD: fd, isPrivate: isPrivate)
    }

    /// True when `fd` is on a procfs (fstatfs f_type).
    public static func isProcFS(fd: Int32) -> Bool { tr_fstatfs_type(fd) == superMagic }

    /// True when `path` (followed) is on a procfs (statfs f_type).
    public static func isProcFS(path: String) -> Bool { tr_statfs_type(path) == superMagic }

    public func close() { Glibc.close(rootFD) }

    /// `path` with a leading `self` or `thread-self` replaced by what that link reads now, e.g. "self/attr/exec" →
    /// "42/attr/exec". The link itself is opened without crossing a mount and checked to be procfs's.
    public func resolve(_ path: String) throws(SyscallError) -> String {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = parts.first, first == "self" || first == "thread-self" else { return parts.joined(separator: "/") }
        let link = try sys("openat2", "/proc/" + first) {
            tr_openat2(rootFD, first, UInt64(UInt32(bitPattern: Int32(TR_O_PATH) | O_NOFOLLOW | O_CLOEXEC)), 0,
                       Self.resolveStrict)  // with O_PATH | O_NOFOLLOW: the link itself
        }
        defer { Glibc.close(link) }
        guard Self.isProcFS(fd: link) else { throw SyscallError("procfs check", "/proc/" + first, errno: .improperLink) }
        var buf = [CChar](repeating: 0, count: 64)
        let n = try sys("readlink", "/proc/" + first) { tr_readlinkat(link, "", &buf, buf.count - 1) }
        let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // procfs writes "<pid>" and "<pid>/task/<tid>": anything else (an absolute path, "..") is not procfs's.
        guard !target.isEmpty, target.split(separator: "/").allSatisfy({ $0 == "task" || $0.allSatisfy(\.isNumber) }) else {
            throw SyscallError("procfs check", "/proc/" + first, errno: .improperLink)
        }
        parts[0] = target
        return parts.joined(separator: "/")
    }

    /// Opens `path` (relative to the procfs root, e.g. "sys/kernel/core_pattern", "self/attr/apparmor/exec"), never
    /// following a symlink or crossing a mount, and checks the result is on procfs. Returns a close-on-exec fd.
    public func open(_ path: String, flags: Int32) throws(SyscallError) -> Int32 {
        let display = "/proc/" + path
        let rel = try resolve(path)
        let fd = try Files.openat2(rootFD, rel.isEmpty ? "." : rel, flags: flags, resolve: Self.resolveStrict, display: display)
        guard Self.isProcFS(fd: fd) else {
            Glibc.close(fd)
            throw SyscallError("procfs check", display, errno: .improperLink)
        }
        return fd
    }

    /// Writes `value` with one write(2) into the procfs file `path` (a sysctl, an LSM attribute, oom_score_adj).
    public func write(_ path: String, _ value: String) throws(SyscallError) {
        let fd = try open(path, flags: O_WRONLY)
        defer { Glibc.close(fd) }
        try Files.writeAll(fd: fd, Array(value.utf8), path: "/proc/" + path)
    }

    /// Reads the procfs file `path` (e.g. "self/setgroups").
    public func readString(_ path: String) throws(SyscallError) -> String {
        let fd = try open(path, flags: O_RDONLY)
        defer { Glibc.close(fd) }
        return String(decoding: try Files.readAll(fd: fd, path: "/proc/" + path), as: UTF8.self)
    }

    /// Runs `body` with the working directory set to this procfs's (verified) `self/fd` directory and a function
    /// that turns an fd into the path naming it there ("7"): mount(2) and other path-only calls then reach exactly
    /// the object the fd refers to, through procfs magic links no mount can cover. The previous working directory is
    /// restored afterwards. `body` must use no other relative path.
    public func withFDPaths<T>(_ body: ((Int32) -> String) throws -> T) throws -> T {
        let dir = try open("self/fd", flags: Int32(TR_O_PATH) | O_DIRECTORY)
        defer { Glibc.close(dir) }
        let previous = try Files.open(".", Int32(TR_O_PATH) | O_DIRECTORY)
        defer { _ = fchdir(previous); Glibc.close(previous) }
        _ = try sys("fchdir", "/proc/self/fd") { fchdir(dir) }
        return try body { fd in String(fd) }
    }
}
