import CLinux
import SystemPackage
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// File operations that must not be fooled by symlinks planted in a container image.
public enum Files {
    public static let resolveInRoot: UInt64 = 0x10      // RESOLVE_IN_ROOT
    public static let resolveNoSymlinks: UInt64 = 0x04  // RESOLVE_NO_SYMLINKS
    public static let resolveNoMagicLinks: UInt64 = 0x02
    public static let resolveNoXDev: UInt64 = 0x01      // RESOLVE_NO_XDEV
    public static let resolveBeneath: UInt64 = 0x08     // RESOLVE_BENEATH

    public static func open(_ path: String, _ flags: Int32, mode: UInt32 = 0) throws(SyscallError) -> Int32 {
        try sys("open", path) { tr_open(path, flags | O_CLOEXEC, mode) }
    }

    public static func openat2(_ dirfd: Int32, _ path: String, flags: Int32, mode: UInt32 = 0, resolve: UInt64,
                               display: String? = nil) throws(SyscallError) -> Int32 {
        try sys("openat2", display ?? path) {
            tr_openat2(dirfd, path, UInt64(UInt32(bitPattern: flags | O_CLOEXEC)), UInt64(mode), resolve)
        }
    }

    /// Opens (creating as needed) `relative` under the directory `rootFD`, resolving every prefix from the root with
    /// RESOLVE_IN_ROOT, so `..` and absolute symlinks behave as they would inside the container and can never leave
    /// it. Missing components are created as directories, the last one as a directory or an empty file. Returns an
    /// O_PATH fd to the final component.
    /// A dangling symlink on the way (`/mnt/link -> /data/missing`) is followed inside the root and its target
    /// created, as runc and crun do; with RESOLVE_IN_ROOT nothing it names can leave the root.
    public static func createInRoot(rootFD: Int32, _ relative: String, directory: Bool, mode: UInt32 = 0o755,
                                    display: String) throws(SyscallError) -> Int32 {
        try createInRoot(rootFD: rootFD, relative, directory: directory, mode: mode, display: display, linksLeft: 40)
    }

    private static func createInRoot(rootFD: Int32, _ relative: String, directory: Bool, mode: UInt32,
                                     display: String, linksLeft: Int) throws(SyscallError) -> Int32 {
        let parts = relative.split(separator: "/").map(String.init).filter { !$0.isEmpty && $0 != "." }
        let pathFlags = UInt64(UInt32(bitPattern: Int32(TR_O_PATH) | O_CLOEXEC))
        if parts.isEmpty { return try sys("openat2", display) { tr_openat2(rootFD, ".", pathFlags, 0, resolveInRoot) } }
        var firstMissing = parts.count
        // Find the first component that does not exist (walking back from the full path: usually it all exists).
        let whole = tr_openat2(rootFD, parts.joined(separator: "/"), pathFlags, 0, resolveInRoot)
        if whole >= 0 { return whole }
        guard Glibc.errno == ENOENT else { throw SyscallError("openat2", display) }
        firstMissing = 0
        for i in stride(from: parts.count - 1, to: 0, by: -1) {
            let fd = tr_openat2(rootFD, parts[0..<i].joined(separator: "/"), pathFlags, 0, resolveInRoot)
            if fd >= 0 { Glibc.close(fd); firstMissing = i; break }
            guard Glibc.errno == ENOENT else { throw SyscallError("openat2", display) }
        }
        for i in firstMissing..<parts.count {
            let parentPath = i == 0 ? "." : parts[0..<i].joined(separator: "/")
            let parent = try sys("openat2", display) { tr_openat2(rootFD, parentPath, pathFlags, 0, resolveInRoot) }
            defer { Glibc.close(parent) }
            // A dangling symlink: carry on from its target (relative to its directory, or to the root).
            var linkStat = Glibc.stat()
            if fstatat(parent, parts[i], &linkStat, AT_SYMLINK_NOFOLLOW) == 0 && FileKind(mode: linkStat.st_mode) == .symlink {
                guard linksLeft > 0 else { throw SyscallError("openat2", display, errno: .tooManySymbolicLinkLevels) }
                var buffer = [CChar](repeating: 0, count: 4097)
                let n = readlinkat(parent, parts[i], &buffer, buffer.count - 1)
                guard n > 0 else { throw SyscallError("readlink", display) }
                let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                let rest = parts[(i + 1)...].joined(separator: "/")
                let base = target.hasPrefix("/") ? target : parentPath + "/" + target
                return try createInRoot(rootFD: rootFD, rest.isEmpty ? base : base + "/" + rest, directory: directory,
                                        mode: mode, display: display, linksLeft: linksLeft - 1)
            }
            let last = i == parts.count - 1
            if last && !directory {
                let f = tr_openat(parent, parts[i], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o644)
                if f >= 0 { Glibc.close(f) } else if Glibc.errno != EEXIST { throw SyscallError("create", display) }
            } else if mkdirat(parent, parts[i], last ? mode_t(mode) : 0o755) < 0 && Glibc.errno != EEXIST {
                throw SyscallError("mkdir", display)
            }
        }
        return try sys("openat2", display) { tr_openat2(rootFD, parts.joined(separator: "/"), pathFlags, 0, resolveInRoot) }
    }

    /// Opens (O_PATH) the deepest existing part of `relative` under `rootFD`, resolved as inside the container
    /// (RESOLVE_IN_ROOT): the whole path when it exists, else its longest existing prefix, at worst the root itself.
    public static func openDeepestExisting(rootFD: Int32, _ relative: String, display: String) throws(SyscallError) -> Int32 {
        let parts = relative.split(separator: "/").map(String.init)
        let pathFlags = UInt64(UInt32(bitPattern: Int32(TR_O_PATH) | O_CLOEXEC))
        var n = parts.count
        while true {
            let fd = tr_openat2(rootFD, n == 0 ? "." : parts[0..<n].joined(separator: "/"), pathFlags, 0, resolveInRoot)
            if fd >= 0 { return fd }
            guard (Glibc.errno == ENOENT || Glibc.errno == ENOTDIR) && n > 0 else { throw SyscallError("openat2", display) }
            n -= 1
        }
    }

    /// O_PATH (hidden behind _GNU_SOURCE in the Glibc module map): an fd that names a file without opening it.
    public static let pathOnly = Int32(TR_O_PATH)

    /// openat(2) relative to `dirfd`, close-on-exec. `display` names the file in errors.
    public static func openat(_ dirfd: Int32, _ name: String, _ flags: Int32, mode: UInt32 = 0,
                              display: String) throws(SyscallError) -> Int32 {
        try sys("openat", display) { tr_openat(dirfd, name, flags | O_CLOEXEC, mode) }
    }

    /// A pipe, both ends close-on-exec: (read end, write end).
    public static func pipe() throws(SyscallError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        _ = try sys("pipe2") { tr_pipe_cloexec(&fds) }
        return (fds[0], fds[1])
    }

    /// close(2), its result ignored (the package's one close: TaurunSupport's file layer says why).
    public static func close(_ fd: Int32) { FileIO<SyscallError>.close(fd) }

    /// Whether `fd` is an open descriptor of this process (fcntl F_GETFD succeeds).
    public static func isOpen(_ fd: Int32) -> Bool { tr_fcntl_int(fd, F_GETFD, 0) >= 0 }

    /// fcntl(F_SETFL): the status flags of the open file `fd` refers to that can change (O_APPEND, O_NONBLOCK, ...)
    /// become exactly `flags`.
    public static func setStatusFlags(_ fd: Int32, _ flags: Int32) throws(SyscallError) {
        _ = try sys("fcntl(F_SETFL)") { tr_fcntl_int(fd, F_SETFL, flags) }
    }

    /// mknod(2) of a device node or FIFO (`kind` .characterDevice, .blockDevice or .fifo).
    public static func makeNode(_ path: String, kind: FileKind, mode: UInt32, major: UInt32, minor: UInt32) throws(SyscallError) {
        _ = try sys("mknod", path) { tr_mknod(path, kind.rawValue | mode, major, minor) }
    }

    /// eventfd(2) with close-on-exec (sys/eventfd.h is not in the Glibc module map).
    public static func eventFD() throws(SyscallError) -> Int32 {
        try sys("eventfd") { tr_eventfd_cloexec(0) }
    }

    /// statfs(2) f_type (the filesystem's magic number) of what holds `path`, or -1 when it cannot be read.
    public static func filesystemType(of path: String) -> Int { Int(tr_statfs_type(path)) }

    /// `/proc/self/fd/N`: lets mount(2) and friends act on exactly the object an fd refers to.
    public static func procPath(_ fd: Int32) -> String { "/proc/self/fd/\(fd)" }

    /// The path the kernel reports for what `fd` refers to (readlink of /proc/self/fd/N), as seen from the
    /// caller's root. Only meaningful while /proc is one the caller trusts (before pivot_root: the host's).
    public static func path(of fd: Int32) throws(SyscallError) -> String { try readLink(procPath(fd)) }

    /// The target of the symlink (or /proc magic link) at `path`.
    public static func readLink(_ path: String) throws(SyscallError) -> String {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = try sys("readlink", path) { tr_readlinkat(-100, path, &buf, buf.count - 1) }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// fstat(2); `display`, when given, names the file in errors.
    public static func stat(fd: Int32, display: String? = nil) throws(SyscallError) -> stat {
        var st = Glibc.stat()
        _ = try sys("fstat", display) { fstat(fd, &st) }
        return st
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether this process may list `path` and reach names under it (access(2) R_OK|X_OK); on false errno says why.
    public static func isListable(_ path: String) -> Bool { access(path, R_OK | X_OK) == 0 }

    /// Whether this process may write `path` (access(2) with the real ids, which are the effective ones for taurun).
    public static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

    /// Whether this process may execute `path` (access(2) X_OK, with the real ids).
    public static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    /// Whether `path` resolves below the directory `root` (say /proc/<pid>/root), with RESOLVE_IN_ROOT: `..` and
    /// symlinks are followed as they would be from inside, never out of it. Not found (ENOENT, ENOTDIR) is false;
    /// any other failure (no permission to search) counts as existing, since something is there.
    public static func exists(_ path: String, inRoot root: String) -> Bool {
        let opath = Int32(TR_O_PATH)
        let rootFD = tr_open(root, opath | O_DIRECTORY | O_CLOEXEC, 0)
        guard rootFD >= 0 else { return false }
        defer { close(rootFD) }
        let fd = tr_openat2(rootFD, path, UInt64(UInt32(bitPattern: opath | O_CLOEXEC)), 0, resolveInRoot | resolveNoMagicLinks)
        if fd >= 0 {
            close(fd)
            return true
        }
        return Glibc.errno != ENOENT && Glibc.errno != ENOTDIR
    }

    /// True when `path` is a directory; a symlink to one counts only with `followingSymlinks`.
    public static func isDirectory(_ path: String, followingSymlinks: Bool = false) -> Bool {
        var st = Glibc.stat()
        return fstatat(AT_FDCWD, path, &st, followingSymlinks ? 0 : AT_SYMLINK_NOFOLLOW) == 0
            && FileKind(mode: st.st_mode) == .directory
    }

    /// Reads a whole (small) file; used for /proc and state files.
    public static func read(_ path: String) throws(SyscallError) -> [UInt8] {
        try FileIO<SyscallError>.readFile(path, limit: .max)
    }

    public static func readAll(fd: Int32, path: String) throws(SyscallError) -> [UInt8] {
        try FileIO<SyscallError>.readToEnd(fd, path: path)
    }

    public static func readString(_ path: String) throws(SyscallError) -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    public static func writeAll(fd: Int32, _ bytes: [UInt8], path: String) throws(SyscallError) {
        try FileIO<SyscallError>.writeAll(fd, bytes, path: path)
    }

    /// Writes a small value into an existing file (procfs, sysfs, cgroupfs) with exactly one write(2). These files take
    /// each write as one command (a uid_map must arrive whole, the second write is refused; a cgroup value cut in two
    /// is two values), so the rest of a value is never sent in a second write: a short write is an error (EIO).
    public static func writeValue(_ path: String, _ value: String) throws(SyscallError) {
        let bytes = Array(value.utf8)
        let written = try writeOnce(path, bytes)
        if written != bytes.count { throw SyscallError("write (\(written) of \(bytes.count) bytes taken)", path, errno: .ioError) }
    }

    /// Opens an existing file write-only (`flags` added, e.g. O_TRUNC), makes one write(2) of `bytes` (again only if
    /// a signal interrupted it before anything was written) and returns how many bytes the file took. For callers that
    /// report a short write in their own words (cgroupfs).
    public static func writeOnce(_ path: String, _ bytes: [UInt8], flags: Int32 = 0) throws(SyscallError) -> Int {
        let fd = try open(path, O_WRONLY | flags)
        defer { Glibc.close(fd) }
        return try writeOnce(fd: fd, bytes, path: path)
    }

    /// One write(2) of `bytes` to `fd` (again only if a signal interrupted it before anything was written); returns
    /// how many bytes the file took. For a file opened by the caller that takes each write as one command.
    public static func writeOnce(fd: Int32, _ bytes: [UInt8], path: String) throws(SyscallError) -> Int {
        try sys("write", path) { bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } }
    }

    /// Atomically replaces `path` with `bytes` (FileIO.replaceFile): a reader, or a process killed at any instant,
    /// sees the old or the new content, never a partial file.
    /// No fsync: container state describes processes and mounts that a reboot ends anyway, and the rename is atomic
    /// in the page cache (fsync costs milliseconds per write where /run is not a tmpfs).
    /// A random temporary name: the directory may be writable by others (a --pid-file in /tmp), where a name known in
    /// advance could be taken first.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o600) throws(SyscallError) {
        // An existing file is swapped with the new one (RENAME_EXCHANGE), then the old one unlinked under the
        // temporary name: ext4 forces the data of a file renamed over another onto disk blocks at once
        // (auto_da_alloc), which made each replace cost ~90 µs of CPU here (the block is discarded again when the next
        // replace frees it) against ~30 µs for the exchange, where the data of a short-lived state.json never reaches
        // a block at all. Either way the path names the old or the new content at every instant; a crash before the
        // unlink leaves the old content under the temporary name, as one before the rename leaves the new.
        try FileIO<SyscallError>.replaceFile(path, bytes: bytes, mode: mode_t(mode), durable: false, temporary: .random,
                                            exchange: { tr_rename_exchange($0, $1) })
    }

    public static func mkdirAll(_ path: String, mode: UInt32 = 0o755) throws(SyscallError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            // String(part): appending the Substring itself goes through the unspecialized generic append, whose
            // metadata lookups scan every conformance record of the binary (~0.2 M instructions per create).
            prefix += "/" + String(part)
            if mkdir(prefix, mode_t(mode)) < 0 && Glibc.errno != EEXIST {
                throw SyscallError("mkdir", prefix)
            }
        }
    }

    /// Removes a directory tree that taurun created (state dirs). Does not cross mount points or follow symlinks.
    public static func removeTree(_ path: String) throws(SyscallError) {
        var st = Glibc.stat()
        if lstat(path, &st) < 0 {
            if Glibc.errno == ENOENT { return }
            throw SyscallError("lstat", path)
        }
        if FileKind(mode: st.st_mode) == .directory {
            if let dir = opendir(path) {
                var names: [String] = []
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                    }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(dir)
                for name in names { try removeTree(path + "/" + name) }
            }
            if rmdir(path) < 0 && Glibc.errno != ENOENT { throw SyscallError("rmdir", path) }
        } else if unlink(path) < 0 && Glibc.errno != ENOENT {
            throw SyscallError("unlink", path)
        }
    }

    /// Lists a directory's entry names (no . and ..), sorted; empty when it cannot be opened.
    public static func list(_ path: String) -> [String] {
        (try? FileIO<SyscallError>.list(path)) ?? []
    }
}

#if canImport(Glibc)
/// A zeroed `struct stat`, for callers that stat(2) themselves.
public func statBuf() -> Glibc.stat { Glibc.stat() }
#endif
