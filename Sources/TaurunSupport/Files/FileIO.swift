#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The package's one layer of plain POSIX file calls: whole files read and written (new with O_EXCL, replaced with
/// temp + optional fsync + rename), directories made, listed and removed, opens, locks and stats. Every failure is the
/// caller's own error type (`FileIO<SandboxError>`, `FileIO<AuditError>`, …) made from the call, the path and the errno,
/// so each module keeps its wording. EINTR is retried everywhere. Symlinks are never followed where a target could be
/// planted by someone else (lstat, O_NOFOLLOW, O_EXCL). No C shim: what needs one (openat2, O_PATH) is TaurunLinux's.
public enum FileIO<Failure: FileCallError> {
    // MARK: Kinds and stats

    /// What `path` itself is (lstat); nil when it does not exist or cannot be reached.
    public static func kind(_ path: String) -> FileKind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileKind(mode: UInt32(info.st_mode))
    }

    /// Whether this process may write `path` (access(2) W_OK, with the real ids, which are the effective ones here).
    public static func isWritable(_ path: String) -> Bool { accessRefusal(path, W_OK) == nil }

    /// The errno access(2) refuses `mode` (R_OK, W_OK, X_OK, or'ed) on `path` with, with the real ids; nil when
    /// allowed. For a message that says why (a missing file and a permission denied call for different fixes).
    public static func accessRefusal(_ path: String, _ mode: Int32) -> Int32? { access(path, mode) == 0 ? nil : errno }

    /// Like `kind`, but follows symlinks (for host devices such as /dev/dri/by-path/* → ../card0).
    public static func resolvedKind(_ path: String) -> FileKind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileKind(mode: UInt32(info.st_mode))
    }

    /// lstat(2) of `path`.
    public static func status(_ path: String) throws(Failure) -> stat {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw Failure(call: "lstat", path: path, errno: errno) }
        return info
    }

    /// stat(2) of `path`, following symlinks; nil when it does not exist.
    public static func resolvedStatusIfPresent(_ path: String) throws(Failure) -> stat? {
        var info = stat()
        if stat(path, &info) == 0 { return info }
        let code = errno
        if code == ENOENT { return nil }
        throw Failure(call: "stat", path: path, errno: code)
    }

    /// fstat(2); `path` names the file in the error.
    public static func status(fd: Int32, path: String) throws(Failure) -> stat {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(call: "fstat", path: path, errno: errno) }
        return info
    }

    // MARK: Opening and locking

    /// open(2) with close-on-exec.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(Failure) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            let code = errno
            if code != EINTR { throw Failure(call: "open", path: path, errno: code) }
        }
    }

    /// Like `open`, but a path that does not exist is nil rather than an error.
    public static func openIfPresent(_ path: String, _ flags: Int32) throws(Failure) -> Int32? {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC)
            if fd >= 0 { return fd }
            let code = errno
            if code == ENOENT { return nil }
            if code != EINTR { throw Failure(call: "open", path: path, errno: code) }
        }
    }

    /// close(2), its result ignored: on Linux the fd is released even when close reports an error, so retrying
    /// could close an fd another open just received, and there is nothing else to do with the error.
    public static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// flock(2) of `fd` (`LOCK_EX`, `LOCK_SH`); `path` names the file in the error.
    public static func lock(_ fd: Int32, _ operation: Int32, path: String) throws(Failure) {
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw Failure(call: "flock", path: path, errno: code)
        }
    }

    // MARK: Reading

    /// The whole file, refused past `limit` bytes with EFBIG from "read".
    public static func readFile(_ path: String, limit: Int = 1 << 20) throws(Failure) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        return try readToEnd(fd, path: path, limit: limit)
    }

    /// The whole file, or nil when it does not exist.
    public static func readFileIfPresent(_ path: String, limit: Int = .max) throws(Failure) -> [UInt8]? {
        guard let fd = try openIfPresent(path, O_RDONLY) else { return nil }
        defer { close(fd) }
        return try readToEnd(fd, path: path, limit: limit)
    }

    /// From the fd's offset to end of file, refused past `limit` bytes with EFBIG from "read". A regular file is read
    /// in one call into a buffer of its size (+1 to see the end); /proc files report size 0 and are read in 16 KiB
    /// steps. Buffers are not zero-filled first: a zeroed 64 KiB chunk per read was a measurable part of a convert
    /// (it reads a dozen small files).
    public static func readToEnd(_ fd: Int32, path: String, limit: Int = .max) throws(Failure) -> [UInt8] {
        var info = stat()
        let size = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG ? Int(info.st_size) : 0
        let ceiling = limit == .max ? limit : limit + 1
        let chunkSize = min(max(size + 1, 16384), ceiling)
        var result: [UInt8] = []
        while true {
            var failure: Int32 = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: chunkSize) { buffer, initialized in
                var count: Int
                repeat {
                    count = read(fd, buffer.baseAddress, buffer.count)
                } while count < 0 && errno == EINTR
                if count < 0 { failure = errno }
                initialized = max(count, 0)
            }
            if failure != 0 { throw Failure(call: "read", path: path, errno: failure) }
            if chunk.isEmpty { break }
            if result.isEmpty { result = chunk } else { result.append(contentsOf: chunk) }
            if result.count > limit { throw Failure(call: "read", path: path, errno: EFBIG) }
        }
        return result
    }

    /// lseek(2) of `fd` to `offset` bytes from the start; `path` names the file in the error.
    public static func seek(_ fd: Int32, to offset: Int, path: String) throws(Failure) {
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { throw Failure(call: "lseek", path: path, errno: errno) }
    }

    /// The target of the symlink at `path`.
    public static func readLink(_ path: String) throws(Failure) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, 4096)
        guard count >= 0 else { throw Failure(call: "readlink", path: path, errno: errno) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sorted names in a directory, without . and ..
    public static func list(_ path: String) throws(Failure) -> [String] {
        guard let directory = opendir(path) else { throw Failure(call: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public static func realPath(_ path: String) throws(Failure) -> String {
        guard let resolved = realpath(path, nil) else { throw Failure(call: "realpath", path: path, errno: errno) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public static func currentDirectory() throws(Failure) -> String {
        guard let cwd = getcwd(nil, 0) else { throw Failure(call: "getcwd", path: ".", errno: errno) }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    // MARK: Writing

    /// Writes all of `bytes` to `fd` (a short write on a regular file only happens on ENOSPC/EFBIG, which then
    /// surfaces); `path` names the file in the error.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress?.advanced(by: offset), $0.count - offset) }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw Failure(call: "write", path: path, errno: code)
            }
            offset += written
        }
    }

    /// Writes a new file (O_EXCL: never through a planted symlink). `durable` fsyncs it: for state files a reader
    /// must find whole after a crash, not for files regenerated byte for byte (fsync costs tens of ms).
    public static func createFile(_ path: String, bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = false) throws(Failure) {
        let fd = try open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode)
        defer { close(fd) }
        try writeAll(fd, bytes, path: path)
        if durable {
            guard fsync(fd) == 0 else { throw Failure(call: "fsync", path: path, errno: errno) }
        }
    }

    /// Replaces `path` atomically: writes a temporary file next to it (fsynced if `durable`), then puts it in `path`'s
    /// place. A reader, or a writer killed at any instant, sees the old content or the new, never a part. The
    /// temporary (named as `temporary` says) is made with O_EXCL|O_NOFOLLOW, never through a symlink planted at its
    /// name, and removed again when a step fails; a failure to put it in place names `path`.
    /// The temporary is renamed over `path`, unless `exchange` (an atomic swap of two paths, 0 or -1 with errno:
    /// renameat2's RENAME_EXCHANGE, which only TaurunLinux's C shim reaches) swaps it with the file there, whose old
    /// content is then unlinked under the temporary's name. The rename is used where the swap fails (no file at
    /// `path` yet, a filesystem without it); a directory at `path` is refused either way (EISDIR) and kept.
    public static func replaceFile(_ path: String, bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = true,
                                   temporary naming: TemporaryFileName = .fixed,
                                   exchange: ((_ temporary: String, _ path: String) -> Int32)? = nil) throws(Failure) {
        let (temporary, fd) = try createTemporary(for: path, naming, mode: mode)
        do throws(Failure) {
            try writeAll(fd, bytes, path: temporary)
            if durable, fsync(fd) != 0 { throw Failure(call: "fsync", path: temporary, errno: errno) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        if let exchange, exchange(temporary, path) == 0 {
            if unlink(temporary) == 0 || errno != EISDIR { return }
            // A directory was at `path` (which rename refuses): put it back and fail as rename would.
            _ = exchange(temporary, path)
            unlink(temporary)
            throw Failure(call: "rename", path: path, errno: EISDIR)
        }
        guard Glibc.rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure(call: "rename", path: path, errno: code)
        }
    }

    /// The temporary file a replace of `path` writes, created empty: its path and an fd open for writing.
    private static func createTemporary(for path: String, _ naming: TemporaryFileName,
                                        mode: mode_t) throws(Failure) -> (path: String, fd: Int32) {
        if naming == .fixed { try unlinkIfPresent(naming.path(for: path)) }
        var clashes = 0
        var temporary = naming.path(for: path)
        while true {
            let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if fd >= 0 { return (temporary, fd) }
            let code = errno
            if code == EINTR { continue }
            // A random name someone already has: another, 16 tries in all.
            guard code == EEXIST, naming == .random, clashes < 15 else { throw Failure(call: "open", path: temporary, errno: code) }
            clashes += 1
            temporary = naming.path(for: path)
        }
    }

    public static func makeSymlink(_ path: String, target: String) throws(Failure) {
        guard symlink(target, path) == 0 else { throw Failure(call: "symlink", path: path, errno: errno) }
    }

    public static func rename(_ from: String, to: String) throws(Failure) {
        guard Glibc.rename(from, to) == 0 else { throw Failure(call: "rename", path: "\(from) -> \(to)", errno: errno) }
    }

    /// rename(2); a missing source is not an error.
    public static func renameIfPresent(_ from: String, to: String) throws(Failure) {
        guard Glibc.rename(from, to) != 0 else { return }
        let code = errno
        if code != ENOENT { throw Failure(call: "rename", path: "\(from) -> \(to)", errno: code) }
    }

    /// unlink(2); a missing file is not an error.
    public static func unlinkIfPresent(_ path: String) throws(Failure) {
        guard unlink(path) != 0 else { return }
        let code = errno
        if code != ENOENT { throw Failure(call: "unlink", path: path, errno: code) }
    }

    /// lchown(2): the path itself, never what a symlink there names.
    public static func changeOwner(_ path: String, uid: UInt32, gid: UInt32) throws(Failure) {
        guard lchown(path, uid, gid) == 0 else { throw Failure(call: "chown", path: path, errno: errno) }
    }

    public static func changeMode(_ path: String, _ mode: mode_t) throws(Failure) {
        guard chmod(path, mode) == 0 else { throw Failure(call: "chmod", path: path, errno: errno) }
    }

    /// fchmod(2); `path` names the file in the error.
    public static func changeMode(fd: Int32, _ mode: mode_t, path: String) throws(Failure) {
        guard fchmod(fd, mode) == 0 else { throw Failure(call: "fchmod", path: path, errno: errno) }
    }

    /// fchmod(2), best effort (false when refused).
    @discardableResult
    public static func changeMode(fd: Int32, _ mode: UInt32) -> Bool { (try? changeMode(fd: fd, mode, path: "")) != nil }

    // MARK: Directories

    /// mkdir with exactly `mode`: mkdir's mode is filtered by the umask, so it is set again.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(Failure) {
        guard mkdir(path, mode) == 0 else { throw Failure(call: "mkdir", path: path, errno: errno) }
        try changeMode(path, mode)
    }

    /// mkdir -p: the last component, when missing, is made with `mode`, every missing one above it with `parentMode`
    /// (default `mode`); an existing directory, or a symlink to one, is left as it is, and anything else on the way
    /// fails with ENOTDIR naming it.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755, parentMode: mode_t? = nil) throws(Failure) {
        let components = path.split(separator: "/")
        var current = path.hasPrefix("/") ? "" : "."
        for (index, component) in components.enumerated() {
            current += "/" + component
            let mode = index == components.count - 1 ? mode : parentMode ?? mode
            switch kind(current) {
            case .directory: continue
            case nil:
                if mkdir(current, mode) == 0 {
                    try changeMode(current, mode)
                    continue
                }
                let code = errno
                // Made by someone else in between: fine if it is a directory, checked below.
                guard code == EEXIST else { throw Failure(call: "mkdir", path: current, errno: code) }
                if resolvedKind(current) != .directory { throw Failure(call: "mkdir", path: current, errno: ENOTDIR) }
            case .symlink where resolvedKind(current) == .directory: continue
            default: throw Failure(call: "mkdir", path: current, errno: ENOTDIR)
            }
        }
    }

    /// rm -rf without following symlinks. Refuses to cross into another filesystem (a mount inside the tree would
    /// otherwise be emptied).
    public static func removeTree(_ path: String) throws(Failure) {
        let info = try status(path)
        if info.st_mode & S_IFMT != S_IFDIR {
            guard unlink(path) == 0 else { throw Failure(call: "unlink", path: path, errno: errno) }
            return
        }
        for name in try list(path) {
            let child = path + "/" + name
            let childInfo = try status(child)
            if childInfo.st_mode & S_IFMT == S_IFDIR && childInfo.st_dev != info.st_dev {
                throw Failure(call: "rmdir", path: child, errno: EBUSY)
            }
            try removeTree(child)
        }
        guard rmdir(path) == 0 else { throw Failure(call: "rmdir", path: path, errno: errno) }
    }
}
